package dev.juggler.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.juggler.ledger.ChunkQuery;
import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.ChunkView;
import dev.juggler.ledger.Lease;
import dev.juggler.ledger.LeaseLostException;
import dev.juggler.ledger.RescheduleFilter;
import dev.juggler.ledger.StageState;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Randomized chaos on a real PostgreSQL: 16 claimers ({@value #THREADS} threads of this JVM and
 * {@value #PROCESSES} worker JVMs) claim, store results, heartbeat, checkpoint, fail and complete at
 * random with short leases; {@value #KILLED} worker JVMs are killed with SIGKILL mid-run (their leases come
 * back through the reaper after expiry); PostgreSQL is restarted once mid-run when this test may do it
 * (root, a local Debian cluster). Afterwards, for every track: the DONE chunks are disjoint and cover it
 * exactly, every frame has exactly one stored result, and no stale token was ever accepted (checked
 * during the run by the workers and afterwards with every token any worker logged).
 *
 * <p>Each run prints its seed. {@code -Djuggler.stress.seeds=N} runs N seeds (default 2),
 * {@code -Djuggler.stress.seed=S} runs exactly seed S.
 */
class PostgresChaosTest {

    private static final int PROCESSES = 4;
    private static final int THREADS = 12;
    private static final int KILLED = 2;
    private static final String PG_VERSION = "15";
    private static final String PG_CLUSTER = "main";

    @TempDir
    Path dir;

    private final List<String> prefixes = new ArrayList<>();

    @BeforeEach
    void requireServer() {
        PgTestServer.require();
    }

    @AfterEach
    void dropTables() throws Exception {
        PgTestServer.drop(prefixes, List.of());
    }

    @Test
    void claimersThatCrashAndADatabaseRestartNeverBreakTheLedger() throws Exception {
        List<Long> seeds = new ArrayList<>();
        Long fixed = Long.getLong("juggler.stress.seed");
        if (fixed != null) {
            seeds.add(fixed);
        } else {
            Random seedSource = new Random();
            for (int i = 0; i < Integer.getInteger("juggler.stress.seeds", 2); i++) {
                seeds.add(seedSource.nextLong());
            }
        }
        String restartSkip = restartSkipReason();
        if (restartSkip != null) {
            System.out.println("chaos: PostgreSQL restart part skipped: " + restartSkip);
        }
        for (long seed : seeds) {
            runSeed(seed, restartSkip == null);
        }
    }

    /** Why this test may not restart the server, or {@code null} if it may. */
    private static String restartSkipReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "not running as root";
        }
        if (!PgTestServer.URL.contains("//127.0.0.1") && !PgTestServer.URL.contains("//localhost")) {
            return "the server is not local (" + PgTestServer.URL + ")";
        }
        if (!Files.isExecutable(Path.of("/usr/bin/pg_ctlcluster"))) {
            return "pg_ctlcluster not installed";
        }
        if ("false".equals(System.getProperty("juggler.stress.restart"))) {
            return "-Djuggler.stress.restart=false";
        }
        return null;
    }

    private void runSeed(long seed, boolean restart) throws Exception {
        String why = "seed " + seed + " (rerun with -Djuggler.stress.seed=" + seed + ")";
        System.out.println("chaos: " + why);
        Random random = new Random(seed);
        String prefix = PgTestServer.freshPrefix();
        prefixes.add(prefix);
        Path runDir = Files.createDirectories(dir.resolve("seed-" + Long.toHexString(seed)));
        Map<Long, FrameRange> tracks = new HashMap<>();
        List<Process> processes = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1, r -> {
            Thread t = new Thread(r, "chaos-claimer");
            t.setDaemon(true);
            return t;
        });
        AtomicBoolean stopReaper = new AtomicBoolean();
        long started = System.nanoTime();
        try (WorkLedger ledger = PgTestServer.builder().tablePrefix(prefix).poolSize(THREADS + 2).build()) {
            for (int v = 0; v < 3; v++) {
                long frames = 1500 + random.nextInt(1500);
                Video video = new Video("chaos-" + v, "/corpus/chaos-" + v, frames, 25, 1, Map.of("n", String.valueOf(v)));
                ledger.registerVideo(video);
                ledger.markStaged(video.id(), "/ws/" + video.id());
                for (int a = 0; a < 2; a++) {
                    long from = random.nextInt(20);
                    FrameRange range = FrameRange.of(from, frames - random.nextInt(20));
                    tracks.put(ledger.addTrack(new TrackSpec(video.id(), "analysis-" + a, range, random.nextInt(3))), range);
                }
            }
            Path go = runDir.resolve("go");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String classPath = Optional.ofNullable(System.getProperty("surefire.test.class.path"))
                    .orElse(System.getProperty("java.class.path"));
            for (int p = 0; p < PROCESSES; p++) {
                ProcessBuilder builder = new ProcessBuilder(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                        classPath, ChaosWorker.class.getName(), prefix, String.valueOf(seed + p), runDir.resolve("log-p" + p).toString(),
                        "process-" + p, runDir.resolve("ready-" + p).toString(), go.toString());
                builder.redirectErrorStream(true);
                builder.redirectOutput(runDir.resolve("out-p" + p).toFile());
                processes.add(builder.start());
            }
            long readyDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            for (int p = 0; p < PROCESSES; p++) {
                while (!Files.exists(runDir.resolve("ready-" + p))) {
                    if (!processes.get(p).isAlive() || System.nanoTime() > readyDeadline) {
                        fail(why + ": worker process " + p + " did not get ready: " + read(runDir.resolve("out-p" + p)));
                    }
                    Thread.sleep(20);
                }
            }
            // The reaper (and an operator who re-schedules failures) of a real juggler, in this JVM.
            Future<?> reaper = pool.submit(() -> {
                while (!stopReaper.get()) {
                    try {
                        ledger.reapExpired();
                        ledger.reschedule(RescheduleFilter.all());
                    } catch (RuntimeException e) {
                        // the database may be restarting; the next round tries again
                    }
                    sleep(150);
                }
                return null;
            });
            Files.writeString(go, "go");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
            List<Future<Boolean>> threads = new ArrayList<>();
            List<PrintWriter> logs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                PrintWriter log = new PrintWriter(Files.newBufferedWriter(runDir.resolve("log-t" + t), StandardCharsets.UTF_8), true);
                logs.add(log);
                ChaosWorker worker = new ChaosWorker(ledger, "thread-" + t, seed + 100 + t, log);
                threads.add(pool.submit(() -> worker.run(deadline)));
            }

            // Chaos from outside, triggered by progress so that it always hits a busy ledger: kill some
            // worker processes with SIGKILL once each has taken a few leases, restart the server once a
            // share of the frames is done.
            long total = ledger.estimate().totalFrames();
            int[] killAfterLeases = new int[KILLED];
            for (int k = 0; k < KILLED; k++) {
                killAfterLeases[k] = 3 + random.nextInt(15);
            }
            long restartAfterFrames = restart ? total / 5 + random.nextInt((int) (total / 3)) : Long.MAX_VALUE;
            boolean restarted = !restart;
            int killed = 0;
            int killedMidRun = 0;
            long chaosDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((killed < KILLED || !restarted) && System.nanoTime() < chaosDeadline) {
                for (int k = 0; k < KILLED; k++) {
                    Process victim = processes.get(k);
                    if (killAfterLeases[k] >= 0 && leasesLogged(runDir.resolve("log-p" + k)) >= killAfterLeases[k]) {
                        killAfterLeases[k] = -1;
                        killed++;
                        if (victim.isAlive()) {
                            victim.destroyForcibly(); // SIGKILL: no close, no rollback by the client, leases left behind
                            victim.waitFor(10, TimeUnit.SECONDS);
                            killedMidRun++;
                            System.out.println("chaos: killed process-" + k + " with SIGKILL after " + leasesLogged(runDir.resolve("log-p" + k))
                                    + " leases");
                        }
                    }
                }
                if (!restarted) {
                    long done = ledger.estimate().doneFrames();
                    if (done >= restartAfterFrames) {
                        restarted = true;
                        long before = System.nanoTime();
                        restartServer(why);
                        System.out.printf("chaos: restarted PostgreSQL with %d of %d frames done (took %d ms)%n", done, total,
                                (System.nanoTime() - before) / 1_000_000);
                        assertTrue(done < total, why + ": the restart came too late to matter");
                    }
                }
                Thread.sleep(20);
            }
            assertTrue(killedMidRun >= 1, why + ": no worker process was killed while it was working");
            assertTrue(restarted, why + ": the restart never happened");

            boolean allDone = true;
            for (Future<Boolean> thread : threads) {
                allDone &= thread.get(60, TimeUnit.SECONDS);
            }
            for (int p = 0; p < PROCESSES; p++) {
                Process process = processes.get(p);
                if (p < KILLED) {
                    continue;
                }
                assertTrue(process.waitFor(60, TimeUnit.SECONDS), why + ": worker process " + p + " did not finish");
                assertEquals(0, process.exitValue(), why + ": worker process " + p + " failed: " + read(runDir.resolve("out-p" + p)));
            }
            stopReaper.set(true);
            reaper.get(30, TimeUnit.SECONDS);
            logs.forEach(PrintWriter::close);
            assertTrue(allDone, why + ": the claimers did not finish all frames in time: " + ledger.estimate());

            verify(ledger, prefix, tracks, runDir, why);
            System.out.printf("chaos: %s passed in %d ms%n", why, (System.nanoTime() - started) / 1_000_000);
        } finally {
            stopReaper.set(true);
            pool.shutdownNow();
            for (Process process : processes) {
                if (process.isAlive()) {
                    process.destroyForcibly();
                }
            }
        }
    }

    private void verify(WorkLedger ledger, String prefix, Map<Long, FrameRange> tracks, Path runDir, String why) throws Exception {
        // 1. DONE chunks of every track are disjoint and cover it exactly (and nothing else is left).
        for (Map.Entry<Long, FrameRange> track : tracks.entrySet()) {
            List<ChunkView> chunks = ledger.reader().chunks(ChunkQuery.ofTrack(track.getKey(), 10_000));
            assertTrue(chunks.stream().allMatch(c -> c.state() == ChunkState.DONE), why + ": all chunks done: " + chunks);
            List<FrameRange> done = chunks.stream().map(ChunkView::range).sorted(Comparator.comparingLong(FrameRange::from))
                    .collect(Collectors.toList());
            long next = track.getValue().from();
            for (FrameRange range : done) {
                assertEquals(next, range.from(), why + ": DONE ranges of track " + track.getKey() + " overlap or leave a gap: " + done);
                next = range.to();
            }
            assertEquals(track.getValue().to(), next, why + ": DONE ranges must cover track " + track.getKey() + " exactly");
        }
        // 2. Every frame has exactly one stored result, and there is none outside the tracks: a track's rows
        //    (single frames and blocks) tile its range, each starting where the one before ends.
        try (Connection c = PgTestServer.connect()) {
            for (Map.Entry<Long, FrameRange> track : tracks.entrySet()) {
                try (PreparedStatement tiles = c.prepareStatement("SELECT frame, COALESCE(frames, 1) FROM " + prefix + "results"
                        + " WHERE track_id = ? ORDER BY frame")) {
                    tiles.setLong(1, track.getKey());
                    try (ResultSet rows = tiles.executeQuery()) {
                        long next = track.getValue().from();
                        while (rows.next()) {
                            assertEquals(next, rows.getLong(1), why + ": results of track " + track.getKey()
                                    + " overlap or leave a gap at frame " + next);
                            next += rows.getInt(2);
                        }
                        assertEquals(track.getValue().to(), next, why + ": results must cover track " + track.getKey() + " exactly");
                    }
                }
            }
        }
        // 3. No stale token was ever accepted: not during the run, and no logged lease (also those of the
        //    killed processes, whose leases the reaper took back) is accepted now.
        List<Lease> logged = new ArrayList<>();
        List<String> violations = new ArrayList<>();
        int killedLeases = 0;
        try (var files = Files.list(runDir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("log-")).collect(Collectors.toList())) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (line.startsWith("VIOLATION")) {
                        violations.add(line);
                    } else if (line.startsWith("LEASE ")) {
                        String[] f = line.split(" ");
                        if (f.length < 6) {
                            continue; // the last line of a killed process may be cut off
                        }
                        logged.add(new Lease(Long.parseLong(f[1]), f[2], Long.parseLong(f[3]), "?", "?", "?",
                                FrameRange.of(Long.parseLong(f[4]), Long.parseLong(f[5])), Instant.now(), 1));
                        if (file.getFileName().toString().startsWith("log-p")) {
                            killedLeases++;
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), violations, why);
        assertTrue(logged.size() > 50, why + ": too few leases to mean anything: " + logged.size());
        for (Lease lease : logged) {
            try {
                ledger.complete(lease, lease.range().to());
                fail(why + ": a stale lease was accepted after the run: " + lease);
            } catch (LeaseLostException expected) {
                // the only acceptable outcome
            }
        }
        System.out.println("chaos: " + logged.size() + " leases (" + killedLeases + " by worker processes), all refused afterwards");
    }

    private static int leasesLogged(Path log) {
        try {
            return Files.exists(log) ? (int) Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> l.startsWith("LEASE "))
                    .count() : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static void restartServer(String why) throws IOException, InterruptedException {
        Process restart = new ProcessBuilder("pg_ctlcluster", PG_VERSION, PG_CLUSTER, "restart", "-m", "fast").redirectErrorStream(true)
                .start();
        String output = new String(restart.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(restart.waitFor(60, TimeUnit.SECONDS), why + ": pg_ctlcluster restart hung");
        assertEquals(0, restart.exitValue(), why + ": pg_ctlcluster restart failed: " + output);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
