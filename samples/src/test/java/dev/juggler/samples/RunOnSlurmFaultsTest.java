package dev.juggler.samples;

import static dev.juggler.samples.RunOnSlurmEndToEndTest.directoryBytes;
import static dev.juggler.samples.RunOnSlurmEndToEndTest.juggler;
import static dev.juggler.samples.RunOnSlurmEndToEndTest.ledger;
import static dev.juggler.samples.RunOnSlurmEndToEndTest.runLocal;
import static dev.juggler.samples.RunOnSlurmEndToEndTest.sleep;
import static dev.juggler.samples.TestServers.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

import dev.juggler.inference.video.SyntheticVideo;
import dev.juggler.ledger.TrackQuery;
import dev.juggler.ledger.TrackView;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.TestServers.Env;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code juggler run} on the real SLURM while things go wrong, as they do over months: a worker's JVM is
 * killed with SIGKILL, another job is cancelled with {@code scancel}, and slurmctld is stopped for 30 s.
 * Afterwards every frame has exactly one result, and the outage was reported with its true start.
 */
class RunOnSlurmFaultsTest {

    private static final Duration POLL = Duration.ofSeconds(2);
    private static final Pattern OUTAGE = Pattern.compile("cluster unreachable since (\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d)");

    @TempDir
    Path dir;

    @Test
    void aKilledWorkerACancelledJobAndAControllerOutageLoseNothing() throws Exception {
        Env env = Env.require();
        String control = System.getenv("JUGGLER_SLURM_CONTROL");
        if (control == null) {
            abort("JUGGLER_SLURM_CONTROL unset (scripts/setup.d/40-slurm-sshd.sh ctld-stop|ctld-start)");
        }
        String id = UUID.randomUUID().toString().substring(0, 8);
        String tag = "faults-" + id;
        Path videos = Files.createDirectories(dir.resolve("videos"));
        // Enough frames that a worker job lasts seconds: with 600, two marker-pose jobs overlapped too briefly
        // for the wait below to see both running, and the test failed though the run was right.
        int perVideo = 3000;
        for (int i = 0; i < 4; i++) {
            SyntheticVideo.write(videos.resolve("long-" + i + ".mp4"), 320, 240, perVideo, 25);
        }
        String prefix = "flt" + id.substring(0, 6) + "_";
        String jobs = env.workdir() + "/faults-jobs-" + id;
        Path config = dir.resolve("faults.yaml");
        Files.writeString(config, String.join("\n",
                env.ledgerAndSlurm(prefix, tag, jobs),
                "workspace: {type: sftp, directory: " + env.workdir() + "/faults-ws-" + id + ", budget: 1GB}",
                "worker: {analysis: marker-pose, java: " + Env.java() + ", jvmOptions: [-Xmx256m, -XX:TieredStopAtLevel=1],"
                        + " initialChunk: 100, maxChunk: 200, lease: 30s, safetyMargin: 10s, framesPerWorker: 3000}",
                "juggler: {maxQueuedJobs: 2, maxActiveJobs: 3, pollInterval: " + POLL.toSeconds() + "s}",
                "videos: [{folder: " + videos + "}]",
                ""));
        TestServers.CliRun registered = cli("register", "--config", config.toString());
        assertEquals(JugglerCli.OK, registered.code(), registered.out());

        Path log = dir.resolve("run.log");
        Process run = juggler(config, log);
        Instant stopped;
        try {
            // Two workers at work: one loses its JVM to SIGKILL, the other job is cancelled.
            List<String> running = awaitRunning(tag, 2, Duration.ofMinutes(2), log);
            String victim = running.get(0);
            long pid = workerPid(victim).orElseThrow(() -> new AssertionError("no worker process of job " + victim));
            awaitFramesDone(env, prefix, 1, Duration.ofMinutes(1));
            runLocal("kill", "-9", Long.toString(pid));
            runLocal("scancel", running.get(1));

            // The controller goes away for 30 s; the juggler must say so, from when it happened.
            runLocal(control, "ctld-stop");
            stopped = Instant.now();
            Instant reported = awaitLine(log, OUTAGE, Duration.ofSeconds(45));
            sleep(Math.max(0, Duration.ofSeconds(30).minus(Duration.between(stopped, Instant.now())).toMillis()));
            runLocal(control, "ctld-start");
            String text = Files.readString(log);
            Matcher m = OUTAGE.matcher(text);
            assertTrue(m.find(), text);
            Instant since = LocalDateTime.parse(m.group(1), DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"))
                    .atZone(ZoneId.systemDefault()).toInstant();
            // Its true start: the start of the first status call that failed, which began at most a poll after the
            // stop, or shortly before it when a call was under way (squeue then sacct for the jobs just ended).
            assertTrue(!since.isBefore(stopped.minus(POLL).minusSeconds(5)) && !since.isAfter(stopped.plus(POLL).plusSeconds(2)),
                    "outage dated " + since + ", controller stopped at " + stopped + "\n" + text);
            // Reported within one poll plus the bounded wait for the status call.
            assertTrue(Duration.between(stopped, reported).compareTo(POLL.plus(Duration.ofSeconds(10 + 5))) <= 0,
                    "outage reported after " + Duration.between(stopped, reported) + "\n" + text);

            assertTrue(run.waitFor(6, TimeUnit.MINUTES), "the run did not finish:\n" + Files.readString(log));
            assertEquals(0, run.exitValue(), Files.readString(log));
        } finally {
            runLocal(control, "ctld-start");
            run.destroyForcibly();
        }

        String text = Files.readString(log);
        assertTrue(text.contains("cluster reachable again after"), text);
        try (WorkLedger ledger = ledger(env, prefix)) {
            assertEquals(4L * perVideo, ledger.reader().progress().frames().doneFrames(), text);
            assertEquals(0, ledger.reader().progress().frames().failedFrames(), text);
            for (TrackView track : ledger.reader().tracks(new TrackQuery(Optional.empty(), Optional.empty(), Optional.empty(),
                    TrackQuery.Sort.VIDEO, 0, 100))) {
                Set<Long> frames = new HashSet<>();
                List<Long> duplicates = new ArrayList<>();
                ledger.readResults(track.trackId(), track.range(), r -> {
                    if (!frames.add(r.frame())) {
                        duplicates.add(r.frame());
                    }
                });
                assertEquals(perVideo, frames.size(), "every frame has a result: " + track);
                assertTrue(duplicates.isEmpty(), "no frame has two results: " + duplicates);
            }
        }
        assertEquals(0, directoryBytes(Path.of(env.workdir(), "faults-ws-" + id)), "every video is purged at the end");
        try (Stream<Path> outputs = Files.list(Path.of(jobs))) {
            long workers = outputs.filter(p -> p.toString().endsWith(".out")).count();
            System.out.printf("faults: %d worker jobs; job end to next submission %s; outage reported as %s%n", workers,
                    RunOnSlurmEndToEndTest.endToNextSubmission(tag),
                    text.lines().filter(l -> l.contains("cluster unreachable")).findFirst().orElse("?"));
        }
    }

    /** Waits until {@code count} jobs of the tag run; returns their ids. */
    private static List<String> awaitRunning(String tag, int count, Duration limit, Path log) throws IOException {
        long until = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < until) {
            List<String> ids = new ArrayList<>();
            for (String line : runLocal("squeue", "-h", "-r", "--me", "--states=RUNNING", "-o", "%i|%k").split("\n")) {
                String[] f = line.split("\\|", 2);
                if (f.length == 2 && f[1].startsWith("juggler:" + tag + ":")) {
                    ids.add(f[0].trim());
                }
            }
            if (ids.size() >= count) {
                return ids;
            }
            sleep(200);
        }
        throw new AssertionError(count + " jobs did not run in time:\n" + Files.readString(log));
    }

    private static void awaitFramesDone(Env env, String prefix, long frames, Duration limit) {
        long until = System.nanoTime() + limit.toNanos();
        try (WorkLedger ledger = ledger(env, prefix)) {
            while (ledger.reader().progress().frames().doneFrames() < frames && System.nanoTime() < until) {
                sleep(200);
            }
        }
    }

    /** The pid of the worker JVM of a job: the process whose environment holds its job id. */
    private static Optional<Long> workerPid(String jobId) throws IOException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < until) {
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                    try {
                        String cmdline = Files.readString(proc.resolve("cmdline"), StandardCharsets.ISO_8859_1);
                        String environ = Files.readString(proc.resolve("environ"), StandardCharsets.ISO_8859_1);
                        if (cmdline.contains("JugglerCli\0worker") && environ.contains("\0JUGGLER_JOB_ID=" + jobId + "\0")) {
                            return Optional.of(Long.parseLong(proc.getFileName().toString()));
                        }
                    } catch (IOException gone) {
                        // the process ended meanwhile
                    }
                }
            }
            sleep(200);
        }
        return Optional.empty();
    }

    /** Waits for a line matching the pattern in the log; returns when it was first seen. */
    private static Instant awaitLine(Path log, Pattern pattern, Duration limit) throws IOException {
        long until = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < until) {
            if (pattern.matcher(Files.readString(log)).find()) {
                return Instant.now();
            }
            sleep(200);
        }
        throw new AssertionError("no line like '" + pattern + "' within " + limit + ":\n" + Files.readString(log));
    }
}
