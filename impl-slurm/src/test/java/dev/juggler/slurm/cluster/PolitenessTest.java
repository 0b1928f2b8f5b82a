package dev.juggler.slurm.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.UnavailableException;
import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import dev.juggler.slurm.ssh.ExecResult;
import dev.juggler.slurm.ssh.RemoteCommand;
import dev.juggler.slurm.ssh.RemoteFiles;
import dev.juggler.slurm.ssh.SshClient;
import dev.juggler.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Poll interval, retry and circuit breaker against a scripted fake SSH client (no cluster needed). */
class PolitenessTest {

    /** Answers squeue with a canned table, or fails like a controller that is down. */
    static final class FakeSsh implements SshClient {
        final AtomicInteger squeue = new AtomicInteger();
        volatile boolean down;

        @Override
        public ExecResult exec(RemoteCommand command) {
            if (command.argv().get(0).equals("squeue")) {
                squeue.incrementAndGet();
                if (down) {
                    return result(1, "", "slurm_load_jobs error: Unable to contact slurm controller (connect failure)");
                }
                return result(0, "41|41|N/A|RUNNING|0|juggler:t1:x|w|None|\n"
                        + "42|40|2|FAILED|768|juggler:t1:y|w|NonZeroExitCode|\n"
                        + "40|40|[3-4%1]|PENDING|0|juggler:t1:y|w|JobArrayTaskLimit|\n"
                        + "43|43|N/A|RUNNING|0|juggler:other:z|w|None|\n", "");
            }
            return result(0, "", "");
        }

        static ExecResult result(int code, String out, String err) {
            return new ExecResult(code, out.getBytes(StandardCharsets.UTF_8), err.getBytes(StandardCharsets.UTF_8), Duration.ZERO);
        }

        @Override
        public RemoteFiles files() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Instant> unavailableSince() {
            return Optional.empty();
        }

        @Override
        public String target() {
            return "fake";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void onePollPerIntervalAndOnlyOwnJobs() {
        FakeSsh ssh = new FakeSsh();
        MutableClock clock = MutableClock.startingAt2024();
        SlurmClusterBackend backend = SlurmClusterBackend.builder(ssh).tag("t1").clock(clock)
                .minPollInterval(Duration.ofSeconds(30)).build();
        List<JobStatus> first = backend.status();
        assertEquals(List.of("41", "40_2", "40_3", "40_4"), first.stream().map(JobStatus::jobId).toList());
        JobStatus failed = first.get(1);
        assertEquals(JobState.FAILED, failed.state());
        assertEquals(3, failed.exitCode().getAsInt());
        assertEquals(Optional.of("NonZeroExitCode"), failed.reason());
        assertEquals(JobState.PENDING, first.get(2).state());
        backend.status();
        assertEquals(1, ssh.squeue.get(), "within the interval: the last snapshot");
        clock.advance(Duration.ofSeconds(31));
        backend.status();
        assertEquals(2, ssh.squeue.get());
    }

    @Test
    void transientFailuresAreRetriedThenTheBreakerOpensAndFailsFast() {
        FakeSsh ssh = new FakeSsh();
        ssh.down = true;
        MutableClock clock = MutableClock.startingAt2024();
        SlurmClusterBackend backend = SlurmClusterBackend.builder(ssh).tag("t1").clock(clock).minPollInterval(Duration.ZERO)
                .retry(2, Duration.ofMillis(10)).breakerOpenDuration(Duration.ofMillis(300)).build();
        UnavailableException first = assertThrows(UnavailableException.class, backend::status);
        assertEquals(2, ssh.squeue.get(), "retried once");
        assertEquals(Optional.of(clock.instant()), first.since());
        clock.advance(Duration.ofMinutes(1));
        assertThrows(UnavailableException.class, backend::status);
        assertEquals("OPEN", backend.breakerState());
        int calls = ssh.squeue.get();
        UnavailableException fast = assertThrows(UnavailableException.class, backend::status);
        assertEquals(calls, ssh.squeue.get(), "open breaker: the controller is not called");
        assertTrue(fast.getMessage().contains("unavailable since " + first.since().get()), fast.getMessage());
        assertEquals(first.since(), fast.since(), "since = start of the outage");
        ssh.down = false;
        clock.advance(Duration.ofMillis(299));
        assertThrows(UnavailableException.class, backend::status, "still open: the breaker's time is the clock's");
        assertEquals(calls, ssh.squeue.get());
        clock.advance(Duration.ofMillis(2)); // past breakerOpenDuration by the clock, with no real wait
        assertFalse(backend.status().isEmpty(), "the trial call goes through");
        assertEquals("CLOSED", backend.breakerState());
        assertTrue(backend.unavailableSince().isEmpty());
    }
}
