package dev.juggler.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.testing.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

@DisabledOnOs(value = OS.WINDOWS, disabledReason = "the jobs are /bin/sh scripts and the test relies on POSIX signals")
class LocalClusterBackendTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final List<LocalClusterBackend> backends = new ArrayList<>();

    @AfterEach
    void closeBackends() {
        backends.forEach(LocalClusterBackend::close);
    }

    private LocalClusterBackend backend(int slots) {
        return track(LocalClusterBackend.builder().slots(slots).outputDirectory(dir.resolve("out"))
                .killGracePeriod(Duration.ofMillis(300)).build());
    }

    private LocalClusterBackend track(LocalClusterBackend b) {
        backends.add(b);
        return b;
    }

    private JobSpec sh(String name, String script) {
        return JobSpec.builder(name, List.of("/bin/sh", "-c", script)).workingDirectory(dir).build();
    }

    private static String submitOne(ClusterBackend backend, JobSpec spec) {
        List<String> ids = backend.submit(spec, 1, 0);
        assertEquals(1, ids.size());
        return ids.get(0);
    }

    private static JobStatus statusOf(ClusterBackend backend, String id) {
        return backend.status().stream().filter(s -> s.jobId().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no status for " + id + " in " + backend.status()));
    }

    private static JobStatus await(ClusterBackend backend, String id, Predicate<JobStatus> condition, String what) {
        long end = System.nanoTime() + WAIT.toNanos();
        JobStatus last = null;
        while (System.nanoTime() < end) {
            last = statusOf(backend, id);
            if (condition.test(last)) {
                return last;
            }
            pause();
        }
        throw new AssertionError("job " + id + " did not become " + what + " within " + WAIT + "; last " + last);
    }

    private static JobStatus awaitState(ClusterBackend backend, String id, JobState state) {
        return await(backend, id, s -> s.state() == state, state.name());
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return;
            }
            pause();
        }
        throw new AssertionError("not within " + WAIT + ": " + what);
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static long readPid(Path file) {
        awaitTrue(() -> {
            try {
                return Files.exists(file) && Files.readString(file).trim().matches("\\d+");
            } catch (IOException e) {
                return false;
            }
        }, "pid file " + file);
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void completedJobHasExitZeroAndItsOutputInAnAbsoluteFile() throws IOException {
        LocalClusterBackend backend = backend(2);
        String id = submitOne(backend, sh("hello", "echo out; echo err >&2"));
        assertTrue(id.matches("local-\\d+"), id);

        JobStatus done = awaitState(backend, id, JobState.COMPLETED);
        assertEquals(0, done.exitCode().orElseThrow());
        assertEquals("exited", done.nativeState());
        assertEquals("hello", done.name());

        Path out = backend.outputFile(id).orElseThrow();
        assertTrue(out.isAbsolute(), out.toString());
        assertEquals(dir.resolve("out").resolve("hello-" + id + ".out"), out);
        List<String> lines = Files.readAllLines(out);
        assertTrue(lines.contains("out") && lines.contains("err"), "stdout and stderr in one file: " + lines);
    }

    @Test
    void prologueRunsFirstAndSecretsArriveInTheEnvironmentButNotTheCommandLine() throws IOException {
        LocalClusterBackend backend = backend(1);
        Path marker = dir.resolve("MARKER");
        String secret = "pw'$(touch " + marker + ")\"";
        JobSpec spec = JobSpec.builder("pro", List.of("sh", "-c", "printf '%s|%s|%s' \"$P\" \"$PW\" \"$1\"", "sh", "a b"))
                .prologue(List.of("P=from-prologue", "export P")).secretEnvironment("PW", secret).build();
        String id = submitOne(backend, spec);
        awaitState(backend, id, JobState.COMPLETED);
        assertEquals("from-prologue|" + secret + "|a b", Files.readString(backend.outputFile(id).orElseThrow()));
        assertFalse(Files.exists(marker), "the secret was data, not code");
        assertFalse(LocalLauncher.launchCommand(spec).toString().contains("pw'"), "no secret on the command line");
        assertFalse(spec.toString().contains("pw'"), spec.toString());

        String failing = submitOne(backend, spec.toBuilder().prologue(List.of("exit 9")).build());
        assertEquals(9, awaitState(backend, failing, JobState.FAILED).exitCode().orElseThrow(),
                "a failing prologue line ends the job with its status");
    }

    @Test
    void workersLeftRunningByABackendWhoseHostDiedAreEndedByTheNextOneButALiveBackendsAreNot() throws Exception {
        Path records = Files.createDirectories(dir.resolve("out").resolve(".juggler-local"));
        Process orphan = new ProcessBuilder("sleep", "300").start();
        Process othersWorker = new ProcessBuilder("sleep", "300").start();
        try {
            long self = ProcessHandle.current().pid();
            // A host that died (no process has this pid) left a worker running ...
            Files.writeString(records.resolve("999999999-local-1.pid"), "999999999 1 " + orphan.pid() + " "
                    + LocalJobRegistry.startMillis(orphan.toHandle()) + "\n");
            // ... while a backend that is alive (this JVM) owns another one; and a record of a worker long gone.
            Files.writeString(records.resolve(self + "-local-7.pid"), self + " "
                    + LocalJobRegistry.startMillis(ProcessHandle.current()) + " " + othersWorker.pid() + " "
                    + LocalJobRegistry.startMillis(othersWorker.toHandle()) + "\n");
            Files.writeString(records.resolve("999999998-local-2.pid"), "999999998 1 999999997 1\n");

            LocalClusterBackend backend = backend(1);
            assertTrue(orphan.waitFor(5, java.util.concurrent.TimeUnit.SECONDS), "the orphaned worker was ended");
            assertTrue(othersWorker.isAlive(), "a live backend's worker is left alone");
            assertFalse(Files.exists(records.resolve("999999999-local-1.pid")));
            assertFalse(Files.exists(records.resolve("999999998-local-2.pid")));
            assertTrue(Files.exists(records.resolve(self + "-local-7.pid")));

            // Its own jobs are recorded while they run and forgotten when they end.
            String id = submitOne(backend, sh("recorded", "sleep 1"));
            awaitState(backend, id, JobState.RUNNING);
            Path own = records.resolve(self + "-" + id + ".pid");
            awaitTrue(() -> Files.exists(own), "the running job is recorded");
            awaitState(backend, id, JobState.COMPLETED);
            awaitTrue(() -> !Files.exists(own), "the ended job's record is removed");
        } finally {
            orphan.destroyForcibly();
            othersWorker.destroyForcibly();
        }
    }

    @Test
    void idsAreMonotonic() {
        LocalClusterBackend backend = backend(4);
        List<String> ids = new ArrayList<>(backend.submit(sh("a", "true"), 3, 0));
        ids.addAll(backend.submit(sh("b", "true"), 2, 0));
        assertEquals(List.of("local-1", "local-2", "local-3", "local-4", "local-5"), ids);
    }

    @Test
    void nonZeroExitIsFailedWithItsCode() {
        LocalClusterBackend backend = backend(1);
        String id = submitOne(backend, sh("fails", "exit 3"));
        JobStatus failed = awaitState(backend, id, JobState.FAILED);
        assertEquals(3, failed.exitCode().orElseThrow());
        assertEquals("exited", failed.nativeState());
        assertTrue(failed.reason().orElseThrow().contains("3"), failed.toString());
    }

    @Test
    void processKilledFromOutsideIsFailedBySignal() {
        LocalClusterBackend backend = backend(1);
        Path pidFile = dir.resolve("pid");
        String id = submitOne(backend, sh("victim", "echo $$ > " + pidFile + "; exec sleep 30"));
        long pid = readPid(pidFile);
        awaitState(backend, id, JobState.RUNNING);

        assertTrue(ProcessHandle.of(pid).orElseThrow().destroyForcibly());

        JobStatus failed = awaitState(backend, id, JobState.FAILED);
        assertTrue(failed.reason().orElseThrow().contains("signal 9"), failed.toString());
        assertEquals("signaled", failed.nativeState());
        assertEquals(128 + 9, failed.exitCode().orElseThrow());
    }

    @Test
    void cancellingARunningJobEndsItAsCancelled() {
        LocalClusterBackend backend = backend(1);
        Path pidFile = dir.resolve("pid");
        String id = submitOne(backend, sh("long", "echo $$ > " + pidFile + "; exec sleep 30"));
        long pid = readPid(pidFile);

        backend.cancel(List.of(id, "local-999", "no-such-job"));

        JobStatus cancelled = awaitState(backend, id, JobState.CANCELLED);
        assertEquals("cancelled", cancelled.nativeState());
        awaitTrue(() -> !alive(pid), "process " + pid + " gone");
    }

    @Test
    void cancelEscalatesToSigkillWhenSigtermIsIgnored() {
        LocalClusterBackend backend = backend(1);
        Path pidFile = dir.resolve("pid");
        String id = submitOne(backend, sh("stubborn", "trap '' TERM; echo $$ > " + pidFile
                + "; while true; do sleep 0.05; done"));
        long pid = readPid(pidFile);

        backend.cancel(List.of(id));

        JobStatus cancelled = awaitState(backend, id, JobState.CANCELLED);
        assertEquals(128 + 9, cancelled.exitCode().orElseThrow(), "ended by the SIGKILL after the grace period");
        assertFalse(alive(pid));
    }

    @Test
    void cancellingAPendingJobNeverStartsIt() {
        LocalClusterBackend backend = backend(1);
        Path pidFile = dir.resolve("pid");
        Path marker = dir.resolve("second-started");
        String first = submitOne(backend, sh("first", "echo $$ > " + pidFile + "; exec sleep 30"));
        String second = submitOne(backend, sh("second", "touch " + marker));
        readPid(pidFile);
        assertEquals(JobState.PENDING, statusOf(backend, second).state());

        backend.cancel(List.of(second));
        JobStatus cancelled = statusOf(backend, second);
        assertEquals(JobState.CANCELLED, cancelled.state());
        assertTrue(cancelled.exitCode().isEmpty());

        // Free the slot: had the cancelled job stayed queued, it would start now.
        backend.cancel(List.of(first));
        awaitState(backend, first, JobState.CANCELLED);
        assertEquals(JobState.CANCELLED, statusOf(backend, second).state());
        assertFalse(Files.exists(marker), "the cancelled pending job must never run");
    }

    @Test
    void slotsLimitRunningJobsAndPendingOnesStartInOrder() throws IOException {
        LocalClusterBackend backend = backend(1);
        Path order = dir.resolve("order");
        Path release = dir.resolve("release");
        String script = "echo $" + ClusterBackend.JOB_ID_ENV + " >> " + order + "; while [ ! -e " + release
                + " ]; do sleep 0.02; done";
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(submitOne(backend, sh("slot" + i, script)));
        }
        awaitTrue(() -> Files.exists(order), "first job started");

        Map<JobState, List<String>> byState = backend.status().stream()
                .collect(Collectors.groupingBy(JobStatus::state, Collectors.mapping(JobStatus::jobId, Collectors.toList())));
        assertEquals(List.of(ids.get(0)), byState.get(JobState.RUNNING));
        assertEquals(List.of(ids.get(1), ids.get(2)), byState.get(JobState.PENDING));

        Files.createFile(release);
        for (String id : ids) {
            awaitState(backend, id, JobState.COMPLETED);
        }
        assertEquals(ids, Files.readAllLines(order), "FIFO start order");
    }

    @Test
    void maxConcurrentCapsOneArrayButNotOthers() throws IOException {
        LocalClusterBackend backend = backend(4);
        Path release = dir.resolve("release");
        String wait = "while [ ! -e " + release + " ]; do sleep 0.02; done";
        List<String> array = backend.submit(sh("array", wait), 3, 1);
        String single = submitOne(backend, sh("single", wait));

        awaitState(backend, single, JobState.RUNNING);
        List<JobStatus> arrayStatus = backend.status().stream().filter(s -> array.contains(s.jobId())).toList();
        assertEquals(1, arrayStatus.stream().filter(s -> s.state() == JobState.RUNNING).count(), arrayStatus.toString());
        assertEquals(2, arrayStatus.stream().filter(s -> s.state() == JobState.PENDING).count(), arrayStatus.toString());
        assertEquals(JobState.RUNNING, statusOf(backend, array.get(0)).state());
        assertTrue(statusOf(backend, array.get(2)).reason().orElseThrow().contains("maxConcurrent"));

        Files.createFile(release);
        for (String id : array) {
            awaitState(backend, id, JobState.COMPLETED);
        }
    }

    @Test
    void jobSeesItsIdDeadlineAndEnvironment() throws IOException {
        MutableClock clock = MutableClock.startingAt2024();
        LocalClusterBackend backend = track(LocalClusterBackend.builder().slots(1).clock(clock)
                .outputDirectory(dir.resolve("out")).build());
        JobSpec spec = JobSpec.builder("env", List.of("/bin/sh", "-c",
                "printf '%s|%s|%s' \"$JUGGLER_JOB_ID\" \"$JUGGLER_JOB_DEADLINE_MS\" \"$GREETING\""))
                .environment("GREETING", "hi there").timeLimit(Duration.ofMinutes(5)).build();
        String id = submitOne(backend, spec);
        awaitState(backend, id, JobState.COMPLETED);

        String out = Files.readString(backend.outputFile(id).orElseThrow(), StandardCharsets.UTF_8);
        long deadline = clock.millis() + Duration.ofMinutes(5).toMillis();
        assertEquals(id + "|" + deadline + "|hi there", out);
    }

    @Test
    void jobOverItsTimeLimitByTheClockEndsAsTimeout() {
        MutableClock clock = MutableClock.startingAt2024();
        LocalClusterBackend backend = track(LocalClusterBackend.builder().slots(1).clock(clock)
                .outputDirectory(dir.resolve("out")).killGracePeriod(Duration.ofMillis(300)).build());
        Path pidFile = dir.resolve("pid");
        JobSpec spec = JobSpec.builder("slow", List.of("/bin/sh", "-c",
                "trap '' TERM; echo $$ > " + pidFile + "; while true; do sleep 0.05; done"))
                .timeLimit(Duration.ofMinutes(1)).build();
        String id = submitOne(backend, spec);
        long pid = readPid(pidFile);

        clock.advance(Duration.ofSeconds(59));
        backend.checkDeadlines();
        assertEquals(JobState.RUNNING, statusOf(backend, id).state(), "not yet at its deadline");

        clock.advance(Duration.ofSeconds(2));
        backend.checkDeadlines();
        JobStatus timeout = awaitState(backend, id, JobState.TIMEOUT);
        assertEquals("timeout", timeout.nativeState());
        assertTrue(timeout.reason().orElseThrow().contains("PT1M"), timeout.toString());
        assertFalse(alive(pid), "SIGKILL followed the ignored SIGTERM");
    }

    @Test
    void closeKillsRunningJobsAndTheirChildrenAndCancelsPendingOnes() {
        LocalClusterBackend backend = backend(1);
        Path pidFile = dir.resolve("pid");
        Path childFile = dir.resolve("child");
        String running = submitOne(backend, sh("parent", "echo $$ > " + pidFile + "; sleep 30 & echo $! > "
                + childFile + "; wait"));
        String pending = submitOne(backend, sh("later", "true"));
        long pid = readPid(pidFile);
        long child = readPid(childFile);

        backend.close();
        backend.close(); // idempotent

        assertFalse(alive(pid), "job process killed");
        awaitTrue(() -> !alive(child), "child process " + child + " killed");
        assertEquals(JobState.CANCELLED, statusOf(backend, running).state());
        assertEquals(JobState.CANCELLED, statusOf(backend, pending).state());
        assertThrows(JugglerException.class, () -> backend.submit(sh("x", "true"), 1, 0));
    }

    @Test
    void closeWithoutCancelOnCloseLeavesJobsRunning() {
        LocalClusterBackend backend = track(LocalClusterBackend.builder().slots(1).cancelOnClose(false)
                .outputDirectory(dir.resolve("out")).build());
        Path pidFile = dir.resolve("pid");
        submitOne(backend, sh("survivor", "echo $$ > " + pidFile + "; exec sleep 30"));
        long pid = readPid(pidFile);
        try {
            backend.close();
            assertTrue(alive(pid), "cancelOnClose(false) leaves the job alone");
        } finally {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void programThatCannotStartIsFailed() {
        LocalClusterBackend backend = backend(1);
        String id = submitOne(backend, JobSpec.builder("missing", List.of(dir.resolve("no-such-program").toString()))
                .build());
        JobStatus failed = awaitState(backend, id, JobState.FAILED);
        assertEquals("not-started", failed.nativeState());
        // The slot is free again.
        String next = submitOne(backend, sh("next", "true"));
        awaitState(backend, next, JobState.COMPLETED);
    }

    @Test
    void builderNamesTheBadField() {
        InvalidConfigException slots = assertThrows(InvalidConfigException.class,
                () -> LocalClusterBackend.builder().slots(0));
        assertTrue(slots.getMessage().startsWith("slots = 0"), slots.getMessage());
        InvalidConfigException out = assertThrows(InvalidConfigException.class,
                () -> LocalClusterBackend.builder().outputDirectory(Path.of("relative")));
        assertTrue(out.getMessage().contains("outputDirectory"), out.getMessage());
        assertThrows(InvalidConfigException.class,
                () -> LocalClusterBackend.builder().killGracePeriod(Duration.ofSeconds(-1)));
        LocalClusterBackend backend = backend(1);
        assertThrows(InvalidConfigException.class, () -> backend.submit(sh("x", "true"), 0, 0));
        assertThrows(InvalidConfigException.class, () -> backend.submit(sh("x", "true"), 1, -1));
    }

    @Test
    void aJobsDirectoriesArePathsOnTheMachineThatRunsIt() {
        JobSpec spec = JobSpec.builder("w", List.of("true")).outputDirectory("/scratch/u1/juggler out")
                .workingDirectory(Path.of("/tmp")).build();
        assertEquals(Optional.of("/scratch/u1/juggler out"), spec.outputDirectory(), "kept as written, not resolved here");
        assertEquals(Optional.of("/tmp"), spec.workingDirectory());
        for (String bad : List.of("relative/out", "", "/a\nb")) {
            InvalidConfigException e = assertThrows(InvalidConfigException.class,
                    () -> JobSpec.builder("w", List.of("true")).outputDirectory(bad));
            assertTrue(e.getMessage().contains("outputDirectory"), e.getMessage());
        }
    }
}
