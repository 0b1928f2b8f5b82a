package dev.juggler.samples.bench;

import dev.juggler.inference.internal.ImageOrder;
import dev.juggler.inference.openpose.OpenPoseDocument;
import dev.juggler.inference.openpose.OpenPoseFormatException;
import dev.juggler.inference.openpose.OpenPoseJson;
import dev.juggler.inference.testing.OpenPoseShapes;
import dev.juggler.jdbc.JdbcLedger;
import dev.juggler.jdbc.bench.LedgerBench;
import dev.juggler.ledger.FrameResult;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The measuring half of {@code bench/storage.sh}, on the PostgreSQL named by {@code JUGGLER_PG_URL},
 * {@code _USER} and {@code _PASSWORD}. Each command prints one line of {@code key=value} pairs last.
 *
 * <ul>
 *   <li>{@code rows SHAPE N FILE [DIR M]}: N documents of an {@link OpenPoseShapes.Shape}, as Juggler writes
 *       them, as COPY text lines {@code 1 \t frame \t json} (for {@code psql \copy} and {@code ingest}); with
 *       DIR, the first M also as one file per frame, as OpenPose writes them. {@code SHAPE_MOVING} (such as
 *       {@code FULL_TWO_MOVING}) gives the consecutive frames of one shot ({@link OpenPoseShapes.Scene}),
 *       a plain shape independent frames;</li>
 *   <li>{@code files DIR N FILE}: the same rows from a folder of real OpenPose {@code *_keypoints.json} files (one
 *       shot, in natural order of their names), each as Juggler writes it after reading it. The shot is repeated
 *       until there are at least N frames, so that a short one still fills enough pages to be measured by size;
 *       each copy starts on a multiple of 64 frames, so the ledger's blocks hold the shot's own consecutive
 *       frames, as they would if it were stored once (a block never holds two copies, which compression would
 *       make look cheaper than they are);</li>
 *   <li>{@code ingest FILE BATCH PREFIX}: stores the rows through {@link WorkLedger#storeResults} into a
 *       fresh ledger with table prefix PREFIX (timed from rows in memory to the last commit, after a
 *       warm-up in tables of its own), then prints the results table's size per frame, indexes and TOAST included;</li>
 *   <li>{@code export PREFIX TRACK FRAMES}: reads that ledger's track back in frame order, twice, and prints the
 *       better rate;</li>
 *   <li>{@code scale TOTAL BATCH PREFIX}: stores TOTAL BODY_25 rows (a pool of 10,000 documents, cycled)
 *       and prints the ingest rate and size per frame over the first and the last million, and the index's
 *       share;</li>
 *   <li>{@code drop PREFIX}: drops a ledger's tables.</li>
 * </ul>
 */
public final class StorageBench {

    private static final String URL = System.getenv("JUGGLER_PG_URL");
    private static final String USER = System.getenv("JUGGLER_PG_USER");
    private static final String PASSWORD = System.getenv("JUGGLER_PG_PASSWORD");
    private static final String VIDEO = "storage";
    private static final long FRAMES = 1_000_000_000L;
    private static final String MOVING = "_MOVING";
    private static final long WARM_UP_SECONDS = 8;
    /** The ledger's block of frames: a row never holds frames from both sides of a multiple of it (docs/storage.md). */
    private static final int BLOCK = 64;

    private StorageBench() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "rows" -> rows(args[1], Long.parseLong(args[2]), Path.of(args[3]), args.length > 4 ? Path.of(args[4]) : null,
                    args.length > 5 ? Integer.parseInt(args[5]) : 0);
            case "files" -> files(Path.of(args[1]), Long.parseLong(args[2]), Path.of(args[3]));
            case "ingest" -> ingest(Path.of(args[1]), Integer.parseInt(args[2]), args[3]);
            case "export" -> export(args[1], Long.parseLong(args[2]), Long.parseLong(args[3]));
            case "scale" -> scale(Long.parseLong(args[1]), Integer.parseInt(args[2]), args[3]);
            case "drop" -> drop(args[1]);
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    private static void rows(String shapeName, long count, Path file, Path dir, int files) throws Exception {
        boolean moving = shapeName.endsWith(MOVING);
        OpenPoseShapes.Shape shape = OpenPoseShapes.Shape.valueOf(moving ? shapeName.substring(0, shapeName.length() - MOVING.length())
                : shapeName);
        OpenPoseShapes shapes = new OpenPoseShapes(20261205L + shape.ordinal());
        OpenPoseShapes.Scene scene = moving ? shapes.scene(shape) : null;
        long bytes = 0;
        if (dir != null) {
            Files.createDirectories(dir);
        }
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (long frame = 0; frame < count; frame++) {
                String json = moving ? scene.json() : shapes.json(shape);
                bytes += json.length();
                out.write("1\t" + frame + "\t" + json + "\n");
                if (frame < files) {
                    Files.writeString(dir.resolve(String.format(Locale.ROOT, "%s_%012d_keypoints.json", VIDEO, frame)), json);
                }
            }
        }
        System.out.printf(Locale.ROOT, "rows=%d avg_json_bytes=%.1f%n", count, bytes / (double) count);
    }

    private static void files(Path dir, long count, Path file) throws Exception {
        List<Path> found = openPoseFiles(dir);
        List<String> frames = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        long fileBytes = 0;
        long people = 0;
        for (Path each : found) {
            OpenPoseDocument document;
            try {
                document = OpenPoseJson.readDocument(each);
            } catch (OpenPoseFormatException e) {
                unreadable.add(e.getMessage());
                continue;
            }
            fileBytes += Files.size(each);
            people += document.people().size();
            frames.add(OpenPoseJson.toJson(document));
        }
        if (!unreadable.isEmpty()) {
            System.err.printf(Locale.ROOT, "   %d of %d files in %s left out, not OpenPose JSON:%n", unreadable.size(), found.size(), dir);
            unreadable.stream().limit(5).forEach(reason -> System.err.println("     " + reason));
        }
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("none of the " + found.size() + " JSON files in " + dir + " is OpenPose JSON");
        }
        long bytes = 0;
        long copies = (count + frames.size() - 1) / frames.size();
        long stride = (frames.size() + BLOCK - 1) / BLOCK * BLOCK;
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (long copy = 0; copy < copies; copy++) {
                for (int i = 0; i < frames.size(); i++) {
                    bytes += frames.get(i).length();
                    out.write("1\t" + (copy * stride + i) + "\t" + frames.get(i) + "\n");
                }
            }
        }
        long rows = copies * frames.size();
        System.out.printf(Locale.ROOT, "files=%d left_out=%d people_per_frame=%.2f avg_file_bytes=%.1f rows=%d avg_json_bytes=%.1f%n",
                frames.size(), unreadable.size(), people / (double) frames.size(), fileBytes / (double) frames.size(), rows,
                bytes / (double) rows);
    }

    /**
     * A folder's OpenPose files in frame order: those named {@code *_keypoints.json} as OpenPose names them, or every
     * {@code *.json} file where none is (renamed output).
     */
    static List<Path> openPoseFiles(Path dir) throws IOException {
        List<Path> json;
        try (Stream<Path> listing = Files.list(dir)) {
            json = listing.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p))
                    .sorted((a, b) -> ImageOrder.INSTANCE.compare(a.getFileName().toString(), b.getFileName().toString())).toList();
        }
        List<Path> keypoints = json.stream().filter(p -> p.getFileName().toString().endsWith("_keypoints.json")).toList();
        if (json.isEmpty()) {
            throw new IllegalArgumentException("no *.json files in " + dir);
        }
        return keypoints.isEmpty() ? json : keypoints;
    }

    private static WorkLedger open(String prefix) {
        return JdbcLedger.builder().url(URL).user(USER).password(PASSWORD).tablePrefix(prefix).build();
    }

    private static long freshTrack(WorkLedger ledger) {
        ledger.registerVideo(new Video(VIDEO, "/corpus/storage.mp4", FRAMES, 25, 1, Map.of()));
        return ledger.addTrack(new TrackSpec(VIDEO, "openpose", FrameRange.of(0, FRAMES), 0));
    }

    private static void ingest(Path file, int batch, String prefix) throws Exception {
        drop(prefix);
        try (WorkLedger ledger = open(prefix)) {
            long track = freshTrack(ledger);
            List<List<FrameResult>> batches = LedgerBench.readBatches(file, track, batch);
            long rows = batches.stream().mapToLong(List::size).sum();
            warmUp("bench_st_warm_", batches);
            System.gc();
            long start = System.nanoTime();
            for (List<FrameResult> each : batches) {
                ledger.storeResults(each);
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "track=%d rows=%d ingest_s=%.3f ingest_rows_per_s=%.0f bytes_per_frame=%.1f%n", track, rows,
                    elapsed, rows / elapsed, tableBytes(prefix) / (double) rows);
        }
    }

    /**
     * Stores batches into a ledger of their own (dropped afterwards) for {@value #WARM_UP_SECONDS} seconds, so
     * the encoder and the COPY loop run compiled, as they do in a long-running worker, while the measured table
     * starts empty. (On 2 cores the JIT compiler takes seconds of CPU for the encoder; a shorter warm-up
     * measured it compiling.)
     */
    private static void warmUp(String prefix, List<List<FrameResult>> batches) throws Exception {
        drop(prefix);
        try (WorkLedger warm = open(prefix)) {
            long track = freshTrack(warm);
            long until = System.nanoTime() + WARM_UP_SECONDS * 1_000_000_000L;
            for (int i = 0; i < 4 || System.nanoTime() < until; i++) {
                long offset = (long) (i / batches.size()) * 10_000_000L; // every pass over the batches stores new frames
                warm.storeResults(batches.get(i % batches.size()).stream()
                        .map(r -> new FrameResult(track, offset + r.frame(), r.payload())).toList());
            }
        } finally {
            drop(prefix);
        }
    }

    private static void export(String prefix, long track, long frames) throws Exception {
        double best = 0;
        long checksum = 0;
        try (WorkLedger ledger = open(prefix)) {
            for (int round = 0; round < 2; round++) {
                long[] seen = new long[2];
                long start = System.nanoTime();
                ledger.readResults(track, FrameRange.of(0, frames), r -> {
                    seen[0]++;
                    seen[1] += r.payload().length();
                });
                double elapsed = (System.nanoTime() - start) / 1e9;
                if (seen[0] != frames) {
                    throw new IllegalStateException("read " + seen[0] + " of " + frames + " frames");
                }
                best = Math.max(best, frames / elapsed);
                checksum = seen[1];
            }
        }
        System.out.printf(Locale.ROOT, "frames=%d json_chars=%d export_frames_per_s=%.0f%n", frames, checksum, best);
    }

    private static void scale(long total, int batch, String prefix) throws Exception {
        drop(prefix);
        OpenPoseShapes shapes = new OpenPoseShapes(42);
        String[] pool = new String[10_000];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = shapes.json(OpenPoseShapes.Shape.BODY_ONE);
        }
        long million = 1_000_000;
        double firstRate = 0;
        double lastRate = 0;
        double firstBytes = 0;
        try (WorkLedger ledger = open(prefix)) {
            long track = freshTrack(ledger);
            long windowStart = System.nanoTime();
            for (long frame = 0; frame < total; ) {
                List<FrameResult> rows = new ArrayList<>(batch);
                for (int i = 0; i < batch && frame < total; i++, frame++) {
                    rows.add(new FrameResult(track, frame, pool[(int) (frame % pool.length)]));
                }
                ledger.storeResults(rows);
                if (frame % million == 0 || frame == total) {
                    long now = System.nanoTime();
                    double rate = (frame % million == 0 ? million : frame % million) / ((now - windowStart) / 1e9);
                    if (frame == million) {
                        firstRate = rate;
                        firstBytes = tableBytes(prefix) / (double) frame;
                    }
                    lastRate = rate;
                    if (frame % (10 * million) == 0) {
                        System.err.printf(Locale.ROOT, "   %,d rows: %.0f rows/s over the last million%n", frame, rate);
                    }
                    windowStart = System.nanoTime();
                }
            }
        }
        double endBytes = tableBytes(prefix) / (double) total;
        double indexBytes = sizeOf("pg_indexes_size", prefix) / (double) total;
        System.out.printf(Locale.ROOT, "rows=%d rate_first_1m=%.0f rate_last_1m=%.0f bytes_per_frame_1m=%.1f bytes_per_frame_end=%.1f"
                + " index_bytes_per_frame_end=%.1f table_bytes=%d%n", total, firstRate, lastRate, firstBytes, endBytes, indexBytes,
                tableBytes(prefix));
    }

    private static long tableBytes(String prefix) throws Exception {
        return sizeOf("pg_total_relation_size", prefix);
    }

    private static long sizeOf(String function, String prefix) throws Exception {
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT " + function + "('" + prefix + "results')")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private static void drop(String prefix) throws Exception {
        for (String table : List.of("run_reports", "lease_beats", "chunk_history", "job_states", "jobs", "submissions", "results",
                "chunks", "tracks", "video_tags", "videos", "schema_version")) {
            sql("DROP TABLE IF EXISTS " + prefix + table + " CASCADE");
        }
    }
}
