package dev.juggler.inference.pose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PoseDetectionsTest {

    private static float[][] raw() {
        return new float[PoseDetections.ANCHORS][PoseDetections.COORDS];
    }

    private static float[][] logits(float value) {
        float[][] l = new float[PoseDetections.ANCHORS][1];
        for (float[] a : l) {
            a[0] = value;
        }
        return l;
    }

    @Test
    void nothingAboveTheThresholdIsNobody() {
        assertEquals(List.of(), PoseDetections.decode(raw(), logits(-3f), 0.5f, 10));
    }

    @Test
    void anAnchorsRegressionIsAnOffsetFromItsCellCentreInInputPixels() {
        float[][] raw = raw();
        float[][] logits = logits(-20f);
        // Anchor 0 sits in the first 8-pixel cell of the 28x28 layer: centre (4, 4).
        raw[0] = new float[] {10, 20, 30, 40, 1, 2, 3, 4, 5, 6, 7, 8};
        logits[0][0] = 5f;
        List<PoseDetections.Detection> found = PoseDetections.decode(raw, logits, 0.5f, 10);
        assertEquals(1, found.size());
        PoseDetections.Detection d = found.get(0);
        assertEquals(1 / (1 + Math.exp(-5)), d.score(), 1e-6);
        assertArrayEquals(new float[] {14 - 15, 24 - 20, 14 + 15, 24 + 20}, d.box(), 1e-4f);
        assertArrayEquals(new float[] {5, 6, 7, 8, 9, 10, 11, 12}, d.keypoints(), 1e-4f);
    }

    @Test
    void theLastAnchorsSitInTheCoarsestLayersLastCell() {
        float[][] raw = raw();
        float[][] logits = logits(-20f);
        raw[PoseDetections.ANCHORS - 1] = new float[] {0, 0, 8, 8, 0, 0, 0, 0, 0, 0, 0, 0};
        logits[PoseDetections.ANCHORS - 1][0] = 3f;
        PoseDetections.Detection d = PoseDetections.decode(raw, logits, 0.5f, 10).get(0);
        float centre = 6.5f * 32; // cell 6 of the 7x7 layer, stride 32
        assertArrayEquals(new float[] {centre - 4, centre - 4, centre + 4, centre + 4}, d.box(), 1e-3f);
    }

    @Test
    void hugeLogitsAreClippedAndBrokenBoxesDropped() {
        float[][] raw = raw();
        float[][] logits = logits(-20f);
        raw[5] = new float[] {0, 0, 10, 10, 0, 0, 0, 0, 0, 0, 0, 0};
        logits[5][0] = Float.POSITIVE_INFINITY;
        raw[6] = new float[] {Float.NaN, 0, 10, 10, 0, 0, 0, 0, 0, 0, 0, 0};
        logits[6][0] = 10f;
        raw[7] = new float[] {0, 0, -1, 10, 0, 0, 0, 0, 0, 0, 0, 0};
        logits[7][0] = 10f;
        logits[8][0] = Float.NaN;
        List<PoseDetections.Detection> found = PoseDetections.decode(raw, logits, 0.5f, 10);
        assertEquals(1, found.size());
        assertEquals(1f, found.get(0).score(), 1e-6f);
    }

    @Test
    void overlappingProposalsAreAveragedByScoreUnderTheBestScore() {
        PoseDetections.Detection a = new PoseDetections.Detection(0.9f, new float[] {0, 0, 10, 10}, new float[] {0, 0, 0, 0, 0, 0, 0, 0});
        PoseDetections.Detection b = new PoseDetections.Detection(0.6f, new float[] {2, 0, 12, 10}, new float[] {10, 0, 0, 0, 0, 0, 0, 0});
        PoseDetections.Detection far = new PoseDetections.Detection(0.7f, new float[] {50, 50, 60, 60}, new float[8]);
        List<PoseDetections.Detection> out = PoseDetections.weightedNms(List.of(b, far, a), 10);
        assertEquals(2, out.size());
        assertEquals(0.9f, out.get(0).score());
        float w = 0.6f / 1.5f;
        assertArrayEquals(new float[] {2 * w, 0, 10 + 2 * w, 10}, out.get(0).box(), 1e-5f);
        assertEquals(10 * w, out.get(0).keypoints()[0], 1e-5f);
        assertEquals(0.7f, out.get(1).score());
        assertEquals(1, PoseDetections.weightedNms(List.of(b, far, a), 1).size());
    }

    @Test
    void aDetectionPlacesAnUprightRegionAroundTheHips() {
        // Hips at (100, 200), the body-size point 80 pixels straight above them.
        PoseDetections.Detection d = new PoseDetections.Detection(0.9f, new float[] {90, 100, 110, 120},
                new float[] {100, 200, 100, 120, 0, 0, 0, 0});
        PoseRoi roi = d.roi();
        assertEquals(100f, roi.cx(), 1e-4f);
        assertEquals(200f, roi.cy(), 1e-4f);
        assertEquals(80f * 2 * PoseRoi.SCALE, roi.side(), 1e-3f);
        assertEquals(0f, roi.rotation(), 1e-6f);
        PoseDetections.Detection inFrame = d.toFrame(new RoiTransform(2, 0, 10, 0, 2, 20));
        assertArrayEquals(new float[] {190, 220, 230, 260}, inFrame.box(), 1e-4f);
        assertTrue(inFrame.roi().side() > roi.side() * 1.99f);
    }
}
