package dev.juggler.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.juggler.ledger.ChunkQuery;
import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.ChunkView;
import dev.juggler.ledger.StageState;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three worker JVMs and three threads of this JVM claim from one H2 file in automatic mixed mode
 * ({@code AUTO_SERVER=TRUE}; this JVM opened it first and serves it). Every lease is recorded; the test
 * then checks that no frame was ever under two leases at once, that completed ranges never overlap,
 * and that every track ends up covered exactly by DONE chunks.
 */
class MultiProcessClaimRaceTest {

    private static final int PROCESSES = 3;
    private static final int THREADS = 3;
    private static final int FRAMES = 1500;

    @TempDir
    Path dir;

    /** One recorded lease. */
    private record Claim(long trackId, long chunkId, long from, long to, long doneUntil, long claimedMicros, long releasingMicros,
            String worker) {
        static Claim parse(String line) {
            String[] f = line.trim().split(" ");
            return new Claim(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                    Long.parseLong(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]), f[7]);
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void processesAndThreadsNeverShareFrames() throws Exception {
        long seed = Long.getLong("juggler.race.seed", System.nanoTime());
        String why = "seed " + seed;
        String url = JdbcLedger.h2FileUrl(dir.resolve("race"));
        Map<Long, FrameRange> trackRanges = new HashMap<>();
        List<Process> processes = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        try (WorkLedger ledger = JdbcLedger.builder().url(url).build()) {
            for (int v = 0; v < 3; v++) {
                Video video = new Video("race-" + v, "/corpus/race-" + v, FRAMES, 25, 1, Map.of("n", String.valueOf(v)));
                ledger.registerVideo(video);
                ledger.markStaged(video.id(), "/ws/" + video.id());
                for (int a = 0; a < 2; a++) {
                    FrameRange range = FrameRange.of(a * 7, FRAMES - a * 3);
                    trackRanges.put(ledger.addTrack(new TrackSpec(video.id(), "analysis-" + a, range, v % 2)), range);
                }
            }
            Path go = dir.resolve("go");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String classPath = Optional.ofNullable(System.getProperty("surefire.test.class.path"))
                    .orElse(System.getProperty("java.class.path"));
            for (int p = 0; p < PROCESSES; p++) {
                ProcessBuilder builder = new ProcessBuilder(java, "-Xmx96m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                        classPath, ClaimRaceWorker.class.getName(), url, dir.resolve("claims-p" + p).toString(), "process-" + p,
                        String.valueOf(seed + p), dir.resolve("ready-" + p).toString(), go.toString());
                builder.redirectOutput(dir.resolve("stdout-p" + p).toFile());
                builder.redirectError(dir.resolve("stderr-p" + p).toFile());
                processes.add(builder.start());
            }
            long readyDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            for (int p = 0; p < PROCESSES; p++) {
                while (!Files.exists(dir.resolve("ready-" + p))) {
                    if (!processes.get(p).isAlive() || System.nanoTime() > readyDeadline) {
                        fail("worker process " + p + " did not get ready: " + output(p));
                    }
                    Thread.sleep(20);
                }
            }
            Files.writeString(go, "go");
            List<Future<Integer>> inProcess = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int n = t;
                inProcess.add(threads.submit(() -> ClaimRaceWorker.run(ledger, dir.resolve("claims-t" + n), "thread-" + n,
                        seed + 100 + n)));
            }
            int threadLeases = 0;
            for (Future<Integer> f : inProcess) {
                threadLeases += f.get(60, TimeUnit.SECONDS);
            }
            for (int p = 0; p < PROCESSES; p++) {
                assertTrue(processes.get(p).waitFor(60, TimeUnit.SECONDS), "worker process " + p + " did not finish");
                assertEquals(0, processes.get(p).exitValue(), "worker process " + p + " failed: " + output(p));
            }

            List<Claim> claims = new ArrayList<>();
            Map<String, Integer> perWorker = new HashMap<>();
            try (var files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.getFileName().toString().startsWith("claims-")).collect(Collectors.toList())) {
                    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                        if (!line.isBlank()) {
                            Claim claim = Claim.parse(line);
                            claims.add(claim);
                            perWorker.merge(claim.worker(), 1, Integer::sum);
                        }
                    }
                }
            }
            System.out.println("claim race (" + why + "): " + claims.size() + " leases, in-process threads " + threadLeases
                    + ", per worker " + perWorker);
            assertTrue(perWorker.keySet().stream().filter(w -> w.startsWith("process-")).count() >= 2,
                    why + ": at least two processes must have won leases: " + perWorker);

            // 1. No frame under two leases at once: leases that share a frame must follow each other.
            Map<Long, List<Claim>> byTrack = claims.stream().collect(Collectors.groupingBy(Claim::trackId));
            for (List<Claim> ofTrack : byTrack.values()) {
                ofTrack.sort(Comparator.comparingLong(Claim::from));
                for (int i = 0; i < ofTrack.size(); i++) {
                    Claim a = ofTrack.get(i);
                    for (int j = i + 1; j < ofTrack.size() && ofTrack.get(j).from() < a.to(); j++) {
                        Claim b = ofTrack.get(j);
                        boolean aThenB = a.releasingMicros() <= b.claimedMicros();
                        boolean bThenA = b.releasingMicros() <= a.claimedMicros();
                        assertTrue(aThenB || bThenA, why + ": two live leases over the same frames: " + a + " and " + b);
                    }
                }
            }
            // 2. Completed ranges never overlap and cover every track exactly.
            for (Map.Entry<Long, FrameRange> track : trackRanges.entrySet()) {
                List<Claim> done = byTrack.getOrDefault(track.getKey(), List.of()).stream().filter(c -> c.doneUntil() > c.from())
                        .sorted(Comparator.comparingLong(Claim::from)).collect(Collectors.toList());
                long next = track.getValue().from();
                for (Claim c : done) {
                    assertEquals(next, c.from(), why + ": completed ranges of track " + track.getKey() + " overlap or leave a gap at "
                            + c);
                    next = c.doneUntil();
                }
                assertEquals(track.getValue().to(), next, why + ": track " + track.getKey() + " not covered exactly");
                List<ChunkView> chunks = ledger.reader().chunks(ChunkQuery.ofTrack(track.getKey(), 10_000));
                assertTrue(chunks.stream().allMatch(c -> c.state() == ChunkState.DONE), why + ": all chunks done: " + chunks);
                assertEquals(track.getValue().length(), chunks.stream().mapToLong(c -> c.range().length()).sum(), why);
            }
            assertTrue(ledger.estimate().isSettled(), why + ": " + ledger.estimate());
            assertEquals(trackRanges.size(), ledger.reader().progress().tracksDone(), why);
        } finally {
            threads.shutdownNow();
            for (Process process : processes) {
                if (process.isAlive()) {
                    process.destroyForcibly();
                }
            }
        }
    }

    private String output(int process) {
        StringBuilder text = new StringBuilder();
        for (String stream : List.of("stdout-p", "stderr-p")) {
            File file = dir.resolve(stream + process).toFile();
            try {
                text.append('\n').append(stream).append(process).append(":\n").append(Files.readString(file.toPath()));
            } catch (Exception e) {
                text.append('\n').append(stream).append(process).append(": (unreadable: ").append(e).append(')');
            }
        }
        return text.toString();
    }
}
