package dev.juggler.inference.pose;

import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.PixelFormat;
import java.nio.FloatBuffer;

/**
 * Fills a square RGB model input from a frame through a {@link RoiTransform}: bilinear resampling at each
 * input pixel's centre, colour scaled linearly into {@code [low, high]}, and {@code low} (black) wherever
 * the input reaches beyond the frame. Works on {@link PixelFormat#BGR24} and {@link PixelFormat#I420}
 * frames alike (I420 is converted per sampled pixel, BT.601 limited range, as {@link Letterbox} does).
 * Slower than {@link Letterbox}'s separable tables but handles rotation; the person-detector and
 * per-person landmark inputs are sampled with it. Stateless and thread-safe.
 */
final class AffineSampler {

    private AffineSampler() {
    }

    /** Writes {@code size * size * 3} floats (row-major RGB) to {@code out}. */
    static void sample(Frame frame, RoiTransform map, int size, float low, float high, FloatBuffer out) {
        int w = frame.width();
        int h = frame.height();
        float span = (high - low) / 255f;
        float[] row = new float[size * 3];
        float[] rgb = new float[3];
        for (int v = 0; v < size; v++) {
            for (int u = 0; u < size; u++) {
                // Input pixel centre → frame coordinates → index space (pixel centres at integers).
                float sx = map.x(u + 0.5f, v + 0.5f) - 0.5f;
                float sy = map.y(u + 0.5f, v + 0.5f) - 0.5f;
                int o = 3 * u;
                if (sx <= -1f || sy <= -1f || sx >= w || sy >= h) {
                    row[o] = low;
                    row[o + 1] = low;
                    row[o + 2] = low;
                    continue;
                }
                bilinear(frame, Math.max(0f, Math.min(w - 1f, sx)), Math.max(0f, Math.min(h - 1f, sy)), rgb);
                row[o] = low + rgb[0] * span;
                row[o + 1] = low + rgb[1] * span;
                row[o + 2] = low + rgb[2] * span;
            }
            out.put(row);
        }
    }

    private static void bilinear(Frame frame, float x, float y, float[] rgb) {
        int x0 = (int) x;
        int y0 = (int) y;
        int x1 = Math.min(x0 + 1, frame.width() - 1);
        int y1 = Math.min(y0 + 1, frame.height() - 1);
        float fx = x - x0;
        float fy = y - y0;
        int p00 = frame.format() == PixelFormat.BGR24 ? bgr(frame, x0, y0) : frame.rgb(x0, y0);
        int p10 = frame.format() == PixelFormat.BGR24 ? bgr(frame, x1, y0) : frame.rgb(x1, y0);
        int p01 = frame.format() == PixelFormat.BGR24 ? bgr(frame, x0, y1) : frame.rgb(x0, y1);
        int p11 = frame.format() == PixelFormat.BGR24 ? bgr(frame, x1, y1) : frame.rgb(x1, y1);
        for (int ch = 0, shift = 16; ch < 3; ch++, shift -= 8) {
            float top = ((p00 >> shift) & 0xff) * (1 - fx) + ((p10 >> shift) & 0xff) * fx;
            float bottom = ((p01 >> shift) & 0xff) * (1 - fx) + ((p11 >> shift) & 0xff) * fx;
            rgb[ch] = top * (1 - fy) + bottom * fy;
        }
    }

    private static int bgr(Frame frame, int x, int y) {
        byte[] p = frame.pixels();
        int o = y * frame.stride() + 3 * x;
        return (p[o + 2] & 0xff) << 16 | (p[o + 1] & 0xff) << 8 | (p[o] & 0xff);
    }
}
