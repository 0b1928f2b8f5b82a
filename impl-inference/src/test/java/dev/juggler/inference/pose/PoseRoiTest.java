package dev.juggler.inference.pose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PoseRoiTest {

    @Test
    void aPersonLyingHeadRightIsTurnedAQuarterClockwiseSoTheHeadIsUpInTheInput() {
        PoseRoi roi = PoseRoi.fromAlignment(100, 100, 150, 100);
        assertEquals(Math.PI / 2, roi.rotation(), 1e-5);
        RoiTransform t = roi.toInput(256);
        // The input's top centre is the head direction: to the right of the hips in the frame.
        assertEquals(100 + roi.side() / 2, t.x(128, 0), 1e-3);
        assertEquals(100, t.y(128, 0), 1e-3);
        // The input's centre is the hips.
        assertEquals(100, t.x(128, 128), 1e-3);
        assertEquals(100, t.y(128, 128), 1e-3);
    }

    @Test
    void anUprightRegionMapsTheInputOntoAnAxisAlignedSquare() {
        PoseRoi roi = new PoseRoi(50, 60, 128, 0);
        RoiTransform t = roi.toInput(256);
        assertEquals(-14, t.x(0, 0), 1e-4);
        assertEquals(-4, t.y(0, 0), 1e-4);
        assertEquals(114, t.x(256, 256), 1e-4);
        assertEquals(0.5f, t.scale(), 1e-6f);
    }

    @Test
    void rotationIsNormalisedAndTheInputCentreIsAlwaysTheHips() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 1000; i++) {
            float x0 = random.nextFloat() * 1000;
            float y0 = random.nextFloat() * 1000;
            float x1 = x0 + (random.nextFloat() - 0.5f) * 400;
            float y1 = y0 + (random.nextFloat() - 0.5f) * 400;
            PoseRoi roi = PoseRoi.fromAlignment(x0, y0, x1, y1);
            String where = "seed " + seed + " case " + i;
            assertTrue(roi.rotation() >= -Math.PI - 1e-5 && roi.rotation() <= Math.PI + 1e-5, where);
            RoiTransform t = roi.toInput(256);
            assertEquals(x0, t.x(128, 128), 1e-2, where);
            assertEquals(y0, t.y(128, 128), 1e-2, where);
            // The input's top-centre lies on the ray from the hips through the alignment point.
            float tx = t.x(128, 0) - x0;
            float ty = t.y(128, 0) - y0;
            float len = (float) Math.hypot(x1 - x0, y1 - y0);
            if (len > 1) {
                float cos = (tx * (x1 - x0) + ty * (y1 - y0)) / (float) Math.hypot(tx, ty) / len;
                assertEquals(1f, cos, 1e-3f, where);
            }
        }
    }

    @Test
    void samePersonMeansCloseHipsAndASimilarSize() {
        PoseRoi a = new PoseRoi(100, 100, 200, 0);
        assertTrue(a.samePersonAs(new PoseRoi(110, 105, 180, 0.3f), 0.15f));
        assertFalse(a.samePersonAs(new PoseRoi(140, 100, 200, 0), 0.15f), "beside each other");
        assertFalse(a.samePersonAs(new PoseRoi(100, 100, 90, 0), 0.15f), "a child in front of an adult");
    }

    @Test
    void aRegionTooSmallOrNotFiniteIsUnusable() {
        assertTrue(new PoseRoi(1, 1, 16, 0).isUsable(16));
        assertFalse(new PoseRoi(1, 1, 15, 0).isUsable(16));
        assertFalse(new PoseRoi(Float.NaN, 1, 100, 0).isUsable(16));
        assertFalse(new PoseRoi(1, 1, Float.POSITIVE_INFINITY, 0).isUsable(16));
    }

    @Test
    void theLetterboxMapCentresTheFrameInTheInput() {
        RoiTransform t = RoiTransform.letterbox(448, 224, 224);
        assertEquals(0, t.x(0, 56), 1e-4);
        assertEquals(0, t.y(0, 56), 1e-4);
        assertEquals(448, t.x(224, 168), 1e-4);
        assertEquals(224, t.y(224, 168), 1e-4);
        assertEquals(100 + 448, t.shifted(100, 0).x(224, 0), 1e-4);
    }
}
