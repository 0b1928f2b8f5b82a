package dev.juggler.inference.openpose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.juggler.ledger.FrameResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenPoseFilesTest {
    @TempDir
    Path dir;

    @Test
    void namesFilesLikeOpenPose() {
        assertEquals("session1_cam2_000000000000_keypoints.json", OpenPoseFiles.fileName("session1_cam2", 0));
        assertEquals("v_000000123456_keypoints.json", OpenPoseFiles.fileName("v", 123456));
        assertEquals("v_999999999999_keypoints.json", OpenPoseFiles.fileName("v", 999_999_999_999L));
        assertEquals("session1.cam2", OpenPoseFiles.baseName(Path.of("/data/session1.cam2.mp4")));
        assertEquals("noext", OpenPoseFiles.baseName(Path.of("noext")));
        assertThrows(IllegalArgumentException.class, () -> OpenPoseFiles.fileName("a/b", 1));
        assertThrows(IllegalArgumentException.class, () -> OpenPoseFiles.fileName("v", -1));
    }

    @Test
    void writesAtomicallyAndReplaces() throws IOException {
        Path out = dir.resolve("json");
        Path f = OpenPoseFiles.writeFrame(out, "video", 7, "{\"version\":1.3,\"people\":[]}");
        assertEquals(out.resolve("video_000000000007_keypoints.json"), f);
        OpenPoseFiles.writeFrame(out, "video", 7, "{\"version\":1.3,\"people\":[ ]}");
        assertEquals("{\"version\":1.3,\"people\":[ ]}", Files.readString(f));
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(List.of(f), s.collect(Collectors.toList()), "no temporary files left");
        }
    }

    @Test
    void exportsFrameResults() throws IOException {
        List<FrameResult> results = List.of(new FrameResult(1, 0, "{\"version\":1.3,\"people\":[]}"),
                new FrameResult(1, 1, "{\"version\":1.3,\"people\":[]}"),
                new FrameResult(1, 41, "{\"version\":1.3,\"people\":[]}"));
        assertEquals(3, OpenPoseFiles.export(results, "clip", dir));
        assertEquals(3, OpenPoseFiles.export(results.stream(), "clip", dir.resolve("again")));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("again", "clip_000000000000_keypoints.json", "clip_000000000001_keypoints.json",
                    "clip_000000000041_keypoints.json"), s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()));
        }
        assertEquals(0, OpenPoseJson.read(dir.resolve("clip_000000000041_keypoints.json")).people().size());
    }
}
