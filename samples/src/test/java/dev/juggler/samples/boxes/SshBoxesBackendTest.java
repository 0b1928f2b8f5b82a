package dev.juggler.samples.boxes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import dev.juggler.cluster.JobSpec;
import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the contract cannot cause portably, on the local sshd as boxes: hostile names and arguments arrive
 * byte-exact, each slot gets its own GPU, secrets reach the job but not its script, a job whose directory
 * vanishes is GONE exactly once, and the time limit is enforced.
 */
class SshBoxesBackendTest {

    static TestBoxes boxes;

    @BeforeAll
    static void up() {
        boxes = TestBoxes.require();
    }

    @AfterAll
    static void down() throws Exception {
        if (boxes != null) {
            SshBoxesBackendContractTest.deleteTree(Path.of(boxes.root));
        }
    }

    private SshBoxesBackend backend(String tag, int slots) {
        return SshBoxesBackend.builder().tag(tag).box(new Box("gpu1", boxes.ssh(), slots, boxes.root + "/" + tag))
                .cancelOnClose(true).build();
    }

    private static Map<String, JobStatus> await(SshBoxesBackend backend, List<String> ids, Predicate<JobStatus> done)
            throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        Map<String, JobStatus> last = Map.of();
        while (System.nanoTime() < end) {
            last = backend.status().stream().filter(s -> ids.contains(s.jobId()))
                    .collect(Collectors.toMap(JobStatus::jobId, s -> s, (a, b) -> b));
            if (last.size() == ids.size() && last.values().stream().allMatch(done)) {
                return last;
            }
            Thread.sleep(250); // real processes on a real box: nothing to wait on but time
        }
        throw new AssertionError("jobs " + ids + " did not get there: " + last);
    }

    @Test
    void hostileArgumentsArriveByteExactEachSlotGetsItsGpuAndSecretsStayOutOfTheScript() throws Exception {
        Path dir = Files.createDirectories(boxes.shared().resolve("hostile"));
        String hostile = "it's $(touch " + dir + "/pwned) `id` \"q\" ; rm -rf / * \\ \n€ -x";
        try (SshBoxesBackend backend = backend("hostile", 2)) {
            JobSpec spec = JobSpec.builder("jg-hostile.name", List.of("sh", "-c",
                    "printf '%s' \"$2\" > \"$1/arg-$JUGGLER_JOB_ID\"; printf '%s|%s|%s' \"$CUDA_VISIBLE_DEVICES\" \"$PLAIN\" "
                            + "\"$SECRET\" > \"$1/env-$JUGGLER_JOB_ID\"", "sh", dir.toString(), hostile))
                    .environment("PLAIN", hostile).secretEnvironment("SECRET", "s3cr3t'$x").gpus(1).build();
            List<String> ids = backend.submit(spec, 2, 0);
            Map<String, JobStatus> ended = await(backend, ids, s -> s.state().isTerminal());
            java.util.Set<String> gpus = new java.util.HashSet<>();
            for (String id : ids) {
                assertEquals(JobState.COMPLETED, ended.get(id).state(), ended.get(id).toString());
                assertEquals(hostile, Files.readString(dir.resolve("arg-" + id)));
                String[] env = Files.readString(dir.resolve("env-" + id)).split("\\|", -1);
                gpus.add(env[0]);
                assertEquals(hostile, env[1]);
                assertEquals("s3cr3t'$x", env[2]);
                Path jobDir = Path.of(boxes.root, "hostile", "hostile", id);
                assertFalse(Files.readString(jobDir.resolve("job.sh")).contains("s3cr3t"), "the secret is not in the script");
                assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(jobDir.resolve("secrets.env"))));
            }
            assertEquals(java.util.Set.of("0", "1"), gpus, "two slots, two GPUs");
            assertFalse(Files.exists(dir.resolve("pwned")), "nothing in an argument ran");
        }
    }

    @Test
    void aJobWhoseDirectoryVanishesIsGoneExactlyOnce() throws Exception {
        try (SshBoxesBackend backend = backend("vanish", 1)) {
            String id = backend.submit(JobSpec.builder("jg-vanish", List.of("sleep", "240")).build(), 1, 0).get(0);
            await(backend, List.of(id), s -> s.state() == JobState.RUNNING);
            Path jobDir = Path.of(boxes.root, "vanish", "vanish", id);
            long pid = Long.parseLong(Files.readString(jobDir.resolve("pid")).trim());
            // The box was wiped: the directory goes; the process group too (a reboot).
            long watchdog = Long.parseLong(Files.readString(jobDir.resolve("watchdog")).trim());
            assertEquals(0, new ProcessBuilder("kill", "-s", "KILL", "--", "-" + pid, "-" + watchdog).start().waitFor());
            SshBoxesBackendContractTest.deleteTree(jobDir);
            List<JobStatus> first = backend.status().stream().filter(s -> s.jobId().equals(id)).toList();
            assertEquals(1, first.size(), first.toString());
            assertEquals(JobState.GONE, first.get(0).state(), first.toString());
            assertTrue(backend.status().stream().noneMatch(s -> s.jobId().equals(id)), "GONE is reported once");
        }
    }

    @Test
    void aQueuedJobCancelledBeforeItStartsIsCancelledAndIdsOfOtherBackendsAreRefused() throws Exception {
        try (SshBoxesBackend backend = backend("queue", 1)) {
            List<String> ids = backend.submit(JobSpec.builder("jg-queue", List.of("sleep", "240")).build(), 2, 0);
            JobStatus queued = backend.status().stream().filter(s -> s.jobId().equals(ids.get(1))).findFirst().orElseThrow();
            assertEquals(JobState.PENDING, queued.state(), "one slot: the second job waits");
            backend.cancel(ids);
            Map<String, JobStatus> ended = await(backend, List.of(ids.get(0)), s -> s.state().isTerminal());
            assertEquals(JobState.CANCELLED, ended.get(ids.get(0)).state());
            assertThrows(InvalidConfigException.class, () -> backend.cancel(List.of("12345; rm -rf /")));
        }
    }

    @Test
    void twoHostsSharingABoxNeverStartTwoJobsOnOneSlot() throws Exception {
        Box shared = new Box("gpu1", boxes.ssh(), 1, boxes.root + "/shared-box");
        try (SshBoxesBackend first = SshBoxesBackend.builder().tag("first").box(shared).cancelOnClose(true).build();
                SshBoxesBackend second = SshBoxesBackend.builder().tag("second").box(shared).cancelOnClose(true).build()) {
            assertTrue(second.status().isEmpty(), "the second host reads the box while it is still free");
            String a = first.submit(JobSpec.builder("jg-first", List.of("sleep", "240")).build(), 1, 0).get(0);
            assertEquals(JobState.RUNNING, await(first, List.of(a), s -> true).get(a).state());
            // The second host's last read says the slot is free; the box's lock and check say otherwise.
            String b = second.submit(JobSpec.builder("jg-second", List.of("sleep", "240")).build(), 1, 0).get(0);
            JobStatus waiting = second.status().stream().filter(s -> s.jobId().equals(b)).findFirst().orElseThrow();
            assertEquals(JobState.PENDING, waiting.state(), waiting.toString());
            first.cancel(List.of(a));
            assertEquals(JobState.RUNNING, await(second, List.of(b), s -> s.state() == JobState.RUNNING).get(b).state(),
                    "the queued job starts once the slot is free");
            second.cancel(List.of(b));
            await(second, List.of(b), s -> s.state().isTerminal());
        }
    }

    @Test
    void theTimeLimitIsEnforced() throws Exception {
        try (SshBoxesBackend backend = backend("limit", 1)) {
            String id = backend.submit(JobSpec.builder("jg-limit", List.of("sleep", "600")).timeLimit(Duration.ofMinutes(1))
                    .build(), 1, 0).get(0);
            JobStatus end = await(backend, List.of(id), s -> s.state().isTerminal()).get(id);
            assertEquals(JobState.TIMEOUT, end.state(), end.toString());
        }
    }
}
