package dev.juggler.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.juggler.InvalidConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The rules every {@link ClusterBackend} keeps, including the ones the juggler relies on that the
 * interface's signatures cannot say. Subclass it, implement the four methods, and run it with JUnit 5 against
 * the real batch system (these tests start real jobs and wait for them).
 *
 * <p>The rules: {@code submit} returns one distinct id per job and refuses a count below 1 as an
 * {@link InvalidConfigException}; each job sees the id {@code submit} returned in {@value ClusterBackend#JOB_ID_ENV}
 * and its end (start + time limit, epoch ms) in {@value ClusterBackend#JOB_DEADLINE_ENV}; {@code status()}
 * shows every job until it ends, with its exit code, and an ended job stays ended; {@code cancel} ends a running
 * job as {@link JobState#CANCELLED} and ignores finished ones; {@code close()} is idempotent; and a backend that
 * says it {@linkplain #adoptsEarlierJobs() adopts} shows the jobs an earlier backend with the same tag
 * submitted (a restarted host must find its queue). A job the batch system forgot is reported
 * {@link JobState#GONE} in exactly one {@code status()} answer and never again: forgetting cannot be caused
 * portably, so the suite checks it only where {@link #canForget()} says the test can make the batch system
 * forget a job ({@link #forget}); elsewhere each implementation tests that itself.
 *
 * <p>Shipped in the api test-jar so that hosts can check their own backends the same way.
 */
public abstract class ClusterBackendContract {

    /** A new backend for jobs tagged {@code tag}; the same tag is the same run, as a restarted host builds it. */
    protected abstract ClusterBackend newBackend(String tag);

    /** A job spec for {@code command} with what this cluster needs (partition, time limit of 5 minutes). */
    protected abstract JobSpec.Builder spec(String name, List<String> command);

    /** A folder the jobs write to and this test reads: the same path on the machine that runs them. */
    protected abstract Path sharedDirectory();

    /** Whether a new backend with the same tag shows the jobs of an earlier one (a local backend ends them instead). */
    protected abstract boolean adoptsEarlierJobs();

    /**
     * Whether {@link #forget} can make the batch system forget a job; {@code false} (the default) skips the
     * {@link JobState#GONE} rule here.
     */
    protected boolean canForget() {
        return false;
    }

    /**
     * Makes the batch system forget {@code jobId}, a job {@code backend} submitted, as if it had been purged
     * from the queue and from any accounting (the job itself may go on running; the test cancels it after).
     * Called only when {@link #canForget()}.
     */
    protected void forget(ClusterBackend backend, String jobId) {
        throw new UnsupportedOperationException("canForget() is false");
    }

    /** How long a job may take to start and end here. */
    protected Duration patience() {
        return Duration.ofSeconds(90);
    }

    private static String tag() {
        return "c" + UUID.randomUUID().toString().substring(0, 8);
    }

    private JobSpec shell(String name, String script, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("sh", "-c", script, "sh"));
        command.addAll(List.of(args));
        return spec(name, command).timeLimit(Duration.ofMinutes(5)).build();
    }

    /** Polls {@code status()} until every id is known and matches {@code done}. */
    protected Map<String, JobStatus> await(ClusterBackend backend, List<String> ids, Predicate<JobStatus> done)
            throws InterruptedException {
        long end = System.nanoTime() + patience().toNanos();
        Map<String, JobStatus> last = Map.of();
        while (System.nanoTime() < end) {
            last = backend.status().stream().filter(s -> ids.contains(s.jobId()))
                    .collect(Collectors.toMap(JobStatus::jobId, s -> s, (a, b) -> b));
            if (last.size() == ids.size() && last.values().stream().allMatch(done)) {
                return last;
            }
            Thread.sleep(250); // real jobs on a real batch system: there is nothing to wait on but time
        }
        throw new AssertionError("jobs " + ids + " did not get there within " + patience() + ": " + last);
    }

    @Test
    void eachJobSeesTheIdSubmitReturnedAndItsDeadline() throws Exception {
        Path dir = Files.createDirectories(sharedDirectory().resolve("ids-" + UUID.randomUUID()));
        try (ClusterBackend backend = newBackend(tag())) {
            long before = System.currentTimeMillis();
            List<String> ids = backend.submit(shell("jg-contract-ids",
                    "printf '%s|%s' \"$JUGGLER_JOB_ID\" \"$JUGGLER_JOB_DEADLINE_MS\" > \"$1/job-$JUGGLER_JOB_ID\"", dir.toString()), 3, 0);
            assertEquals(3, ids.size(), "one id per job: " + ids);
            assertEquals(3, new HashSet<>(ids).size(), "distinct ids: " + ids);
            Map<String, JobStatus> ended = await(backend, ids, s -> s.state().isTerminal());
            long after = System.currentTimeMillis();
            for (String id : ids) {
                assertEquals(JobState.COMPLETED, ended.get(id).state(), ended.get(id).toString());
                String[] seen = read(dir.resolve("job-" + id)).split("\\|", -1);
                assertEquals(id, seen[0], "the job's " + ClusterBackend.JOB_ID_ENV + " is the id submit returned");
                long deadline = Long.parseLong(seen[1]);
                assertTrue(deadline >= before + Duration.ofMinutes(4).toMillis() && deadline <= after + Duration.ofMinutes(5).toMillis()
                        + 5_000, "deadline " + deadline + " is start + 5 min");
            }
        }
    }

    @Test
    void aCountBelowOneIsRefusedAsInvalidConfig() {
        try (ClusterBackend backend = newBackend(tag())) {
            JobSpec spec = shell("jg-contract-count", "true");
            assertThrows(InvalidConfigException.class, () -> backend.submit(spec, 0, 0));
            assertThrows(InvalidConfigException.class, () -> backend.submit(spec, -1, 0));
            assertThrows(InvalidConfigException.class, () -> backend.submit(spec, Integer.MIN_VALUE, 0));
            assertEquals(List.of(), backend.status(), "a refused count submits nothing");
        }
    }

    @Test
    void aJobTheBatchSystemForgotIsReportedGoneExactlyOnce() throws Exception {
        assumeTrue(canForget(), "this test cannot make the batch system forget a job; the implementation tests GONE itself");
        try (ClusterBackend backend = newBackend(tag())) {
            String id = backend.submit(shell("jg-contract-gone", "sleep 240"), 1, 0).get(0);
            try {
                await(backend, List.of(id), s -> s.state().isActive());
                forget(backend, id);
                JobStatus gone = await(backend, List.of(id), s -> !s.state().isActive()).get(id);
                assertEquals(JobState.GONE, gone.state(), "a forgotten job is GONE: " + gone);
                for (int i = 0; i < 3; i++) {
                    List<JobStatus> later = backend.status().stream().filter(s -> s.jobId().equals(id)).toList();
                    assertEquals(List.of(), later, "GONE is reported once, then the job is no longer tracked");
                }
            } finally {
                backend.cancel(List.of(id));
            }
        }
    }

    @Test
    void statusShowsEachJobWithItsExitCodeAndAnEndedJobStaysEnded() throws Exception {
        try (ClusterBackend backend = newBackend(tag())) {
            String ok = backend.submit(shell("jg-contract-ok", "exit 0"), 1, 0).get(0);
            String failed = backend.submit(shell("jg-contract-fail", "exit 3"), 1, 0).get(0);
            Map<String, JobStatus> ended = await(backend, List.of(ok, failed), s -> s.state().isTerminal());
            assertEquals(JobState.COMPLETED, ended.get(ok).state(), ended.get(ok).toString());
            assertEquals(JobState.FAILED, ended.get(failed).state(), ended.get(failed).toString());
            assertEquals(3, ended.get(failed).exitCode().orElse(-1), ended.get(failed).toString());
            Map<String, JobStatus> again = await(backend, List.of(ok, failed), s -> true);
            assertEquals(JobState.COMPLETED, again.get(ok).state(), "an ended job stays ended");
            assertEquals(JobState.FAILED, again.get(failed).state());
        }
    }

    @Test
    void cancelEndsARunningJobAndIgnoresFinishedOnes() throws Exception {
        try (ClusterBackend backend = newBackend(tag())) {
            String id = backend.submit(shell("jg-contract-cancel", "sleep 240"), 1, 0).get(0);
            await(backend, List.of(id), s -> s.state() == JobState.RUNNING);
            backend.cancel(List.of(id));
            assertEquals(JobState.CANCELLED, await(backend, List.of(id), s -> s.state().isTerminal()).get(id).state());
            backend.cancel(List.of(id)); // a finished id is ignored
            assertEquals(JobState.CANCELLED, await(backend, List.of(id), s -> true).get(id).state());
        }
    }

    /** The rule that a restarted host finds its queue: also a job that the earlier backend never polled. */
    @Test
    void aBackendWithTheSameTagShowsTheJobsOfAnEarlierOne() throws Exception {
        assumeTrue(adoptsEarlierJobs(), "this backend ends an earlier process's jobs instead of adopting them");
        String tag = tag();
        try (ClusterBackend first = newBackend(tag)) {
            String id = first.submit(shell("jg-contract-adopt", "sleep 240"), 1, 0).get(0);
            try (ClusterBackend second = newBackend(tag)) {
                assertTrue(await(second, List.of(id), s -> !s.state().isTerminal()).containsKey(id),
                        "a restarted host finds the job it submitted");
                second.cancel(List.of(id));
                await(second, List.of(id), s -> s.state().isTerminal());
            }
        }
    }

    @Test
    void closeIsIdempotent() {
        ClusterBackend backend = newBackend(tag());
        backend.close();
        backend.close();
    }

    /** Reads a file a job wrote in the shared folder. */
    protected String read(Path file) throws IOException {
        return Files.readString(file);
    }
}
