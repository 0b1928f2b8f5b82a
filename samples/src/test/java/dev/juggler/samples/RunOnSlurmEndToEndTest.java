package dev.juggler.samples;

import static dev.juggler.samples.TestServers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.video.SyntheticVideo;
import dev.juggler.jdbc.JdbcLedger;
import dev.juggler.ledger.ChunkQuery;
import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.ChunkView;
import dev.juggler.ledger.Progress;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.TestServers.CliRun;
import dev.juggler.samples.TestServers.Env;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code juggler register} and {@code juggler run --config} against the real single-node SLURM (over the
 * real sshd on 127.0.0.1), the real PostgreSQL and an SFTP workspace, as a user runs them: good videos,
 * a hostile name, a file that is no video, a video larger than the whole workspace budget and a corpus
 * over three times the budget. {@code juggler run} is killed with SIGKILL mid-run and started again.
 * The cluster's files are on this machine, so the test samples the workspace and the queue directly.
 */
class RunOnSlurmEndToEndTest {

    private static final int CAP = 2;

    @TempDir
    Path dir;

    @Test
    void aWholeRunFromOneConfigSurvivesAKilledJugglerAndKeepsEveryPromise() throws Exception {
        Env env = Env.require();
        String id = UUID.randomUUID().toString().substring(0, 8);
        Path videos = Files.createDirectories(dir.resolve("videos"));
        String markerName = "MARKER-" + id;
        List<Path> good = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String name = i == 2 ? "clip 2 '$(touch " + markerName + ")\" <b>.mp4" : "FRA1" + i + "_B1_20110215T140" + i + ".mp4";
            Path plain = SyntheticVideo.write(videos.resolve("plain-" + i + ".mp4"), 320, 240, 150, 25);
            good.add(Files.move(plain, videos.resolve(name)));
        }
        long largest = 0;
        for (Path p : good) {
            largest = Math.max(largest, Files.size(p));
        }
        long budget = largest * 3 / 2;
        Path huge = SyntheticVideo.write(videos.resolve("huge.mp4"), 320, 240, 600, 25);
        assertTrue(Files.size(huge) > budget, "the huge video must not fit the budget");
        Files.writeString(videos.resolve("notes.mp4"), "not a video\n");
        // Damaged: cut in transfer behind an intact index (MP4 faststart), so only its head can be read.
        byte[] whole = Files.readAllBytes(SyntheticVideo.builder().size(320, 240).frames(150).fastStart(true)
                .write(dir.resolve("whole.mp4")));
        Files.write(videos.resolve("cut.mp4"), java.util.Arrays.copyOf(whole, whole.length / 2));
        long corpus = 0;
        for (Path p : good) {
            corpus += Files.size(p);
        }
        assertTrue(corpus >= 3 * budget, "the corpus is over three times the workspace budget");

        String workspace = env.workdir() + "/e2e-ws-" + id;
        String jobs = env.workdir() + "/e2e-jobs-" + id;
        String prefix = "e2e" + id.substring(0, 6) + "_";
        Path config = dir.resolve("juggler.yaml");
        Files.writeString(config, String.join("\n",
                "ledger:",
                "  url: " + env.pgUrl(),
                "  user: " + env.pgUser(),
                "  passwordEnv: JUGGLER_PG_PASSWORD",
                "  tablePrefix: " + prefix,
                "cluster:",
                "  type: slurm",
                "  ssh: " + env.sshYaml(env.knownHosts()),
                env.partitionLine(),
                "  timeLimit: 10m",
                "  outputDirectory: " + jobs,
                "  tag: e2e-" + id,
                "  minPollInterval: 1s",
                "  prologue: ['test -x \"$JAVA_HOME_FOR_TEST\" || true']",
                "workspace: {type: sftp, directory: " + workspace + ", budget: " + budget + "}",
                "worker:",
                "  analysis: marker-pose",
                "  java: " + Env.java(),
                "  jvmOptions: [-Xmx256m, -XX:+UseSerialGC, -XX:TieredStopAtLevel=1]",
                "  initialChunk: 50",
                "  lease: 1m",
                "  safetyMargin: 10s",
                "  framesPerWorker: 150",
                "juggler: {maxQueuedJobs: " + CAP + ", maxActiveJobs: 4, pollInterval: 2s}",
                "videos:",
                "  - folder: " + videos,
                ""));

        assertEquals(JugglerCli.OK, cli("config", "check", "--config", config.toString()).code());
        CliRun registered = cli("register", "--config", config.toString());
        assertEquals(JugglerCli.OK, registered.code(), registered.out());
        assertTrue(registered.out().contains("7 new") && registered.out().contains("notes.mp4"), registered.out());
        java.util.regex.Matcher cutAt = java.util.regex.Pattern.compile("cut\\.mp4: the container declares 150 frames but frame"
                + " (\\d+) ").matcher(registered.out());
        assertTrue(cutAt.find(), "register names the cut file at once: " + registered.out());
        long readable = Long.parseLong(cutAt.group(1));

        double wallSeconds;
        int jobRecords;
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicLong maxWorkspace = new AtomicLong();
        AtomicInteger maxPending = new AtomicInteger();
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                maxWorkspace.accumulateAndGet(directoryBytes(Path.of(workspace)), Math::max);
                maxPending.accumulateAndGet(pendingJobs("e2e-" + id), Math::max);
                sleep(150);
            }
        });
        sampler.start();
        try {
            // The first juggler is killed with SIGKILL once work is under way; the second finishes the run.
            long started = System.nanoTime();
            Process first = juggler(config, dir.resolve("run1.log"));
            try (WorkLedger ledger = ledger(env, prefix)) {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (ledger.reader().progress().frames().doneFrames() == 0 && first.isAlive() && System.nanoTime() < until) {
                    sleep(200);
                }
            }
            assertTrue(first.isAlive(), "the first juggler ended early:\n" + Files.readString(dir.resolve("run1.log")));
            first.destroyForcibly().waitFor();
            Process second = juggler(config, dir.resolve("run2.log"));
            assertTrue(second.waitFor(6, TimeUnit.MINUTES), "the second juggler did not finish:\n"
                    + Files.readString(dir.resolve("run2.log")));
            assertEquals(0, second.exitValue(), Files.readString(dir.resolve("run2.log")));
            wallSeconds = (System.nanoTime() - started) / 1e9;
        } finally {
            sampling.set(false);
            sampler.join();
        }

        String log = Files.readString(dir.resolve("run2.log"));
        try (WorkLedger ledger = ledger(env, prefix)) {
            Progress progress = ledger.reader().progress();
            List<ChunkView> failed = ledger.reader().chunks(ChunkQuery.inState(ChunkState.FAILED, 100));
            ChunkView cutTail = failed.stream().filter(c -> c.videoId().equals("cut.mp4")).findFirst()
                    .orElseThrow(() -> new AssertionError("the cut file's tail failed: " + failed));
            long cutDone = cutTail.range().from();
            assertTrue(Math.abs(cutDone - readable) <= 2 && cutTail.range().to() == 150,
                    "exactly the unreadable tail fails (" + cutTail + ", register said " + readable + ")");
            assertEquals(5 * 150 + cutDone, progress.frames().doneFrames(), "every good frame is done once:\n" + log);
            // The job records: every job once, each settled, and together they did every frame.
            List<dev.juggler.ledger.JobRecord> records = ledger.reader().jobs(dev.juggler.ledger.JobQuery.firstPage(100)
                    .ofRun("e2e-" + id));
            assertEquals(records.size(), records.stream().map(dev.juggler.ledger.JobRecord::jobId).distinct().count(),
                    "no job recorded twice: " + records);
            assertTrue(records.stream().allMatch(dev.juggler.ledger.JobRecord::settled), records.toString());
            assertEquals(5 * 150 + cutDone, records.stream().mapToLong(dev.juggler.ledger.JobRecord::framesDone).sum(),
                    records.toString());
            jobRecords = records.size();
            assertEquals(600 + (150 - cutDone), progress.frames().failedFrames(), "failures are exactly the damaged part and"
                    + " the set-aside video");
            assertEquals(2, failed.size(), failed.toString());
            ChunkView aside = failed.stream().filter(c -> c.videoId().equals("huge.mp4")).findFirst().orElseThrow();
            assertTrue(aside.failureReason().orElse("").startsWith("set aside: "), failed.toString());
        }
        assertTrue(log.contains("huge.mp4 set aside") || Files.readString(dir.resolve("run1.log")).contains("huge.mp4 set aside"),
                "the set-aside video is reported:\n" + log);
        assertTrue(maxWorkspace.get() <= budget, "workspace " + maxWorkspace.get() + " > budget " + budget);
        assertTrue(maxPending.get() <= CAP, "pending jobs " + maxPending.get() + " > cap " + CAP);
        assertEquals(0, directoryBytes(Path.of(workspace)), "every video is purged at the end");
        for (String where : List.of(dir.toString(), jobs, workspace, System.getProperty("user.home"),
                System.getProperty("user.dir"), env.workdir())) {
            assertFalse(Files.exists(Path.of(where, markerName)), "the hostile name never ran (" + where + ")");
        }
        int idle = 0;
        int workers = 0;
        try (Stream<Path> outputs = Files.list(Path.of(jobs))) {
            for (Path out : outputs.filter(p -> p.toString().endsWith(".out")).toList()) {
                String text = Files.readString(out);
                workers++;
                if (text.contains("worker done: 0 frames")) {
                    idle++;
                }
                assertFalse(text.contains(env.password()), "no secret in job output");
            }
        }
        assertTrue(idle <= 2, idle + " of " + workers + " workers did no frame (one per juggler start at most)");
        assertEquals(workers, jobRecords, "one record per job that ran, none submitted twice");
        String scripts = runLocal("sh", "-c", "for j in $(squeue -h --states=all -o %A --me); do scontrol write batch_script $j - "
                + "2>/dev/null; done");
        assertFalse(scripts.contains(env.password()), "no secret in any stored job script");
        System.out.printf(java.util.Locale.ROOT, "e2e: wall %.1f s (two juggler starts), %.1f frames/s, %d workers, %d did"
                + " nothing, max workspace %d of %d bytes, max pending %d, job end to next submission: %s%n", wallSeconds,
                (5 * 150 + readable) / wallSeconds, workers, idle, maxWorkspace.get(), budget, maxPending.get(), endToNextSubmission("e2e-" + id));
    }

    @Test
    void aRunDrivenOnlyByRunOnceInALoopFinishesWithinTheCap() throws Exception {
        Env env = Env.require();
        String id = UUID.randomUUID().toString().substring(0, 8);
        Path videos = Files.createDirectories(dir.resolve("videos"));
        for (int i = 0; i < 3; i++) {
            SyntheticVideo.write(videos.resolve("cron-" + i + ".mp4"), 320, 240, 120, 25);
        }
        String prefix = "cron" + id.substring(0, 6) + "_";
        String workspace = env.workdir() + "/cron-ws-" + id;
        Path config = dir.resolve("cron.yaml");
        Files.writeString(config, String.join("\n",
                env.ledgerAndSlurm(prefix, "cron-" + id, env.workdir() + "/cron-jobs-" + id),
                "workspace: {type: sftp, directory: " + workspace + ", budget: 100MB}",
                "worker: {analysis: marker-pose, java: " + Env.java()
                        + ", jvmOptions: [-Xmx256m, -XX:TieredStopAtLevel=1], initialChunk: 60, framesPerWorker: 120,"
                        + " safetyMargin: 10s}",
                "juggler: {maxQueuedJobs: " + CAP + ", pollInterval: 1s}",
                "videos: [{folder: " + videos + "}]",
                ""));
        assertEquals(JugglerCli.OK, cli("register", "--config", config.toString()).code());
        int runs = 0;
        int maxPending = 0;
        long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        try (WorkLedger ledger = ledger(env, prefix)) {
            while (System.nanoTime() < until) {
                CliRun once = cli("run", "--once", "--config", config.toString());
                runs++;
                assertEquals(JugglerCli.OK, once.code(), once.out());
                maxPending = Math.max(maxPending, pendingJobs("cron-" + id));
                Progress progress = ledger.reader().progress();
                if (progress.frames().doneFrames() == 3 * 120 && pendingJobs("cron-" + id) == 0
                        && directoryBytes(Path.of(workspace)) == 0) {
                    break;
                }
                sleep(1000);
            }
            assertEquals(3 * 120, ledger.reader().progress().frames().doneFrames(), "done by --once runs alone");
        }
        assertTrue(maxPending <= CAP, "pending jobs " + maxPending + " > cap " + CAP);
        assertEquals(0, directoryBytes(Path.of(workspace)), "every video is purged at the end");
        System.out.printf("cron: done after %d juggler run --once calls, max pending %d%n", runs, maxPending);
    }

    /**
     * For each job of the tag that ended while work remained (another job was submitted after it), the time
     * until the next submission, from squeue's submit and end times (whole seconds): "median/max s (n)".
     */
    static String endToNextSubmission(String tag) {
        List<long[]> jobs = new ArrayList<>(); // submit, end (epoch seconds)
        java.time.format.DateTimeFormatter format = java.time.format.DateTimeFormatter.ISO_LOCAL_DATE_TIME;
        for (String line : runLocal("squeue", "-h", "-r", "--me", "--states=all", "-o", "%V|%e|%k").split("\n")) {
            String[] f = line.split("\\|", 3);
            if (f.length == 3 && f[2].startsWith("juggler:" + tag + ":") && !f[1].equals("N/A")) {
                java.time.ZoneId zone = java.time.ZoneId.systemDefault();
                jobs.add(new long[] {java.time.LocalDateTime.parse(f[0], format).atZone(zone).toEpochSecond(),
                        java.time.LocalDateTime.parse(f[1], format).atZone(zone).toEpochSecond()});
            }
        }
        List<Long> gaps = new ArrayList<>();
        for (long[] job : jobs) {
            jobs.stream().mapToLong(j -> j[0]).filter(submit -> submit >= job[1]).min().ifPresent(next -> gaps.add(next - job[1]));
        }
        if (gaps.isEmpty()) {
            return "no job ended before another was submitted";
        }
        java.util.Collections.sort(gaps);
        return gaps.get(gaps.size() / 2) + "/" + gaps.get(gaps.size() - 1) + " s (" + gaps.size() + " jobs)";
    }

    static Process juggler(Path config, Path log) throws IOException {
        String java = Env.java();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), JugglerCli.class.getName(),
                "run", "--config", config.toString(), "--status-every", "2s");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return pb.start();
    }

    static WorkLedger ledger(Env env, String prefix) {
        return JdbcLedger.builder().url(env.pgUrl()).user(env.pgUser()).password(env.password()).tablePrefix(prefix).build();
    }



    static long directoryBytes(Path directory) {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException gone) {
                    return 0;
                }
            }).sum();
        } catch (IOException | java.io.UncheckedIOException gone) {
            return 0;
        }
    }

    static int pendingJobs(String tag) {
        String out = runLocal("squeue", "-h", "-r", "--me", "--states=PENDING", "-o", "%k");
        return (int) out.lines().filter(l -> l.startsWith("juggler:" + tag + ":")).count();
    }

    static String runLocal(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
