package dev.juggler.inference.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyntheticVideoTest {

    @Test
    void barcodeRoundTripsOnRenderedFrames() {
        for (long f : new long[] {0, 1, 2, 5, 119, 1000, 65_535, (1L << 20) - 1}) {
            for (int[] size : new int[][] {{320, 240}, {640, 360}, {80, 64}}) {
                byte[] img = SyntheticVideo.render(f, size[0], size[1], true);
                Frame frame = new Frame(new FrameInfo(f, 0, size[0], size[1]), img, 3 * size[0]);
                assertEquals(f, SyntheticVideo.readFrameIndex(frame), "frame " + f + " at " + size[0] + "x" + size[1]);
            }
        }
    }

    @Test
    void aFrameWithoutBarcodeReadsAsUnknown() {
        byte[] grey = new byte[3 * 320 * 240];
        java.util.Arrays.fill(grey, (byte) 128);
        assertEquals(-1, SyntheticVideo.readFrameIndex(new Frame(new FrameInfo(0, 0, 320, 240), grey, 960)));
    }

    @Test
    void markersStayInsideTheFrameBelowTheBarcodeAndApart() {
        int w = 320;
        int h = 240;
        int r = SyntheticVideo.markerRadius(w, h);
        assertTrue(r >= 5, "radius " + r);
        for (long f = 0; f < 500; f++) {
            Map<Integer, double[]> gt = SyntheticVideo.groundTruth(f, w, h);
            assertEquals(List.of(0, 1, 4, 7, 8, 11, 14), new ArrayList<>(gt.keySet()));
            List<double[]> pts = new ArrayList<>(gt.values());
            for (double[] p : pts) {
                assertTrue(p[0] - r >= 0 && p[0] + r < w && p[1] + r < h && p[1] - r > h / 16.0 + 2,
                        "frame " + f + " marker at " + p[0] + "," + p[1]);
            }
            for (int i = 0; i < pts.size(); i++) {
                for (int j = i + 1; j < pts.size(); j++) {
                    double d = Math.hypot(pts.get(i)[0] - pts.get(j)[0], pts.get(i)[1] - pts.get(j)[1]);
                    assertTrue(d > 2 * r + 8, "frame " + f + ": markers " + i + " and " + j + " are " + d + " px apart");
                }
            }
        }
    }

    @Test
    void theFigureMoves() {
        double[] a = SyntheticVideo.groundTruth(0, 320, 240).get(1);
        double[] b = SyntheticVideo.groundTruth(10, 320, 240).get(1);
        assertTrue(Math.abs(a[0] - b[0]) > 5, "the neck walks");
    }

    @Test
    void builderValidatesNamingTheField() {
        assertTrue(assertThrows(InvalidConfigException.class, () -> SyntheticVideo.builder().frames(0))
                .getMessage().startsWith("frames = 0"));
        assertTrue(assertThrows(InvalidConfigException.class, () -> SyntheticVideo.builder().size(321, 240))
                .getMessage().startsWith("size = 321x240"));
        assertTrue(assertThrows(InvalidConfigException.class, () -> SyntheticVideo.builder().fps(0))
                .getMessage().startsWith("fps = 0"));
    }
}
