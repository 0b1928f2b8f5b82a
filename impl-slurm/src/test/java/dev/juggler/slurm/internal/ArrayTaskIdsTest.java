package dev.juggler.slurm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** squeue's array-task field: one id, N/A, or a range record for tasks that never started. */
class ArrayTaskIdsTest {

    @Test
    void expandsRangesAndThrottles() {
        assertEquals(List.of("7"), SlurmOutput.taskIds("7", "7", "N/A"));
        assertEquals(List.of("5_3"), SlurmOutput.taskIds("9", "5", "3"));
        assertEquals(List.of("5_8", "5_9", "5_10"), SlurmOutput.taskIds("5", "5", "8-10"));
        assertEquals(List.of("5_2", "5_3", "5_7"), SlurmOutput.taskIds("5", "5", "[2-3,7%2]"));
    }
}
