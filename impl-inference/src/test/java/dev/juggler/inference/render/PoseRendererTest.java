package dev.juggler.inference.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.pose.BodyModel;
import dev.juggler.inference.pose.Person;
import dev.juggler.inference.pose.PoseFrame;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameInfo;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The renderer's pixels: OpenPose's limb colours where the limbs are, nothing under the threshold. */
class PoseRendererTest {

    @TempDir
    Path dir;

    private static BufferedImage grey(int w, int h) {
        byte[] pixels = new byte[3 * w * h];
        java.util.Arrays.fill(pixels, (byte) 40);
        return PoseRenderer.toImage(new Frame(new FrameInfo(0, 0, w, h), pixels, 3 * w));
    }

    /** A person with a long vertical Neck-MidHip limb (pair 0: OpenPose draws it red) and a faint right arm. */
    private static Person person(float armConfidence) {
        float[] pose = new float[BodyModel.BODY_25.arrayLength2d()];
        set(pose, BodyModel.NECK, 100, 60, 0.9f);
        set(pose, BodyModel.MID_HIP, 100, 200, 0.9f);
        set(pose, 2, 60, 60, armConfidence); // RShoulder
        set(pose, 3, 60, 150, armConfidence); // RElbow
        return new Person(7, pose);
    }

    private static void set(float[] pose, int k, float x, float y, float c) {
        pose[3 * k] = x;
        pose[3 * k + 1] = y;
        pose[3 * k + 2] = c;
    }

    @Test
    void limbsHaveOpenPosesColoursAndFaintKeypointsAreLeftOut() {
        BufferedImage image = PoseRenderer.draw(grey(300, 300), PoseFrame.of(person(0.01f)), 42, 0.05f);
        // Neck-MidHip takes MidHip's colour: red (255, 0, 0)
        assertEquals(0xFF0000, image.getRGB(100, 130) & 0xFFFFFF, Integer.toHexString(image.getRGB(100, 130)));
        // RShoulder-RElbow is under the threshold: the background stays
        assertEquals(0x282828, image.getRGB(60, 105) & 0xFFFFFF);
        BufferedImage shown = PoseRenderer.draw(grey(300, 300), PoseFrame.of(person(0.9f)), 42, 0.05f);
        // RShoulder-RElbow takes RElbow's colour: (255, 170, 0)
        assertEquals(0xFFAA00, shown.getRGB(60, 105) & 0xFFFFFF, Integer.toHexString(shown.getRGB(60, 105)));
    }

    @Test
    void theFrameIndexAndThePersonIdAreWritten() {
        BufferedImage bare = grey(300, 300);
        BufferedImage drawn = PoseRenderer.draw(grey(300, 300), PoseFrame.of(person(0.9f)), 42, 0.05f);
        int changedTopLeft = 0;
        int changedAboveHead = 0;
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 80; x++) {
                changedTopLeft += drawn.getRGB(x, y) != bare.getRGB(x, y) ? 1 : 0;
            }
        }
        for (int y = 35; y < 56; y++) {
            for (int x = 85; x < 115; x++) {
                changedAboveHead += drawn.getRGB(x, y) != bare.getRGB(x, y) ? 1 : 0;
            }
        }
        assertTrue(changedTopLeft > 50, "frame label drawn: " + changedTopLeft);
        assertTrue(changedAboveHead > 10, "id drawn above the topmost keypoint: " + changedAboveHead);
        assertNotEquals(PoseRenderer.draw(grey(300, 300), PoseFrame.EMPTY, 1, 0.05f).getRGB(100, 130) & 0xFFFFFF, 0xFF0000);
    }

    @Test
    void pngAndH264OutputsHoldEveryFrame() throws Exception {
        Path pngs = dir.resolve("png out $(x)");
        try (RenderedOutput out = RenderedOutput.to(pngs, "clip 'a'", 25)) {
            for (int f = 0; f < 3; f++) {
                out.write(PoseRenderer.draw(grey(64, 48), PoseFrame.EMPTY, f, 0.05f), f);
            }
        }
        assertTrue(Files.isRegularFile(pngs.resolve("clip 'a'_000000000002_rendered.png")));
        Path mp4 = dir.resolve("out.mp4");
        try (RenderedOutput out = RenderedOutput.to(mp4, "clip", 25)) {
            assertTrue(out.isVideo());
            for (int f = 0; f < 30; f++) {
                out.write(PoseRenderer.draw(grey(65, 49), PoseFrame.of(person(0.9f)), f, 0.05f), f);
            }
            assertThrows(IllegalArgumentException.class, () -> out.write(grey(64, 64), 99));
        }
        Process p = new ProcessBuilder("ffprobe", "-v", "error", "-count_frames", "-show_entries",
                "stream=codec_name,nb_read_frames", "-of", "csv=p=0", mp4.toString()).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.waitFor(), said);
        assertEquals("h264,30", said);
    }
}
