package dev.juggler.slurm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.cluster.JobState;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class SlurmStatesTest {

    @Test
    void everySlurmStateMapsToThePortableSet() {
        Map<String, JobState> expected = Map.ofEntries(
                Map.entry("PENDING", JobState.PENDING), Map.entry("CONFIGURING", JobState.PENDING),
                Map.entry("REQUEUED", JobState.PENDING), Map.entry("REQUEUE_HOLD", JobState.PENDING),
                Map.entry("REQUEUE_FED", JobState.PENDING), Map.entry("RESV_DEL_HOLD", JobState.PENDING),
                Map.entry("RUNNING", JobState.RUNNING), Map.entry("COMPLETING", JobState.RUNNING),
                Map.entry("SUSPENDED", JobState.RUNNING), Map.entry("STOPPED", JobState.RUNNING),
                Map.entry("SIGNALING", JobState.RUNNING), Map.entry("STAGE_OUT", JobState.RUNNING),
                Map.entry("RESIZING", JobState.RUNNING), Map.entry("COMPLETED", JobState.COMPLETED),
                Map.entry("FAILED", JobState.FAILED), Map.entry("SPECIAL_EXIT", JobState.FAILED),
                Map.entry("CANCELLED by 0", JobState.CANCELLED), Map.entry("REVOKED", JobState.CANCELLED),
                Map.entry("TIMEOUT", JobState.TIMEOUT), Map.entry("DEADLINE", JobState.TIMEOUT),
                Map.entry("NODE_FAIL", JobState.NODE_FAILURE), Map.entry("BOOT_FAIL", JobState.NODE_FAILURE),
                Map.entry("PREEMPTED", JobState.PREEMPTED), Map.entry("OUT_OF_MEMORY", JobState.OUT_OF_MEMORY),
                Map.entry("OOM", JobState.OUT_OF_MEMORY), Map.entry("CD", JobState.COMPLETED), Map.entry("pd", JobState.PENDING));
        expected.forEach((word, state) -> assertEquals(state, SlurmStates.map(word), word));
        assertEquals("CANCELLED", SlurmStates.nativeWord("CANCELLED by 1000"));
        assertEquals(JobState.RUNNING, SlurmStates.map("SOMETHING_NEW"), "unknown: still active, re-checked later");
        assertTrue(SlurmStates.isKnown("NODE_FAIL"));
    }

    @Test
    void exitCodes() {
        assertEquals(OptionalInt.of(3), SlurmStates.waitStatusExit("768"));
        assertEquals(OptionalInt.of(0), SlurmStates.waitStatusExit("0"));
        assertEquals(OptionalInt.of(128 + 9), SlurmStates.waitStatusExit("9"));
        assertEquals(OptionalInt.of(3), SlurmStates.sacctExit("3:0"));
        assertEquals(OptionalInt.of(128 + 15), SlurmStates.sacctExit("0:15"));
        assertEquals(OptionalInt.empty(), SlurmStates.sacctExit("x"));
    }
}
