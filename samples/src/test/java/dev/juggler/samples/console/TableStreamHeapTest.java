package dev.juggler.samples.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.jdbc.JdbcLedger;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.video.Video;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code juggler tracks --all --format csv} streams: 100,000 tracks (with a tag column) come out of a tool process
 * whose heap is capped at 64 MiB, so nothing holds the rows.
 */
class TableStreamHeapTest {

    private static final int TRACKS = Integer.getInteger("juggler.test.streamTracks", 100_000);

    @TempDir
    Path temp;

    @Test
    void csvOfEveryTrackStreamsIn64MiBOfHeap() throws Exception {
        Path db = temp.resolve("ledger").resolve("juggler");
        long seedStart = System.nanoTime();
        try (WorkLedger ledger = JdbcLedger.builder().url(JdbcLedger.h2FileUrl(db)).build()) {
            for (int i = 0; i < TRACKS; i++) {
                Video v = new Video("video " + i, "/videos/" + i + ".mp4", 1000, 25, 1, Map.of("camera", i % 3 == 0 ? "left" : "right"));
                ledger.registerVideo(v);
                ledger.addTrack(TrackSpec.whole(v, "pose"));
            }
        }
        System.out.printf("seeded %d tracks in %d s%n", TRACKS, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - seedStart));
        Path csv = temp.resolve("tracks.csv");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long start = System.nanoTime();
        Process p = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"), "dev.juggler.samples.JugglerCli",
                "tracks", "--ledger", temp.resolve("ledger").toString(), "--all", "--format", "csv", "--columns",
                "track,video,state,frames,tag:camera").redirectOutput(csv.toFile()).redirectError(temp.resolve("err.txt").toFile())
                .start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the export ends");
        assertEquals(0, p.exitValue(), Files.readString(temp.resolve("err.txt")));
        System.out.printf("streamed %d rows in %d ms with -Xmx64m%n", TRACKS, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        long lines = 0;
        String last = null;
        try (BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            assertEquals("track,video,state,frames,tag:camera", r.readLine());
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lines++;
                last = line;
            }
        }
        assertEquals(TRACKS, lines);
        assertTrue(last.matches(TRACKS + ",video " + (TRACKS - 1) + ",PENDING,1000,(left|right)"), last);
    }
}
