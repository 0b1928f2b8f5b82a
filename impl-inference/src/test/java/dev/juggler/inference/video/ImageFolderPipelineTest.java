package dev.juggler.inference.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.openpose.OpenPoseFiles;
import dev.juggler.inference.openpose.OpenPoseJson;
import dev.juggler.inference.pose.MarkerPoseModel;
import dev.juggler.inference.testing.ImageFixtures;
import dev.juggler.inference.testing.Requirements;
import dev.juggler.ledger.FrameResult;
import dev.juggler.pipeline.BoundedFramePipeline;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FramePipeline;
import dev.juggler.pipeline.PipelineReport;
import dev.juggler.pipeline.PipelineRequest;
import dev.juggler.video.FrameRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An image folder through a whole pipeline, and its OpenPose files named as for a video. */
class ImageFolderPipelineTest {
    @TempDir
    Path dir;

    @Test
    void framesOfAFolderAreAnalysedAndExportedUnderTheFolderName() throws Exception {
        ImageFixtures.requireFfmpeg();
        Path folder = dir.resolve("walk.seq 'A' $(id)");
        ImageFixtures.framesOf(Requirements.footage(Requirements.VTEST), folder, "frame%d.jpg", 20, 1);
        List<FrameResult> results = new ArrayList<>();
        try (FramePipeline pipeline = BoundedFramePipeline.builder(FfmpegFrameSources.create(), (Frame frame) -> frame,
                        MarkerPoseModel.create(), (info, pose) -> OpenPoseJson.toJson(pose))
                .closeAcceleratorOnClose(true).build()) {
            PipelineReport report = pipeline.run(PipelineRequest.simple(9, folder.toString(), FrameRange.of(5, 20),
                    results::add));
            assertTrue(report.isComplete(), report.toString());
        }
        assertEquals(15, results.size());
        for (int i = 0; i < 15; i++) {
            assertEquals(5 + i, results.get(i).frame());
            OpenPoseJson.read(results.get(i).payload());
        }
        // As for a video file: the name without its last extension, then the 12-digit frame index.
        String base = OpenPoseFiles.baseName(folder);
        assertEquals("walk", base);
        Path out = dir.resolve("json");
        assertEquals(15, OpenPoseFiles.export(results, base, out));
        try (Stream<Path> files = OpenPoseFiles.jsonFiles(out)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertEquals("walk_000000000005_keypoints.json", names.get(0));
            assertEquals("walk_000000000019_keypoints.json", names.get(14));
        }
        assertTrue(Files.notExists(dir.resolve("x")));
    }
}
