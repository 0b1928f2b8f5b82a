package dev.juggler.inference.pose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameInfo;
import dev.juggler.pipeline.PixelFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/** {@link Letterbox}: crops and letterboxing into the model input, without the model. */
class LetterboxTest {

    @Test
    void tilesCoverTheFrameAndOverlap() {
        Letterbox.Crop[] crops = Letterbox.crops(768, 576, 3, 3, 0.25f);
        assertEquals(9, crops.length);
        assertEquals(0, crops[0].x());
        assertEquals(768, crops[2].x() + crops[2].width());
        assertEquals(576, crops[8].y() + crops[8].height());
        assertEquals(true, crops[1].x() < crops[0].x() + crops[0].width(), "neighbours overlap");
        Letterbox.Crop whole = Letterbox.crops(768, 576, 1, 1, 0.25f)[0];
        assertEquals(768, whole.width());
        assertEquals(576, whole.height());
    }

    @Test
    void letterboxConvertsBgrToRgbInUnitRangeWithBlackBars() {
        int w = 512;
        int h = 256;
        byte[] bgr = new byte[3 * w * h];
        for (int i = 0; i < w * h; i++) {
            bgr[3 * i] = (byte) 255;     // blue
            bgr[3 * i + 1] = (byte) 102; // green
            bgr[3 * i + 2] = (byte) 51;  // red
        }
        FloatBuffer out = ByteBuffer.allocateDirect(256 * 256 * 3 * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        Letterbox.letterbox(new Frame(new FrameInfo(0, 0, w, h), bgr, 3 * w), Letterbox.Crop.of(0, 0, w, h), out);
        assertEquals(0, out.remaining());
        int centre = (128 * 256 + 128) * 3;
        assertEquals(51 / 255f, out.get(centre), 1e-6);
        assertEquals(102 / 255f, out.get(centre + 1), 1e-6);
        assertEquals(1f, out.get(centre + 2), 1e-6);
        int bar = (10 * 256 + 128) * 3;
        assertEquals(0f, out.get(bar));
        assertEquals(0f, out.get(bar + 2));
    }

    @Test
    void letterboxOfAnI420FrameConvertsOnlyTheSampledPixelsToTheSameColours() {
        // RGB (51, 102, 255) is YUV (105, 203, 95) in BT.601 limited range; odd sizes exercise the chroma edge.
        int w = 511;
        int h = 255;
        byte[] yuv = new byte[PixelFormat.I420.frameBytes(w, h)];
        int chroma = PixelFormat.chromaWidth(w) * PixelFormat.chromaHeight(h);
        java.util.Arrays.fill(yuv, 0, w * h, (byte) 105);
        java.util.Arrays.fill(yuv, w * h, w * h + chroma, (byte) 203);
        java.util.Arrays.fill(yuv, w * h + chroma, yuv.length, (byte) 95);
        FloatBuffer out = ByteBuffer.allocateDirect(256 * 256 * 3 * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        Frame frame = Frame.i420(new FrameInfo(0, 0, w, h), yuv);
        Letterbox.letterbox(frame, Letterbox.Crop.of(0, 0, w, h), out);
        assertEquals(0, out.remaining());
        for (int[] at : new int[][] {{128, 128}, {65, 2}, {190, 255}}) {
            int o = (at[0] * 256 + at[1]) * 3;
            assertEquals(51 / 255f, out.get(o), 2 / 255f, "red at " + java.util.Arrays.toString(at));
            assertEquals(102 / 255f, out.get(o + 1), 2 / 255f, "green");
            assertEquals(1f, out.get(o + 2), 2 / 255f, "blue");
        }
        assertEquals(0f, out.get((10 * 256 + 128) * 3), "the bar above the picture is black");
        int rgb = frame.rgb(w - 1, h - 1);
        assertEquals(51, rgb >> 16, 2, "Frame.rgb agrees: red");
        assertEquals(102, (rgb >> 8) & 0xff, 2, "green");
        assertEquals(255, rgb & 0xff, 2, "blue");
    }

    @Test
    void letterboxOfAnI420GradientMatchesTheSamePictureInBgr() {
        // Smooth gradients in Y, U and V over an odd-sized frame: a wrong chroma row, column or weight shows as
        // a difference, while the BGR reference (converted pixel by pixel with nearest chroma) and the I420
        // path (interpolated chroma) agree within a few levels.
        int w = 301;
        int h = 203;
        byte[] yuv = new byte[PixelFormat.I420.frameBytes(w, h)];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                yuv[y * w + x] = (byte) (40 + 160 * x / w);
            }
        }
        int cw = PixelFormat.chromaWidth(w);
        for (int cy = 0; cy < PixelFormat.chromaHeight(h); cy++) {
            for (int cx = 0; cx < cw; cx++) {
                yuv[PixelFormat.uOffset(w, h) + cy * cw + cx] = (byte) (70 + 120 * cy / PixelFormat.chromaHeight(h));
                yuv[PixelFormat.vOffset(w, h) + cy * cw + cx] = (byte) (190 - 120 * cx / cw);
            }
        }
        Frame i420 = Frame.i420(new FrameInfo(0, 0, w, h), yuv);
        byte[] bgr = new byte[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = i420.rgb(x, y);
                bgr[3 * (y * w + x)] = (byte) rgb;
                bgr[3 * (y * w + x) + 1] = (byte) (rgb >> 8);
                bgr[3 * (y * w + x) + 2] = (byte) (rgb >> 16);
            }
        }
        Letterbox.Crop crop = Letterbox.Crop.of(0, 0, w, h);
        FloatBuffer fromI420 = ByteBuffer.allocateDirect(256 * 256 * 3 * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        FloatBuffer fromBgr = ByteBuffer.allocateDirect(256 * 256 * 3 * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        Letterbox.letterbox(i420, crop, fromI420);
        Letterbox.letterbox(new Frame(new FrameInfo(0, 0, w, h), bgr, 3 * w), crop, fromBgr);
        double worst = 0;
        for (int i = 0; i < 256 * 256 * 3; i++) {
            worst = Math.max(worst, Math.abs(fromI420.get(i) - fromBgr.get(i)));
        }
        assertTrue(worst < 6 / 255.0, "largest difference " + worst * 255 + " levels");
    }
}
