package dev.juggler.jdbc.bench;

import dev.juggler.jdbc.JdbcLedger;
import dev.juggler.ledger.ClaimRequest;
import dev.juggler.ledger.FrameResult;
import dev.juggler.ledger.Lease;
import dev.juggler.ledger.StageState;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Java side of {@code bench/ledger.sh}: measures the JDBC ledger on the PostgreSQL server named by
 * {@code JUGGLER_PG_URL}/{@code _USER}/{@code _PASSWORD} and prints {@code key=value} lines for the script.
 * It lives in the test sources of impl-jdbc because it needs only what that module's tests already have
 * (the ledger, the driver) and must not ship in the library jar; a separate bench module would add a
 * module to the build for one class.
 *
 * <p>Modes:
 * <ul>
 *   <li>{@code rows FILE N}: writes N realistic OpenPose BODY_25 frame results (one person, ~0.6 KB of
 *       compact JSON each) as COPY text lines {@code track \t frame \t json}, for {@code psql \copy} and for
 *       {@code ingest};</li>
 *   <li>{@code claims SECONDS WORKERS}: WORKERS threads loop claim(10 frames) → heartbeat → complete;
 *       prints ledger transactions/s (each call is one database transaction);</li>
 *   <li>{@code ingest FILE BATCH}: stores the rows of FILE through {@link WorkLedger#storeResults} in
 *       batches of BATCH (the COPY path); prints rows/s, timed from rows in memory to the last commit;</li>
 *   <li>{@code latency CHUNKS CLAIMS}: a chunks table with CHUNKS rows (5,000 claimable, the rest done);
 *       prints p50/p99 claim latency over CLAIMS claims of one claimer.</li>
 * </ul>
 * Every mode uses fresh tables (its own prefix) and drops them afterwards. Single-use; not thread-safe.
 */
public final class LedgerBench {

    private static final String URL = System.getenv("JUGGLER_PG_URL");
    private static final String USER = System.getenv("JUGGLER_PG_USER");
    private static final String PASSWORD = System.getenv("JUGGLER_PG_PASSWORD");
    private static final List<String> TABLES = List.of("results", "lease_beats", "chunks", "tracks", "video_tags", "videos",
            "schema_version");

    private LedgerBench() {
    }

    public static void main(String[] args) throws Exception {
        if (URL == null) {
            throw new IllegalStateException("set JUGGLER_PG_URL, JUGGLER_PG_USER, JUGGLER_PG_PASSWORD (scripts/setup.d/20-postgresql.sh)");
        }
        switch (args[0]) {
            case "rows":
                rows(Path.of(args[1]), Integer.parseInt(args[2]));
                break;
            case "claims":
                claims(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
                break;
            case "ingest":
                ingest(Path.of(args[1]), Integer.parseInt(args[2]));
                break;
            case "latency":
                latency(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
                break;
            default:
                throw new IllegalArgumentException("unknown mode " + Arrays.toString(args));
        }
    }

    private static JdbcLedger.Builder ledger(String prefix, int poolSize) {
        return JdbcLedger.builder().url(URL).user(USER).password(PASSWORD).tablePrefix(prefix).poolSize(poolSize);
    }

    private static void drop(String prefix) throws Exception {
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
            for (String table : TABLES) {
                s.execute("DROP TABLE IF EXISTS " + prefix + table + " CASCADE");
            }
        }
    }

    private static void stageTracks(WorkLedger ledger, int tracks, long frames) {
        for (int v = 0; v < tracks; v++) {
            String id = "bench-" + v;
            ledger.registerVideo(new Video(id, "/corpus/" + id + ".mp4", frames, 25, frames * 20_000, Map.of("session", "s" + v % 7)));
            ledger.markStaged(id, "/ws/" + id + ".mp4");
            ledger.addTrack(new TrackSpec(id, "openpose-body25", FrameRange.of(0, frames), v % 3));
        }
    }

    // --- rows ----------------------------------------------------------------------------------------

    /** One frame of OpenPose 1.3+ output for one person, BODY_25, as the real writer lays it out. */
    static String openPoseJson(Random random) {
        StringBuilder json = new StringBuilder(700);
        json.append("{\"version\":1.3,\"people\":[{\"person_id\":[-1],\"pose_keypoints_2d\":[");
        double cx = 200 + random.nextDouble() * 240;
        double cy = 120 + random.nextDouble() * 120;
        for (int k = 0; k < 25; k++) {
            if (k > 0) {
                json.append(',');
            }
            if (random.nextInt(12) == 0) {
                json.append("0,0,0"); // a keypoint OpenPose did not find
            } else {
                json.append(String.format(Locale.ROOT, "%.1f,%.1f,%.3f", cx + random.nextGaussian() * 40, cy + random.nextGaussian() * 60,
                        0.3 + random.nextDouble() * 0.69));
            }
        }
        json.append("],\"face_keypoints_2d\":[],\"hand_left_keypoints_2d\":[],\"hand_right_keypoints_2d\":[],"
                + "\"pose_keypoints_3d\":[],\"face_keypoints_3d\":[],\"hand_left_keypoints_3d\":[],\"hand_right_keypoints_3d\":[]}]}");
        return json.toString();
    }

    private static void rows(Path file, int count) throws Exception {
        Random random = new Random(42);
        long bytes = 0;
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int frame = 0; frame < count; frame++) {
                String json = openPoseJson(random);
                bytes += json.length();
                out.write("1\t" + frame + "\t" + json + "\n");
            }
        }
        System.out.printf(Locale.ROOT, "rows=%d avg_payload_bytes=%d file_mb=%.1f%n", count, bytes / count, Files.size(file) / 1e6);
    }

    // --- claims --------------------------------------------------------------------------------------

    private static void claims(int seconds, int workers) throws Exception {
        String prefix = "bench_claims_";
        drop(prefix);
        try (WorkLedger ledger = ledger(prefix, workers).build()) {
            stageTracks(ledger, 200, 200_000);
            LongAdder transactions = new LongAdder();
            LongAdder cycles = new LongAdder();
            AtomicBoolean measuring = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(workers);
            CountDownLatch started = new CountDownLatch(workers);
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                String name = "worker-" + w;
                futures.add(pool.submit(() -> {
                    started.countDown();
                    ClaimRequest request = ClaimRequest.of(name, 10, Duration.ofMinutes(5)).withJobId("job-" + name);
                    while (!stop.get()) {
                        Lease lease = ledger.claim(request).orElseThrow();
                        lease = ledger.heartbeat(lease, lease.range().from() + 5);
                        ledger.complete(lease, lease.range().to());
                        if (measuring.get()) {
                            transactions.add(3);
                            cycles.increment();
                        }
                    }
                    return null;
                }));
            }
            started.await();
            Thread.sleep(3_000); // warm-up: JIT, pool connections, plan caches
            measuring.set(true);
            long start = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            measuring.set(false);
            double elapsed = (System.nanoTime() - start) / 1e9;
            stop.set(true);
            for (Future<?> future : futures) {
                future.get();
            }
            pool.shutdown();
            System.out.printf(Locale.ROOT, "ledger_tx_per_s=%.1f ledger_cycles_per_s=%.1f workers=%d%n", transactions.sum() / elapsed,
                    cycles.sum() / elapsed, workers);
        } finally {
            drop(prefix);
        }
    }

    // --- ingest --------------------------------------------------------------------------------------

    private static void ingest(Path file, int batch) throws Exception {
        String prefix = "bench_ingest_";
        drop(prefix);
        try (WorkLedger ledger = ledger(prefix, 2).build()) {
            ledger.registerVideo(new Video("ingest", "/corpus/ingest.mp4", 100_000_000L, 25, 1, Map.of()));
            long track = ledger.addTrack(new TrackSpec("ingest", "openpose-body25", FrameRange.of(0, 100_000_000L), 0));
            // warm-up on another track, so that the measured run starts on an empty results table as \copy did
            // (big enough to get the COPY encoding loop compiled, as it is in a long-running worker)
            long warm = ledger.addTrack(new TrackSpec("ingest", "warm-up", FrameRange.of(0, 100_000), 0));
            Random random = new Random(1);
            for (int round = 0; round < 4; round++) {
                List<FrameResult> warmRows = new ArrayList<>();
                for (int f = 0; f < 20_000; f++) {
                    warmRows.add(new FrameResult(warm, round * 20_000 + f, openPoseJson(random)));
                }
                ledger.storeResults(warmRows);
            }
            try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
                s.execute("TRUNCATE " + prefix + "results");
                s.execute("CHECKPOINT");
            } catch (Exception e) {
                // CHECKPOINT needs superuser rights (or pg_checkpoint): without them, just go on
            }
            // The ledger's input is results in memory (what a worker hands over), so the rows are read
            // from the file before the clock starts; psql's time includes reading the file.
            List<List<FrameResult>> batches = readBatches(file, track, batch);
            long rows = batches.stream().mapToLong(List::size).sum();
            System.gc();
            long start = System.nanoTime();
            for (List<FrameResult> each : batches) {
                ledger.storeResults(each);
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "ledger_ingest_rows=%d ledger_ingest_s=%.3f ledger_ingest_rows_per_s=%.0f batch=%d%n", rows, elapsed,
                    rows / elapsed, batch);
        } finally {
            drop(prefix);
        }
    }

    /**
     * The rows of a COPY text file ({@code track \t frame \t payload}, as {@code rows} writes them) as results
     * of {@code track}, in batches of {@code batch}: what a worker would hand over.
     */
    public static List<List<FrameResult>> readBatches(Path file, long track, int batch) throws java.io.IOException {
        List<List<FrameResult>> batches = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            List<FrameResult> pending = new ArrayList<>(batch);
            String line;
            while ((line = in.readLine()) != null) {
                int a = line.indexOf('\t');
                int b = line.indexOf('\t', a + 1);
                pending.add(new FrameResult(track, Long.parseLong(line.substring(a + 1, b)), line.substring(b + 1)));
                if (pending.size() == batch) {
                    batches.add(pending);
                    pending = new ArrayList<>(batch);
                }
            }
            if (!pending.isEmpty()) {
                batches.add(pending);
            }
        }
        return batches;
    }

    // --- latency -------------------------------------------------------------------------------------

    private static void latency(int chunks, int claims) throws Exception {
        String prefix = "bench_lat_";
        int tracks = 100;
        int claimable = 5_000;
        drop(prefix);
        try (WorkLedger ledger = ledger(prefix, 2).build()) {
            stageTracks(ledger, tracks, 1_000_000_000L);
            try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
                // The track's own first chunk is the last claimable range; done history below it, other claimable chunks after it.
                s.execute("UPDATE " + prefix + "chunks SET frame_from = 900000000");
                int done = chunks - claimable - tracks;
                long now = System.currentTimeMillis();
                s.execute("INSERT INTO " + prefix + "chunks (track_id, frame_from, frame_to, state, version, checkpoint, attempts,"
                        + " priority, created_ms, updated_ms) SELECT t.id, (g / " + tracks + ") * 100, (g / " + tracks + ") * 100 + 100,"
                        + " 'DONE', 1, (g / " + tracks + ") * 100 + 100, 0, t.priority, " + now + " - 86400000 + g, " + now
                        + " FROM generate_series(0, " + (done - 1) + ") g JOIN " + prefix + "tracks t ON t.id = (SELECT MIN(id) FROM " + prefix
                        + "tracks) + g % " + tracks);
                s.execute("INSERT INTO " + prefix + "chunks (track_id, frame_from, frame_to, state, version, checkpoint, attempts,"
                        + " priority, created_ms, updated_ms) SELECT t.id, 500000000 + (g / " + tracks + ") * 100, 500000000 + (g / " + tracks
                        + ") * 100 + 100, 'PENDING', 0, 500000000 + (g / " + tracks + ") * 100, 0, t.priority, " + now + " + g, " + now
                        + " FROM generate_series(0, " + (claimable - 1) + ") g JOIN " + prefix + "tracks t ON t.id = (SELECT MIN(id) FROM "
                        + prefix + "tracks) + g % " + tracks);
                s.execute("VACUUM ANALYZE " + prefix + "chunks");
            }
            long total = ledger.estimate().totalFrames();
            long[] nanos = new long[claims];
            int warmUp = Math.min(200, claims / 4);
            for (int i = -warmUp; i < claims; i++) {
                long start = System.nanoTime();
                Lease lease = ledger.claim(ClaimRequest.of("latency", 100, Duration.ofMinutes(5))).orElseThrow();
                long took = System.nanoTime() - start;
                if (i >= 0) {
                    nanos[i] = took;
                }
                ledger.complete(lease, lease.range().to());
            }
            Arrays.sort(nanos);
            System.out.printf(Locale.ROOT, "chunks=%d frames=%d claim_p50_ms=%.3f claim_p99_ms=%.3f%n", chunks, total,
                    nanos[claims / 2] / 1e6, nanos[(int) Math.ceil(claims * 0.99) - 1] / 1e6);
        } finally {
            drop(prefix);
        }
    }
}
