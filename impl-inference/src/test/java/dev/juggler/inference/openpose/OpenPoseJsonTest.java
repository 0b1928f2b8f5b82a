package dev.juggler.inference.openpose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.pose.Person;
import dev.juggler.inference.pose.PoseFrame;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenPoseJsonTest {
    static final String EMPTY_PARTS = "\"face_keypoints_2d\":[],\"hand_left_keypoints_2d\":[],\"hand_right_keypoints_2d\":[],"
            + "\"pose_keypoints_3d\":[],\"face_keypoints_3d\":[],\"hand_left_keypoints_3d\":[],\"hand_right_keypoints_3d\":[]";

    static Person body25() {
        float[] p = new float[75];
        set(p, 0, 352.974f, 164.596f, 0.897848f);
        set(p, 1, 354.0f, 222.5f, 0.9f);
        set(p, 8, 1234567f, 0.00001234f, 1f);
        set(p, 24, 12.5f, 640f, 0.05f);
        return Person.of(p);
    }

    static void set(float[] p, int k, float x, float y, float c) {
        p[3 * k] = x;
        p[3 * k + 1] = y;
        p[3 * k + 2] = c;
    }

    @Test
    void writesExactlyWhatOpenPoseWrites() {
        StringBuilder pose = new StringBuilder("352.974,164.596,0.897848,354,222.5,0.9");
        for (int k = 2; k < 8; k++) {
            pose.append(",0,0,0");
        }
        pose.append(",1.23457e+06,1.234e-05,1");
        for (int k = 9; k < 24; k++) {
            pose.append(",0,0,0");
        }
        pose.append(",12.5,640,0.05");
        String expected = "{\"version\":1.3,\"people\":[{\"person_id\":[-1],\"pose_keypoints_2d\":[" + pose + "],"
                + EMPTY_PARTS + "}]}";
        assertEquals(expected, OpenPoseJson.toJson(PoseFrame.of(body25())));
    }

    @Test
    void nobodyIsAnEmptyPeopleArray() {
        assertEquals("{\"version\":1.3,\"people\":[]}", OpenPoseJson.toJson(PoseFrame.EMPTY));
        assertEquals(PoseFrame.EMPTY, OpenPoseJson.read("{\"version\":1.3,\"people\":[]}"));
    }

    @Test
    void twoPeopleWithIds() {
        Person a = new Person(0, new float[] {1, 2, 0.5f});
        Person b = new Person(7, new float[] {3, 4, 0.25f});
        String json = OpenPoseJson.toJson(PoseFrame.of(a, b));
        assertEquals("{\"version\":1.3,\"people\":[{\"person_id\":[0],\"pose_keypoints_2d\":[1,2,0.5]," + EMPTY_PARTS
                + "},{\"person_id\":[7],\"pose_keypoints_2d\":[3,4,0.25]," + EMPTY_PARTS + "}]}", json);
        assertEquals(PoseFrame.of(a, b), OpenPoseJson.read(json));
    }

    @Test
    void roundTripsWithinSixSignificantDigits() {
        PoseFrame in = PoseFrame.of(body25(), Person.of(new float[75]));
        PoseFrame out = OpenPoseJson.read(OpenPoseJson.toJson(in));
        assertEquals(2, out.people().size());
        for (int i = 0; i < 2; i++) {
            Person a = in.people().get(i);
            Person b = out.people().get(i);
            assertEquals(a.personId(), b.personId());
            assertEquals(a.keypointCount(), b.keypointCount());
            for (int k = 0; k < a.keypointCount(); k++) {
                assertEquals(a.x(k), b.x(k), Math.abs(a.x(k)) * 1e-5);
                assertEquals(a.y(k), b.y(k), Math.abs(a.y(k)) * 1e-5);
                assertEquals(a.confidence(k), b.confidence(k), 1e-6);
            }
        }
        // Writing what was read gives the same bytes.
        String once = OpenPoseJson.toJson(in);
        assertEquals(once, OpenPoseJson.toJson(OpenPoseJson.read(once)));
    }

    @Test
    void readsOlderVersionsAndSkipsUnknownFields() {
        String v11 = "{\n\"version\":1.1,\n\"people\":[\n{\n\"pose_keypoints\":[1,2,0.5,3,4,0.25],\n"
                + "\"face_keypoints\":[],\n\"hand_left_keypoints\":[],\n\"hand_right_keypoints\":[]\n}\n],"
                + "\"part_candidates\":[{\"0\":[1,2,0.3]}]\n}";
        PoseFrame f = OpenPoseJson.read(v11, "old.json");
        assertEquals(List.of(new Person(-1, new float[] {1, 2, 0.5f, 3, 4, 0.25f})), f.people());
    }

    @Test
    void rejectsNaNNamingSourcePersonFieldAndIndex() {
        String json = "{\"version\":1.3,\"people\":[{\"person_id\":[-1],\"pose_keypoints_2d\":[1,2,0.5]},"
                + "{\"person_id\":[-1],\"pose_keypoints_2d\":[1,2,0.5,4,NaN,0.5]}]}";
        OpenPoseFormatException e = assertThrows(OpenPoseFormatException.class,
                () -> OpenPoseJson.read(json, "v_000000000042_keypoints.json"));
        String m = e.getMessage();
        assertTrue(m.contains("v_000000000042_keypoints.json") && m.contains("people[1]")
                && m.contains("pose_keypoints_2d[4]") && m.contains("NaN"), m);
        assertEquals("v_000000000042_keypoints.json", e.source());
    }

    @Test
    void rejectsLengthsThatAreNotWholeKeypoints() {
        String json = "{\"version\":1.3,\"people\":[{\"person_id\":[-1],\"pose_keypoints_2d\":[1,2,0.5,4]}]}";
        String m = assertThrows(OpenPoseFormatException.class, () -> OpenPoseJson.read(json, "f.json")).getMessage();
        assertTrue(m.contains("people[0].pose_keypoints_2d has 4 values, not a multiple of 3"), m);
        String json3d = "{\"version\":1.3,\"people\":[{\"pose_keypoints_2d\":[],\"pose_keypoints_3d\":[1,2,3]}]}";
        m = assertThrows(OpenPoseFormatException.class, () -> OpenPoseJson.read(json3d, "g.json")).getMessage();
        assertTrue(m.contains("pose_keypoints_3d has 3 values, not a multiple of 4"), m);
    }

    @Test
    void rejectsMalformedDocuments() {
        for (String bad : new String[] {"", "[]", "{\"version\":1.3}", "{\"people\":{}}", "{\"people\":[1]}",
                "{\"people\":[{\"pose_keypoints_2d\":[\"x\",1,2]}]}", "{\"people\":[]} trailing",
                "{\"people\":[{\"pose_keypoints_2d\":[1,nan,1]}]}"}) {
            OpenPoseFormatException e = assertThrows(OpenPoseFormatException.class, () -> OpenPoseJson.read(bad, "bad.json"),
                    bad);
            assertTrue(e.getMessage().contains("bad.json"), e.getMessage());
        }
    }
}
