package dev.juggler.slurm.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.juggler.UnavailableException;
import dev.juggler.cluster.ClusterBackend;
import dev.juggler.cluster.JobSpec;
import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import dev.juggler.slurm.CountingSsh;
import dev.juggler.slurm.RealSlurm;
import dev.juggler.slurm.ssh.ExecResult;
import dev.juggler.slurm.ssh.RemoteCommand;
import dev.juggler.slurm.ssh.SshClient;
import dev.juggler.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against the real single-node SLURM reached through the real sshd (see {@link RealSlurm}). */
class SlurmClusterBackendTest {

    static RealSlurm slurm;
    static CountingSsh ssh;
    static String out;

    @BeforeAll
    static void up() {
        slurm = RealSlurm.require();
        ssh = new CountingSsh(SshClient.open(slurm.ssh().build()));
        out = slurm.workdir + "/out/" + UUID.randomUUID();
    }

    @AfterAll
    static void down() {
        if (ssh != null) {
            ssh.close();
        }
    }

    static SlurmClusterBackend.Builder backend() {
        return SlurmClusterBackend.builder(ssh).tag("t" + UUID.randomUUID().toString().substring(0, 8))
                .minPollInterval(Duration.ZERO).controllerCallsPerSecond(50)
                .retry(2, Duration.ofMillis(200)).breakerOpenDuration(Duration.ofSeconds(2)).outputDirectory(out)
                .cancelOnClose(true);
    }

    static JobSpec.Builder spec(String name, String... command) {
        JobSpec.Builder b = JobSpec.builder(name, List.of(command)).timeLimit(Duration.ofMinutes(5));
        if (slurm.partition != null) {
            b.partition(slurm.partition);
        }
        return b;
    }

    static Map<String, JobStatus> await(ClusterBackend backend, List<String> ids, Predicate<JobStatus> done,
            Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        Map<String, JobStatus> last = Map.of();
        while (System.nanoTime() < end) {
            last = backend.status().stream().filter(s -> ids.contains(s.jobId()))
                    .collect(Collectors.toMap(JobStatus::jobId, s -> s, (a, b) -> b));
            if (last.size() == ids.size() && last.values().stream().allMatch(done)) {
                return last;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("jobs did not reach the expected state in " + limit + ": " + last);
    }

    String cat(String path) {
        ExecResult r = ssh.exec(RemoteCommand.of("cat", "--", path));
        assertEquals(0, r.exitCode(), r.err());
        return r.out();
    }

    @Test
    void singleJobGetsItsIdDeadlineEnvironmentGpuAndExactArguments() throws Exception {
        try (SlurmClusterBackend backend = backend().build()) {
            String file = out + "/single-" + UUID.randomUUID() + ".txt";
            String hostile = "a b'c\"$(touch " + out + "/MARKER)`x`;\n-é日";
            long before = System.currentTimeMillis();
            JobSpec spec = spec("jg-single", "sh", "-c",
                    "printf '%s|%s|%s|%s|%s' \"$JUGGLER_JOB_ID\" \"$JUGGLER_JOB_DEADLINE_MS\" \"$CUDA_VISIBLE_DEVICES\" \"$SECRET_ISH\" \"$2\" > \"$1\"",
                    "sh", file, hostile)
                    .gpus(1).cpus(1).memoryMegabytes(100).environment("SECRET_ISH", "v a'l$ue").build();
            List<String> ids = backend.submit(spec, 1, 0);
            assertEquals(1, ids.size());
            JobStatus s = await(backend, ids, st -> st.state().isTerminal(), Duration.ofSeconds(60)).get(ids.get(0));
            assertEquals(JobState.COMPLETED, s.state(), s.toString());
            assertEquals(0, s.exitCode().orElse(-1));
            String[] f = cat(file).split("\\|", -1);
            assertEquals(ids.get(0), f[0]);
            long deadline = Long.parseLong(f[1]);
            assertTrue(deadline >= before + 4 * 60_000 && deadline <= System.currentTimeMillis() + 5 * 60_000 + 5_000, f[1]);
            assertFalse(f[2].isEmpty(), "a --gres=gpu:1 job sees CUDA_VISIBLE_DEVICES");
            assertEquals("v a'l$ue", f[3]);
            assertEquals(hostile, f[4]);
            assertFalse(ssh.exec(RemoteCommand.of("test", "-e", out + "/MARKER")).ok(), "nothing unintended ran");
        }
    }

    @Test
    void secretsReachTheJobThroughAPrivateFileNeverThroughTheStoredScriptAndThePrologueRunsFirst() throws Exception {
        try (SlurmClusterBackend backend = backend().build()) {
            String file = out + "/secret-" + UUID.randomUUID() + ".txt";
            String secret = "pa'ss $(touch " + out + "/SECRET_MARKER) w\"rd";
            JobSpec spec = spec("jg-secret", "sh", "-c", "printf '%s|%s' \"$JUGGLER_LEDGER_PASSWORD\" \"$FROM_PROLOGUE\" > \"$1\"",
                    "sh", file).secretEnvironment("JUGGLER_LEDGER_PASSWORD", secret)
                    .prologue(List.of("FROM_PROLOGUE=loaded", "export FROM_PROLOGUE")).build();
            assertFalse(spec.toString().contains("pa'ss"), spec.toString());
            List<String> ids = backend.submit(spec, 1, 0);
            ExecResult stored = ssh.exec(RemoteCommand.of("scontrol", "write", "batch_script", ids.get(0), "-"));
            assertEquals(0, stored.exitCode(), stored.err());
            assertFalse(stored.out().contains("pa'ss"), "the stored job script holds no secret:\n" + stored.out());
            assertTrue(stored.out().contains(".juggler-secrets/"), stored.out());
            JobStatus s = await(backend, ids, st -> st.state().isTerminal(), Duration.ofSeconds(60)).get(ids.get(0));
            assertEquals(JobState.COMPLETED, s.state(), s.toString());
            assertEquals(secret + "|loaded", cat(file));
            ExecResult modes = ssh.exec(RemoteCommand.script("stat -c '%a' \"$1\"/.juggler-secrets \"$1\"/.juggler-secrets/*.env",
                    List.of(out)));
            assertEquals(0, modes.exitCode(), modes.err());
            for (String mode : modes.out().trim().split("\n")) {
                assertTrue(mode.equals("700") || mode.equals("600"), "only the user can read the secrets: " + modes.out());
            }
            assertFalse(ssh.exec(RemoteCommand.of("test", "-e", out + "/SECRET_MARKER")).ok(), "the secret never ran");
        }
    }

    @Test
    void aBackendWithoutATagIsRefusedBecauseARestartCouldNotFindItsJobs() {
        dev.juggler.InvalidConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.juggler.InvalidConfigException.class, () -> SlurmClusterBackend.builder(ssh).build());
        assertTrue(e.getMessage().contains("tag"), e.getMessage());
    }

    @Test
    void arrayWithCapFailingAndCancelledJobs() throws Exception {
        try (SlurmClusterBackend backend = backend().build()) {
            int sbatchBefore = ssh.count("sbatch");
            List<String> array = backend.submit(spec("jg-array", "sleep", "2").build(), 6, 2);
            assertEquals(1, ssh.count("sbatch") - sbatchBefore, "one array, one sbatch call");
            assertEquals(6, array.size());
            List<String> failing = backend.submit(spec("jg-fail", "sh", "-c", "exit 3").build(), 1, 0);
            List<String> victim = backend.submit(spec("jg-cancel", "sleep", "300").build(), 1, 0);
            int maxRunning = 0;
            long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            Map<String, JobStatus> byId = Map.of();
            boolean cancelled = false;
            while (System.nanoTime() < end) {
                Map<String, JobStatus> now = backend.status().stream().collect(Collectors.toMap(JobStatus::jobId, s -> s));
                byId = now;
                int running = (int) array.stream().filter(id -> byId0(now, id).state() == JobState.RUNNING).count();
                maxRunning = Math.max(maxRunning, running);
                if (!cancelled && byId0(byId, victim.get(0)).state() == JobState.RUNNING) {
                    backend.cancel(victim);
                    cancelled = true;
                }
                if (array.stream().allMatch(id -> byId0(now, id).state().isTerminal())
                        && byId0(byId, failing.get(0)).state().isTerminal()
                        && byId0(byId, victim.get(0)).state().isTerminal()) {
                    break;
                }
                Thread.sleep(250);
            }
            assertTrue(maxRunning <= 2, "the array cap %2 held: " + maxRunning);
            for (String id : array) {
                assertEquals(JobState.COMPLETED, byId0(byId, id).state(), id + " " + byId0(byId, id));
            }
            JobStatus f = byId0(byId, failing.get(0));
            assertEquals(JobState.FAILED, f.state(), f.toString());
            assertEquals(3, f.exitCode().orElse(-1), f.toString());
            assertEquals("FAILED", f.nativeState());
            JobStatus c = byId0(byId, victim.get(0));
            assertEquals(JobState.CANCELLED, c.state(), c.toString());
            backend.cancel(List.of("999999", failing.get(0))); // unknown and finished ids are ignored
        }
    }

    private static JobStatus byId0(Map<String, JobStatus> m, String id) {
        JobStatus s = m.get(id);
        return s != null ? s : new JobStatus(id, "?", JobState.PENDING, "?", java.util.Optional.empty(),
                java.util.OptionalInt.empty());
    }

    @Test
    void twoHundredJobsOneSqueueCallAndSacctForVanishedOnes() throws Exception {
        try (SlurmClusterBackend backend = backend().build()) {
            List<String> ids = backend.submit(spec("jg-many", "true").build(), 200, 0);
            assertEquals(200, ids.size());
            int before = ssh.controllerCalls();
            List<JobStatus> all = backend.status();
            assertEquals(1, ssh.controllerCalls() - before, "one controller call per poll");
            assertEquals(200, all.stream().filter(s -> ids.contains(s.jobId())).count());
            // A second backend with the same tag (a restarted juggler) adopts the jobs from squeue.
            SlurmClusterBackend adopting = backend().tag(backend.tag()).build();
            assertEquals(200, adopting.status().stream().filter(s -> ids.contains(s.jobId())).count(),
                    "a backend with the same tag adopts the jobs");
            backend.cancel(ids); // no need to wait for 200 jobs on an 8-CPU node: cancelled is final too
            await(backend, ids, s -> s.state().isTerminal(), Duration.ofSeconds(60));
            // squeue forgets finished jobs after MinJobAge; pretend it did: sacct must tell the final state.
            ssh.tamper = (cmd, r) -> cmd.argv().get(0).equals("squeue") && cmd.argv().contains("-r")
                    ? new ExecResult(0, new byte[0], new byte[0], r.elapsed()) : r;
            try {
                int sacctBefore = ssh.count("sacct");
                Map<String, JobStatus> after = adopting.status().stream()
                        .collect(Collectors.toMap(JobStatus::jobId, s -> s));
                assertEquals(1, ssh.count("sacct") - sacctBefore, "vanished jobs: one sacct call");
                // The last task never started: sacct keeps it in one record for the array's unstarted tasks, as
                // "12_[40-199]", or as the bare array id "12" when none had started. (A task that ran may be missing
                // from sacct for a while on a busy node: slurmdbd records asynchronously; those are GONE, as they should be.)
                JobStatus last = after.get(ids.get(199));
                assertEquals(JobState.CANCELLED, last.state(), "sacct knows the final state of a task that never started: " + last);
                assertTrue(adopting.status().stream().noneMatch(s -> ids.contains(s.jobId())), "final states are reported once");
            } finally {
                ssh.tamper = (cmd, r) -> r;
            }
        }
    }

    @Test
    void ambiguousSbatchFailureIsNotSubmittedTwice() throws Exception {
        try (SlurmClusterBackend backend = backend().build()) {
            boolean[] first = {true};
            ssh.tamper = (cmd, r) -> {
                if (cmd.argv().get(0).equals("sbatch") && first[0]) {
                    first[0] = false;
                    // The job was submitted, but the answer is "lost".
                    throw new UnavailableException("simulated connection loss after sbatch ran", null, null);
                }
                return r;
            };
            List<String> ids;
            try {
                ids = backend.submit(spec("jg-once", "true").build(), 1, 0);
            } finally {
                ssh.tamper = (cmd, r) -> r;
            }
            List<JobStatus> mine = backend.status();
            assertEquals(1, mine.size(), "exactly one job with this backend's tag: " + mine);
            assertEquals(ids.get(0), mine.get(0).jobId());
        }
    }

    @Test
    void controllerOutageOpensTheBreakerAndRecoversWithoutDuplicates() throws Exception {
        assumeTrue(slurm.control != null, "JUGGLER_SLURM_CONTROL unset: cannot stop slurmctld");
        MutableClock clock = MutableClock.startingAt2024(); // the breaker's open time passes when the test says so
        try (SlurmClusterBackend backend = backend().clock(clock).build()) {
            List<String> ids = backend.submit(spec("jg-outage", "sleep", "1").build(), 3, 0);
            assertEquals(0, ssh.exec(RemoteCommand.of(slurm.control, "ctld-stop").withTimeout(Duration.ofSeconds(60))).exitCode());
            try {
                UnavailableException e = assertThrows(UnavailableException.class, backend::status);
                assertTrue(e.since().isPresent(), e.getMessage());
                assertThrows(UnavailableException.class, backend::status);
                assertEquals("OPEN", backend.breakerState());
                long t0 = System.nanoTime();
                UnavailableException fast = assertThrows(UnavailableException.class,
                        () -> backend.submit(spec("jg-outage2", "true").build(), 1, 0));
                assertTrue(System.nanoTime() - t0 < Duration.ofMillis(500).toNanos(), "fails fast while open");
                assertTrue(fast.getMessage().contains("unavailable since"), fast.getMessage());
            } finally {
                assertEquals(0, ssh.exec(RemoteCommand.of(slurm.control, "ctld-start").withTimeout(Duration.ofSeconds(60))).exitCode());
            }
            Map<String, JobStatus> done = Map.of();
            long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < end) {
                // Past breakerOpenDuration (2 s) by the clock before each try: a trial call while slurmctld
                // is still starting opens the breaker again, and the next try gets another trial.
                clock.advance(Duration.ofSeconds(3));
                try {
                    done = backend.status().stream().filter(s -> ids.contains(s.jobId()))
                            .collect(Collectors.toMap(JobStatus::jobId, s -> s, (a, b) -> b));
                    if (done.size() == ids.size() && done.values().stream().allMatch(s -> s.state().isTerminal())) {
                        break;
                    }
                } catch (UnavailableException stillStarting) {
                    // the controller is not back yet
                }
                Thread.sleep(300); // real jobs on the real controller: nothing to wait on but time
            }
            assertEquals(3, done.size(), "all jobs ended after the outage: " + done);
            assertTrue(done.values().stream().allMatch(s -> s.state().isTerminal()), done.toString());
            assertEquals("CLOSED", backend.breakerState());
            assertTrue(backend.unavailableSince().isEmpty());
            assertEquals(3, backend.status().size(), "nothing was submitted twice");
        }
    }

    @Test
    void timeLimitEndsAsTimeout() throws Exception {
        assumeTrue(RealSlurm.slow(), "slow (~80 s): runs when CI=true or with -Djuggler.slurm.slow=true");
        try (SlurmClusterBackend backend = backend().build()) {
            List<String> ids = backend.submit(spec("jg-timeout", "sleep", "600").timeLimit(Duration.ofMinutes(1)).build(), 1, 0);
            JobStatus s = await(backend, ids, st -> st.state().isTerminal(), Duration.ofSeconds(150)).get(ids.get(0));
            assertEquals(JobState.TIMEOUT, s.state(), s.toString());
        }
    }

    @Test
    void rejectedSubmissionIsPermanentAndDoesNotOpenTheBreaker() {
        try (SlurmClusterBackend backend = backend().build()) {
            JobSpec bad = JobSpec.builder("jg-bad", List.of("true")).partition("no-such-partition").build();
            for (int i = 0; i < 3; i++) {
                dev.juggler.JugglerException e = assertThrows(dev.juggler.JugglerException.class, () -> backend.submit(bad, 1, 0));
                assertFalse(e.isTransient(), e.getMessage());
            }
            assertEquals("CLOSED", backend.breakerState());
        }
    }

    static List<String> list(String... s) {
        return new ArrayList<>(List.of(s));
    }

    static Path p(String s) {
        return Path.of(s);
    }
}
