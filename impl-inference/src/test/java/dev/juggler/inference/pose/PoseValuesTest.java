package dev.juggler.inference.pose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class PoseValuesTest {

    @Test
    void personEqualityIsByContentAndArraysAreCopied() {
        float[] a = {1, 2, 0.5f};
        Person p = new Person(-1, a);
        a[0] = 99;
        assertEquals(1f, p.x(0));
        p.pose2d()[0] = 99;
        assertEquals(1f, p.x(0));
        assertEquals(new Person(-1, new float[] {1, 2, 0.5f}), p);
        assertEquals(new Person(-1, new float[] {1, 2, 0.5f}).hashCode(), p.hashCode());
        assertNotEquals(new Person(3, new float[] {1, 2, 0.5f}), p);
        assertEquals(PoseFrame.of(p), new PoseFrame(List.of(new Person(-1, new float[] {1, 2, 0.5f}))));
    }

    @Test
    void personRejectsBadArrays() {
        assertThrows(IllegalArgumentException.class, () -> Person.of(new float[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> Person.of(new float[] {1, Float.NaN, 0}));
    }

    @Test
    void bodyModels() {
        assertEquals(25, BodyModel.BODY_25.keypointCount());
        assertEquals(75, BodyModel.BODY_25.arrayLength2d());
        assertEquals(18, BodyModel.COCO.keypointCount());
        assertEquals("MidHip", BodyModel.BODY_25.name(BodyModel.MID_HIP));
        assertEquals("LAnkle", BodyModel.BODY_25.name(BodyModel.L_ANKLE));
        assertEquals("RHeel", BodyModel.BODY_25.name(24));
        assertEquals(BodyModel.R_WRIST, BodyModel.BODY_25.indexOf("RWrist"));
        assertEquals("LEar", BodyModel.COCO.name(17));
    }
}
