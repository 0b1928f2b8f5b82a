package dev.juggler.samples.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReleaseTest {

    private static final DeployLayout LAYOUT = DeployLayout.of("/home/me/juggler");
    private static final List<String> CLASS_PATH = List.of("aa-juggler.jar", "bb-picocli.jar");

    @Test
    void aRecordReadsBackAsItWasWrittenWithEveryModel() {
        Release r = Release.of(LAYOUT, CLASS_PATH, Optional.of("cc-pose_landmark_full.tflite"),
                Optional.of("dd-pose_detection.tflite"), Optional.of("ee-object_detection_ssd_mobilenetv2_oidv4_fp16.tflite"));
        assertEquals(5, r.files());
        assertEquals(Optional.of(LAYOUT.casFile("ee-object_detection_ssd_mobilenetv2_oidv4_fp16.tflite")), r.boxDetector());
        assertEquals(r, Release.parse(r.text()));
    }

    @Test
    void theObjectDetectorIsPartOfTheReleaseId() {
        Release without = Release.of(LAYOUT, CLASS_PATH, Optional.empty(), Optional.of("dd-pose_detection.tflite"), Optional.empty());
        Release with = Release.of(LAYOUT, CLASS_PATH, Optional.empty(), Optional.of("dd-pose_detection.tflite"),
                Optional.of("ee-boxes.tflite"));
        assertNotEquals(without.id(), with.id());
        assertEquals(3, without.files());
        assertEquals(Optional.empty(), Release.parse(without.text()).boxDetector());
    }

    @Test
    void aRecordFromBeforeTheObjectDetectorHasNone() {
        Release old = Release.parse("release=0123456789abcdef\nargs=/home/me/juggler/releases/0123456789abcdef.args\n"
                + "detector=/home/me/juggler/cas/dd-pose_detection.tflite\nfiles=3\n");
        assertEquals(Optional.empty(), old.boxDetector());
        assertEquals(Optional.of("/home/me/juggler/cas/dd-pose_detection.tflite"), old.detector());
    }

    @Test
    void aHostilePathIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Release.parse("release=0123456789abcdef\n"
                + "args=/home/me/a.args\nboxDetector=/home/me/$(reboot).tflite\n"));
    }
}
