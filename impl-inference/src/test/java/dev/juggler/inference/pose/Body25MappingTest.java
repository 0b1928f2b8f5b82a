package dev.juggler.inference.pose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link Body25Mapping}: BlazePose landmarks to BODY_25 in frame pixels, without the model. */
class Body25MappingTest {

    private static final float BIG = 20f; // a logit whose sigmoid is 1 to float precision

    /** Raw output with landmark i at model pixel (x, y) and the given visibility/presence logits. */
    private static float[] raw() {
        return new float[39 * 5];
    }

    private static void put(float[] raw, int landmark, float x, float y, float visibility, float presence) {
        raw[landmark * 5] = x;
        raw[landmark * 5 + 1] = y;
        raw[landmark * 5 + 3] = visibility;
        raw[landmark * 5 + 4] = presence;
    }

    @Test
    void mapsLandmarksToBody25InSourcePixels() {
        // A 512x256 frame letterboxed into 256x256: scale 0.5, 64 px black bars above and below.
        Letterbox.Crop crop = Letterbox.Crop.of(0, 0, 512, 256);
        assertEquals(0.5f, crop.scale());
        assertEquals(0f, crop.padX());
        assertEquals(64f, crop.padY());
        float[] raw = raw();
        put(raw, 0, 100, 100, BIG, BIG);      // nose → (200, 72)
        put(raw, 11, 120, 110, BIG, BIG);     // left shoulder → (240, 92)
        put(raw, 12, 80, 110, 0f, BIG);       // right shoulder → (160, 92), visibility 0.5
        put(raw, 23, 120, 150, BIG, BIG);     // left hip
        put(raw, 24, 80, 150, BIG, -BIG);     // right hip: not present
        put(raw, 31, 130, 250, BIG, BIG);     // left foot index → model y 250 is in the bottom bar: outside
        Person p = Body25Mapping.map(raw, crop, 512, 256);
        assertEquals(25, p.keypointCount());
        assertEquals(200f, p.x(BodyModel.NOSE), 1e-4);
        assertEquals(72f, p.y(BodyModel.NOSE), 1e-4);
        assertEquals(1f, p.confidence(BodyModel.NOSE), 1e-6);
        assertEquals(200f, p.x(BodyModel.NECK), 1e-4, "neck = middle of the shoulders");
        assertEquals(92f, p.y(BodyModel.NECK), 1e-4);
        assertEquals(0.5f, p.confidence(BodyModel.NECK), 1e-6, "the weaker shoulder");
        assertEquals(160f, p.x(2), 1e-4, "RShoulder from landmark 12");
        assertEquals(240f, p.x(5), 1e-4, "LShoulder from landmark 11");
        assertEquals(0f, p.confidence(9), 1e-6, "RHip: presence logit -20 gives ~0");
        for (int k : new int[] {BodyModel.MID_HIP, 19, 20, 23}) {
            // MidHip needs both hips (the right one is absent); toes outside the frame or not in BlazePose.
            if (p.confidence(k) > 1e-6f) {
                throw new AssertionError("keypoint " + k + " should be missing: " + p);
            }
        }
        assertEquals(0f, p.x(20));
        assertEquals(0f, p.y(20));
    }

    @Test
    void aPoseEntirelyOutsideTheFrameIsNobody() {
        float[] raw = raw();
        for (int i = 0; i < 33; i++) {
            put(raw, i, 10, 10, BIG, BIG); // all in the top bar
        }
        assertNull(Body25Mapping.map(raw, Letterbox.Crop.of(0, 0, 512, 256), 512, 256));
    }
}
