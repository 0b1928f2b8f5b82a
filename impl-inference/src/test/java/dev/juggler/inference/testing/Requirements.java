package dev.juggler.inference.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.juggler.inference.pose.PoseModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Skips a test whose real data is absent, with a one-line reason, except under {@code CI=true}, where the
 * setup scripts must have provided it and its absence fails the test (CI can never go green without it).
 */
public final class Requirements {

    /** Debian opencv-doc's pedestrian footage (scripts/setup.d/10-footage.sh). */
    public static final Path VTEST = Path.of("/usr/share/doc/opencv-doc/examples/data/vtest.avi");

    private Requirements() {
    }

    /** Requires {@code present}; {@code reason} says what is missing and how to get it. */
    public static void require(boolean present, String reason) {
        if (present) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true but " + reason);
        }
        assumeTrue(false, reason);
    }

    /** Requires the opencv-doc footage file. */
    public static Path footage(Path file) {
        require(Files.isReadable(file), "needs " + file + " (scripts/setup.d/10-footage.sh installs opencv-doc)");
        return file;
    }

    /** Requires a BlazePose model in the cache or $JUGGLER_POSE_MODEL_DIR and returns it. */
    public static Path poseModel(PoseModels.Variant variant) {
        PoseModels models = PoseModels.system();
        require(models.isAvailable(variant), "needs the BlazePose " + variant.fileName() + " model (run "
                + PoseModels.SETUP_COMMAND + ")");
        return models.locate(variant, null);
    }

    /** Requires MediaPipe's pose detector in the cache or $JUGGLER_POSE_MODEL_DIR and returns it. */
    public static Path poseDetector() {
        PoseModels models = PoseModels.system();
        require(models.isDetectorAvailable(), "needs the pose detector " + PoseModels.DETECTOR_FILE + " (run "
                + PoseModels.SETUP_COMMAND + ")");
        return models.locateDetector(null);
    }

    /** The object detector the setup step extracts (skipped outside CI, failed in CI, when absent). */
    public static Path boxDetector() {
        Optional<Path> file = PoseModels.system().locateBoxDetector(null, null);
        require(file.isPresent(), "needs the object detector " + PoseModels.BOX_DETECTOR_FILE + " (run "
                + PoseModels.SETUP_COMMAND + ")");
        return file.get();
    }
}
