package dev.juggler.inference.openpose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every OpenPose writer version, faces and hands kept, precise errors, directory walks. */
class OpenPoseDocumentTest {

    @TempDir
    Path tmp;

    static String zeros(int values) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < values; i++) {
            s.append(i == 0 ? "" : ",").append(i % 3 == 2 ? "0.5" : Integer.toString(i));
        }
        return s.toString();
    }

    @Test
    void readsVersion10KeysWithoutSuffix() {
        String v10 = "{\"version\":1.0,\"people\":[{\"pose_keypoints\":[" + zeros(54) + "],\"face_keypoints\":[],"
                + "\"hand_left_keypoints\":[" + zeros(63) + "],\"hand_right_keypoints\":[]}]}";
        OpenPoseDocument d = OpenPoseJson.readDocument(v10, "v10.json");
        assertEquals(Optional.of("1.0"), d.version());
        OpenPosePerson p = d.people().get(0);
        assertEquals(54, p.pose2d().length, "COCO: 18 keypoints");
        assertEquals(63, p.handLeft2d().length, "a hand is kept, not discarded");
        assertEquals(-1, p.personId());
    }

    @Test
    void readsVersion01BodyPartsAndPoseKeypointsButNotBothInOnePerson() {
        // OpenPose 1.0's release candidates wrote version 0.1, first with "body_parts", later "pose_keypoints".
        String bodyParts = "{\n\"version\":0.1,\n\"people\":[\n{\n\"body_parts\":[\n" + zeros(54) + "\n]\n}\n]\n}\n";
        OpenPoseDocument d = OpenPoseJson.readDocument(bodyParts, "v01.json");
        assertEquals(Optional.of("0.1"), d.version());
        assertEquals(54, d.people().get(0).pose2d().length);
        assertEquals(3f, d.people().get(0).pose2d()[3]);
        String poseKeypoints = "{\"version\":0.1,\"people\":[{\"pose_keypoints\":[" + zeros(54) + "]}]}";
        assertEquals(Optional.empty(), d.firstDifference(OpenPoseJson.readDocument(poseKeypoints, "v01b.json")));
        String both = "{\"version\":0.1,\"people\":[{\"body_parts\":[1,2,0.5],\"pose_keypoints\":[1,2,0.5]}]}";
        OpenPoseFormatException e = assertThrows(OpenPoseFormatException.class, () -> OpenPoseJson.readDocument(both, "both.json"));
        assertTrue(e.getMessage().contains("both.json") && e.getMessage().contains("people[0].pose_keypoints appears twice"),
                e.getMessage());
    }

    @Test
    void readsVersion11PrettyWithPartCandidates() {
        String v11 = "{\n  \"version\": 1.1,\n  \"people\": [\n    {\n      \"pose_keypoints\": [" + zeros(45)
                + "]\n    }\n  ],\n  \"part_candidates\": [\n    {\"0\": [1,2,0.9, 3,4,0.8], \"1\": []}\n  ]\n}\n";
        OpenPoseDocument d = OpenPoseJson.readDocument(v11, "v11.json");
        assertEquals(45, d.people().get(0).pose2d().length, "MPI: 15 keypoints");
        assertArrayEquals(new float[] {1, 2, 0.9f, 3, 4, 0.8f}, d.partCandidates().orElseThrow().get(0).get("0"));
        String rewritten = OpenPoseJson.toJson(d);
        assertTrue(rewritten.startsWith("{\"version\":1.3,\"people\":[{\"person_id\":[-1],\"pose_keypoints_2d\":["), rewritten);
        assertTrue(rewritten.endsWith("\"part_candidates\":[{\"0\":[1,2,0.9,3,4,0.8],\"1\":[]}]}"), rewritten);
        assertEquals(Optional.empty(), d.firstDifference(OpenPoseJson.readDocument(rewritten, "again")));
    }

    @Test
    void readsVersion12And13With3dFacesAndHandsAndRoundTripsExactly() {
        String v13 = "{\"version\":1.3,\"people\":[{\"person_id\":[4],\"pose_keypoints_2d\":[" + zeros(75) + "],"
                + "\"face_keypoints_2d\":[" + zeros(210) + "],\"hand_left_keypoints_2d\":[" + zeros(63) + "],"
                + "\"hand_right_keypoints_2d\":[" + zeros(63) + "],\"pose_keypoints_3d\":[1,2,3,0.5,4,5,6,0.25],"
                + "\"face_keypoints_3d\":[],\"hand_left_keypoints_3d\":[],\"hand_right_keypoints_3d\":[]}]}";
        OpenPoseDocument d = OpenPoseJson.readDocument(v13, "v13.json");
        OpenPosePerson p = d.people().get(0);
        assertEquals(4, p.personId());
        assertEquals(210, p.face2d().length);
        assertArrayEquals(new float[] {1, 2, 3, 0.5f, 4, 5, 6, 0.25f}, p.pose3d());
        assertEquals(v13, OpenPoseJson.toJson(d), "1.3 is re-written byte for byte");
        String v12 = v13.replace("\"version\":1.3", "\"version\":1.2").replace("\"person_id\":[4],", "");
        OpenPoseDocument d12 = OpenPoseJson.readDocument(v12, "v12.json");
        assertEquals(Optional.of("1.2"), d12.version());
        assertEquals(-1, d12.people().get(0).personId());
        assertEquals(d.people().get(0).face2d().length, d12.people().get(0).face2d().length);
        assertEquals(25, OpenPoseJson.read(v12, "v12.json").people().get(0).keypointCount());
    }

    @Test
    void errorsNameTheFilePersonFieldAndIndex() {
        String base = "{\"version\":1.3,\"people\":[{\"pose_keypoints_2d\":[1,2,0.5]},{\"pose_keypoints_2d\":[1,2,0.5],"
                + "\"face_keypoints_2d\":[%s]}]}";
        assertMessage(String.format(base, "1,2,NaN"), "people[1].face_keypoints_2d[2] is NaN");
        assertMessage(String.format(base, "1,Infinity,3"), "people[1].face_keypoints_2d[1] is Infinity");
        assertMessage(String.format(base, "1,\"2\",3"), "people[1].face_keypoints_2d[1] must be a number");
        assertMessage(String.format(base, "1,2"), "people[1].face_keypoints_2d has 2 values, not a multiple of 3");
        assertMessage(String.format(base, "1,2,3").replace("\"face_keypoints_2d\"", "\"pose_keypoints_3d\""),
                "people[1].pose_keypoints_3d has 3 values, not a multiple of 4");
        assertMessage("{\"version\":1.3,\"people\":[{\"pose_keypoints_2d\":[],\"pose_keypoints_2d\":[]}]}", "appears twice");
        assertMessage("{\"version\":1.3,\"people\":[{\"person_id\":[\"a\"]}]}", "people[0].person_id[0] must be an integer");
        assertMessage("{\"version\":1.3,\"people\":{}}", "\"people\" must be an array");
        assertMessage("{\"version\":1.3,\"people\":[],\"part_candidates\":[{\"3\":[1,2]}]}",
                "part_candidates[0].3 has 2 values");
        assertMessage("{\"version\":\"x\",\"people\":[]", "not valid JSON");
    }

    private static void assertMessage(String json, String expected) {
        OpenPoseFormatException e = assertThrows(OpenPoseFormatException.class,
                () -> OpenPoseJson.readDocument(json, "dir/video_000000000007_keypoints.json"));
        assertTrue(e.getMessage().contains("dir/video_000000000007_keypoints.json"), e.getMessage());
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }

    @Test
    void walksADirectoryInFrameOrderReportingBadFilesWithoutStopping() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("json"));
        int n = 2_000;
        for (int f = n - 1; f >= 0; f--) {
            String json = f == 1234 ? "{\"version\":1.3,\"people\":[{\"pose_keypoints_2d\":[1,2]}]}"
                    : "{\"version\":1.3,\"people\":[{\"person_id\":[-1],\"pose_keypoints_2d\":[" + f + ",1,0.5]}]}";
            Files.writeString(dir.resolve(OpenPoseFiles.fileName("v", f)), json);
        }
        Files.writeString(dir.resolve("notes.txt"), "not json");
        List<Long> order = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        long visited = OpenPoseFiles.readAll(dir, (file, doc, error) -> {
            if (error != null) {
                errors.add(error.getMessage());
            } else {
                order.add((long) doc.people().get(0).pose2d()[0]);
            }
        });
        assertEquals(n, visited);
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).contains("v_000000001234_keypoints.json") && errors.get(0).contains("not a multiple of 3"),
                errors.get(0));
        for (int i = 1; i < order.size(); i++) {
            assertTrue(order.get(i) > order.get(i - 1), "frame order");
        }
    }
}
