package dev.juggler.inference.pose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link PoseNms}: one person per place when overlapping tiles see the same person twice. */
class PoseNmsTest {

    /** A person whose keypoints span the box (x0, y0)–(x1, y1): two corners, the rest missing. */
    private static Person person(float x0, float y0, float x1, float y1) {
        float[] pose = new float[BodyModel.BODY_25.arrayLength2d()];
        pose[0] = x0;
        pose[1] = y0;
        pose[2] = 0.9f;
        pose[3] = x1;
        pose[4] = y1;
        pose[5] = 0.8f;
        return Person.of(pose);
    }

    private static PoseFrame merge(PoseNms.Scored... found) {
        return PoseNms.merge(new ArrayList<>(List.of(found)));
    }

    @Test
    void nobodyAndOnePersonPassThrough() {
        assertSame(PoseFrame.EMPTY, merge());
        Person one = person(0, 0, 10, 10);
        assertEquals(List.of(one), merge(new PoseNms.Scored(one, 0.6f)).people());
    }

    @Test
    void ofTwoOverlappingPeopleTheHigherScoredStays() {
        Person weak = person(0, 0, 100, 100);
        Person strong = person(10, 10, 110, 110); // IoU 8100 / 11900 = 0.68
        assertEquals(List.of(strong), merge(new PoseNms.Scored(weak, 0.6f), new PoseNms.Scored(strong, 0.9f)).people());
    }

    @Test
    void peopleApartOrOverlappingByAThirdOrLessAllStayInScoreOrder() {
        Person a = person(0, 0, 100, 100);
        Person b = person(50, 0, 150, 100); // IoU 5000 / 15000 = 1/3: not more than a third
        Person c = person(500, 500, 600, 600); // apart
        assertEquals(List.of(c, a, b), merge(new PoseNms.Scored(a, 0.7f), new PoseNms.Scored(b, 0.6f),
                new PoseNms.Scored(c, 0.8f)).people());
    }

    @Test
    void intersectionOverUnion() {
        assertEquals(0f, PoseNms.iou(new float[] {0, 0, 1, 1}, new float[] {2, 2, 3, 3}));
        assertEquals(1f, PoseNms.iou(new float[] {0, 0, 2, 2}, new float[] {0, 0, 2, 2}));
        assertEquals(0.25f, PoseNms.iou(new float[] {0, 0, 2, 2}, new float[] {0, 0, 2, 0.5f}), 1e-6);
    }
}
