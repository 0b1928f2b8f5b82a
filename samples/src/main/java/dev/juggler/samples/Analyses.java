package dev.juggler.samples;

import dev.juggler.InvalidConfigException;
import dev.juggler.inference.openpose.OpenPoseJson;
import dev.juggler.inference.pose.MarkerPoseModel;
import dev.juggler.inference.video.FfmpegFrameSources;
import dev.juggler.pipeline.BoundedFramePipeline;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FramePipeline;
import java.util.List;

/**
 * The analyses this tool knows, by name, composed from the public API: a frame source, a model on an
 * accelerator, and an encoder. Stateless; thread-safe.
 */
final class Analyses {

    /** Colour-marker pose (no model download); writes OpenPose BODY_25 JSON. */
    static final String MARKER_POSE = "marker-pose";

    static final List<String> NAMES = List.of(MARKER_POSE);

    private Analyses() {
    }

    /** Builds the pipeline for an analysis; the caller closes it (which also closes the model). */
    static FramePipeline pipeline(String name) {
        if (!MARKER_POSE.equals(name)) {
            throw InvalidConfigException.of("analysis", name, "must be one of " + NAMES);
        }
        MarkerPoseModel model = MarkerPoseModel.create();
        return BoundedFramePipeline.builder(FfmpegFrameSources.create(), (Frame frame) -> frame, model,
                        (info, pose) -> OpenPoseJson.toJson(pose))
                .closeAcceleratorOnClose(true)
                .threadNamePrefix("juggler-" + name)
                .build();
    }
}
