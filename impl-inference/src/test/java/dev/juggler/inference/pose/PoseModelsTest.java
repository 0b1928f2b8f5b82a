package dev.juggler.inference.pose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.JugglerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PoseModelsTest {

    @TempDir
    Path tmp;

    @Test
    void aUserPathWinsAsFileOrFolderWithoutChecksum() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("mine"));
        Path file = Files.writeString(dir.resolve("pose_landmark_full.tflite"), "my own model");
        PoseModels models = PoseModels.of(k -> null, tmp.resolve("home"));
        assertEquals(file, models.locate(PoseModels.Variant.FULL, dir));
        assertEquals(file, models.locate(PoseModels.Variant.FULL, file));
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class,
                () -> models.locate(PoseModels.Variant.LITE, dir));
        assertTrue(e.getMessage().contains("pose_landmark_lite.tflite") && e.getMessage().contains(PoseModels.SETUP_COMMAND),
                e.getMessage());
    }

    @Test
    void missingEverywhereSaysWhereItLookedAndHowToGetIt() {
        Path home = tmp.resolve("home");
        PoseModels models = PoseModels.of(Map.of(PoseModels.ENV_MODEL_DIR, tmp.resolve("env").toString())::get, home);
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class,
                () -> models.locate(PoseModels.Variant.LITE, null));
        assertFalse(e.isTransient());
        assertTrue(e.getMessage().contains(tmp.resolve("env").toString()), e.getMessage());
        assertTrue(e.getMessage().contains(PoseModels.defaultCacheDir(home).toString()), e.getMessage());
        assertTrue(e.getMessage().contains("npm pack " + PoseModels.NPM_PACKAGE), e.getMessage());
        assertFalse(models.isAvailable(PoseModels.Variant.LITE));
    }

    @Test
    void aCachedModelWithTheWrongChecksumIsRefused() throws Exception {
        Path home = tmp.resolve("home");
        Path cache = Files.createDirectories(PoseModels.defaultCacheDir(home));
        Files.writeString(cache.resolve("pose_landmark_heavy.tflite"), "not the model");
        PoseModels models = PoseModels.of(k -> null, home);
        JugglerException e = assertThrows(JugglerException.class, () -> models.locate(PoseModels.Variant.HEAVY, null));
        assertTrue(e.getMessage().contains(PoseModels.expectedSha256(PoseModels.Variant.HEAVY)), e.getMessage());
    }

    @Test
    void theDetectorIsFoundAndVerifiedLikeTheLandmarkModels() throws Exception {
        Path home = tmp.resolve("home");
        PoseModels models = PoseModels.of(k -> null, home);
        ModelNotFoundException missing = assertThrows(ModelNotFoundException.class, () -> models.locateDetector(null));
        assertTrue(missing.getMessage().contains(PoseModels.DETECTOR_FILE) && missing.getMessage().contains(PoseModels.SETUP_COMMAND),
                missing.getMessage());
        assertFalse(models.isDetectorAvailable());
        Path mine = Files.writeString(tmp.resolve("my detector.tflite"), "a detector of my own");
        assertEquals(mine, models.locateDetector(mine), "a user's file is taken as given");
        Path cache = Files.createDirectories(PoseModels.defaultCacheDir(home));
        Files.writeString(cache.resolve(PoseModels.DETECTOR_FILE), "not the detector");
        JugglerException wrong = assertThrows(JugglerException.class, () -> models.locateDetector(null));
        assertTrue(wrong.getMessage().contains(PoseModels.DETECTOR_FILE), wrong.getMessage());
        assertFalse(models.isDetectorAvailable());
    }

    @Test
    void theObjectDetectorIsOptionalButVerifiedAndAGivenPathMustHoldIt() throws Exception {
        Path home = tmp.resolve("home");
        PoseModels models = PoseModels.of(k -> null, home);
        assertEquals(java.util.Optional.empty(), models.locateBoxDetector(null, null), "absent: the pose detector alone");
        Path folder = Files.createDirectories(tmp.resolve("models 'x'"));
        Path detector = Files.writeString(folder.resolve(PoseModels.DETECTOR_FILE), "a detector");
        assertEquals(java.util.Optional.empty(), models.locateBoxDetector(null, detector));
        Path next = Files.writeString(folder.resolve(PoseModels.BOX_DETECTOR_FILE), "boxes of my own");
        assertEquals(java.util.Optional.of(next), models.locateBoxDetector(null, detector), "next to the person detector");
        assertEquals(java.util.Optional.of(next), models.locateBoxDetector(folder, null), "a folder holding it");
        ModelNotFoundException missing = assertThrows(ModelNotFoundException.class,
                () -> models.locateBoxDetector(tmp.resolve("nowhere"), detector));
        assertTrue(missing.getMessage().contains("nowhere"), missing.getMessage());
        Path cache = Files.createDirectories(PoseModels.defaultCacheDir(home));
        Files.writeString(cache.resolve(PoseModels.BOX_DETECTOR_FILE), "not the detector");
        JugglerException wrong = assertThrows(JugglerException.class, () -> models.locateBoxDetector(null, null));
        assertTrue(wrong.getMessage().contains(PoseModels.BOX_NPM_PACKAGE), wrong.getMessage());
    }

    @Test
    void checksumsAreRecordedForEveryVariant() {
        for (PoseModels.Variant v : PoseModels.Variant.values()) {
            assertTrue(PoseModels.expectedSha256(v).matches("[0-9a-f]{64}"), v.name());
        }
        assertEquals(PoseModels.Variant.HEAVY, PoseModels.Variant.parse(" Heavy "));
        assertThrows(IllegalArgumentException.class, () -> PoseModels.Variant.parse("huge"));
    }
}
