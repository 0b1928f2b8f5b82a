package dev.juggler.inference.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.testing.DamageComparison;
import dev.juggler.inference.testing.Requirements;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.PixelFormat;
import dev.juggler.video.DamagedFrameException;
import dev.juggler.video.FrameRange;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pictures that MS-MPEG4 decodes with logged errors but neither drops nor flags ({@code vtest.avi} with a
 * damaged frame header at 300: "dc overflow" in ten later pictures) fail one by one, with the
 * decoder's words; the streak limit hands such pictures back once a decoder logs errors for every picture.
 */
class LoggedDecoderErrorsTest {

    @TempDir
    Path dir;

    @Test
    void picturesTheDecoderLoggedErrorsForFailWithItsWordsAndTheRestIsDelivered() throws Exception {
        Path damaged = DamageComparison.damage(Requirements.footage(Requirements.VTEST), dir, "frame header", 300);
        List<List<Long>> read = read(damaged, Integer.MAX_VALUE);
        List<Long> failed = read.get(1);
        assertEquals(11, failed.size(), "the damaged frame and the ten the decoder logged errors for: " + failed);
        assertEquals(300L, failed.get(0));
        assertEquals(795 - 11, read.get(0).size());
        for (int i = 1; i < read.get(0).size(); i++) {
            assertTrue(read.get(0).get(i) > read.get(0).get(i - 1), "delivered in order, each once");
        }
    }

    @Test
    void aDecoderThatLogsForEveryPictureStopsFailingThemAfterTheStreakLimit() throws Exception {
        Path damaged = DamageComparison.damage(Requirements.footage(Requirements.VTEST), dir, "frame header", 300);
        // Here the logged pictures are scattered (358, 361, 376, ...), never two in a row: a limit of 0 lets
        // the first one through, and with it the decoder's log stops failing pictures in this source.
        List<List<Long>> read = read(damaged, 0);
        assertEquals(List.of(300L), read.get(1), "only the damaged frame itself");
        assertEquals(795 - 1, read.get(0).size());
    }

    @Test
    void aCleanVideoLosesNothingAndLogsNothing() throws Exception {
        long before = DecoderErrors.count("msmpeg4v3");
        List<List<Long>> read = read(Requirements.footage(Requirements.VTEST), Integer.MAX_VALUE);
        assertEquals(List.of(), read.get(1));
        assertEquals(795, read.get(0).size());
        assertEquals(before, DecoderErrors.count("msmpeg4v3"));
    }

    @Test
    void aLineIsToldApartByWhoLoggedIt() {
        assertEquals("msmpeg4v3", DecoderErrors.source("[msmpeg4v3 @ 0x55d0c8e0] dc overflow- block: 3 qscale: 5//\n"));
        assertEquals("mov,mp4,m4a,3gp,3g2,mj2", DecoderErrors.source("[mov,mp4,m4a,3gp,3g2,mj2 @ 0x7ff9] stream 0: partial file"));
        assertEquals("", DecoderErrors.source("a line without a prefix @ all"));
        assertEquals("", DecoderErrors.source("[no at sign] x"));
    }

    // {delivered frame indices, failed frame indices}; the failure messages must carry the decoder's words
    private static List<List<Long>> read(Path video, int streakLimit) {
        List<Long> delivered = new ArrayList<>();
        List<Long> failed = new ArrayList<>();
        try (FfmpegFrameSource source = FfmpegFrameSource.open(video.toString(), FrameRange.of(0, 795), 1, PixelFormat.BGR24)
                .maxLoggedErrorStreak(streakLimit)) {
            while (true) {
                try {
                    Frame frame = source.next();
                    if (frame == null) {
                        break;
                    }
                    delivered.add(frame.index());
                } catch (DamagedFrameException e) {
                    failed.add(e.frameIndex());
                    if (failed.size() > 1) {
                        assertTrue(e.getMessage().contains("the decoder reported errors while decoding it")
                                && e.getMessage().contains("msmpeg4"), e.getMessage());
                    }
                }
            }
        }
        return List.of(delivered, failed);
    }
}
