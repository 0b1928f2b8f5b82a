package dev.juggler.inference.pose;

import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.PixelFormat;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The geometry of BlazePose's input, without the model: how a frame is cut into crops and each crop
 * letterboxed into the model's square RGB input (aspect kept, bilinear, black bars, values in
 * {@code [0, 1]}), and back. Pure arithmetic; stateless and thread-safe.
 */
final class Letterbox {

    /** Width and height of the model input in pixels. */
    static final int SIZE = 256;
    /** Floats in one model input (RGB). */
    static final int FLOATS = SIZE * SIZE * 3;

    private Letterbox() {
    }

    /** A crop of the frame and its letterbox into the model input: {@code model = (source - origin) * scale + pad}. */
    record Crop(int x, int y, int width, int height, float scale, float padX, float padY) {
        static Crop of(int x, int y, int width, int height) {
            float scale = Math.min((float) SIZE / width, (float) SIZE / height);
            return new Crop(x, y, width, height, scale, (SIZE - width * scale) / 2f,
                    (SIZE - height * scale) / 2f);
        }
    }

    /** The crops of one frame size and where each of their input pixels samples the frame; immutable. */
    static final class Layout {
        final int width;
        final int height;
        final Crop[] crops;
        final Axis[] columns;
        final Axis[] rows;

        Layout(int width, int height, Crop[] crops) {
            this.width = width;
            this.height = height;
            this.crops = crops;
            this.columns = new Axis[crops.length];
            this.rows = new Axis[crops.length];
            for (int i = 0; i < crops.length; i++) {
                Crop c = crops[i];
                columns[i] = new Axis(c.x(), c.width(), c.scale(), c.padX(), width);
                rows[i] = new Axis(c.y(), c.height(), c.scale(), c.padY(), height);
            }
        }

        /** Letterboxes crop {@code i} of a frame of this size into {@code out}; {@code row} is scratch. */
        void fill(Frame frame, int i, float[] row, FloatBuffer out) {
            letterbox(frame, columns[i], rows[i], row, out);
        }
    }

    /**
     * Where each of the model's input columns (or rows) samples the frame along one axis: the two
     * neighbouring pixels (absolute indices) and the weight of the second, for bilinear resampling, in
     * full resolution and in half resolution (I420 chroma, whose samples sit between pairs of pixels).
     * Immutable after construction.
     */
    static final class Axis {
        final boolean[] inside = new boolean[SIZE];
        final int[] lo = new int[SIZE];
        final int[] hi = new int[SIZE];
        final float[] frac = new float[SIZE];
        final int[] chromaLo = new int[SIZE];
        final int[] chromaHi = new int[SIZE];
        final float[] chromaFrac = new float[SIZE];

        Axis(int origin, int length, float scale, float pad, int frameLength) {
            int chromaLength = (frameLength + 1) / 2; // chroma samples along this axis, width or height alike
            for (int o = 0; o < SIZE; o++) {
                float s = (o + 0.5f - pad) / scale - 0.5f;
                inside[o] = s > -0.5f && s < length - 0.5f;
                float c = Math.max(0f, Math.min(length - 1f, s));
                int i = (int) c;
                lo[o] = origin + i;
                hi[o] = origin + Math.min(i + 1, length - 1);
                frac[o] = c - i;
                // Chroma taken as centred between its two pixels (MPEG-2/H.264 sit it left; a quarter of a
                // chroma sample, invisible after resampling to 256 pixels).
                float cc = Math.max(0f, Math.min(chromaLength - 1f, (origin + c + 0.5f) / 2f - 0.5f));
                int ci = (int) cc;
                chromaLo[o] = ci;
                chromaHi[o] = Math.min(ci + 1, chromaLength - 1);
                chromaFrac[o] = cc - ci;
            }
        }
    }

    /** The whole frame when 1x1; otherwise a grid of equal crops that overlap by {@code overlap} of their size. */
    static Crop[] crops(int w, int h, int columns, int rows, float overlap) {
        if (columns == 1 && rows == 1) {
            return new Crop[] {Crop.of(0, 0, w, h)};
        }
        int cw = Math.max(1, Math.round(w / (columns - (columns - 1) * overlap)));
        int ch = Math.max(1, Math.round(h / (rows - (rows - 1) * overlap)));
        Crop[] crops = new Crop[columns * rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                int x = columns == 1 ? 0 : Math.round(c * (w - cw) / (float) (columns - 1));
                int y = rows == 1 ? 0 : Math.round(r * (h - ch) / (float) (rows - 1));
                crops[r * columns + c] = Crop.of(x, y, Math.min(cw, w - x), Math.min(ch, h - y));
            }
        }
        return crops;
    }

    /** Bilinear resampling of one crop of the frame into RGB floats in [0, 1], black outside the picture. */
    static void letterbox(Frame frame, Crop crop, FloatBuffer out) {
        float[] row = new float[SIZE * 3];
        letterbox(frame, new Axis(crop.x(), crop.width(), crop.scale(), crop.padX(), frame.width()),
                new Axis(crop.y(), crop.height(), crop.scale(), crop.padY(), frame.height()), row, out);
    }

    private static void letterbox(Frame frame, Axis xs, Axis ys, float[] row, FloatBuffer out) {
        for (int oy = 0; oy < SIZE; oy++) {
            Arrays.fill(row, 0f); // black wherever the picture does not reach: bars and margins
            if (ys.inside[oy] && frame.format() == PixelFormat.I420) {
                i420Row(frame, xs, ys, oy, row);
            } else if (ys.inside[oy]) {
                bgrRow(frame, xs, ys, oy, row);
            }
            out.put(row);
        }
    }

    private static void bgrRow(Frame frame, Axis xs, Axis ys, int oy, float[] row) {
        final float norm = 1f / 255f;
        byte[] bgr = frame.pixels();
        int r0 = ys.lo[oy] * frame.stride();
        int r1 = ys.hi[oy] * frame.stride();
        float fy = ys.frac[oy];
        for (int ox = 0; ox < SIZE; ox++) {
            if (!xs.inside[ox]) {
                continue;
            }
            int o = 3 * ox;
            int a = 3 * xs.lo[ox];
            int b = 3 * xs.hi[ox];
            float wx = xs.frac[ox];
            for (int ch = 0; ch < 3; ch++) {
                // BGR in, RGB out: channel ch of the output is byte (2 - ch) of the pixel.
                row[o + ch] = bilinear(bgr, r0 + 2 - ch, r1 + 2 - ch, a, b, wx, fy) * norm;
            }
        }
    }

    // Resamples Y, U and V separately and converts once per model pixel (BT.601 limited range): the frame's
    // other pixels are never converted, which is why I420 frames make decoding cheap.
    private static void i420Row(Frame frame, Axis xs, Axis ys, int oy, float[] row) {
        final float norm = 1f / 255f;
        byte[] yuv = frame.pixels();
        int w = frame.width();
        int cw = PixelFormat.chromaWidth(w);
        int uPlane = PixelFormat.uOffset(w, frame.height());
        int vPlane = PixelFormat.vOffset(w, frame.height());
        int r0 = ys.lo[oy] * w;
        int r1 = ys.hi[oy] * w;
        float fy = ys.frac[oy];
        int c0 = ys.chromaLo[oy] * cw;
        int c1 = ys.chromaHi[oy] * cw;
        float cfy = ys.chromaFrac[oy];
        for (int ox = 0; ox < SIZE; ox++) {
            if (!xs.inside[ox]) {
                continue;
            }
            int o = 3 * ox;
            float luma = bilinear(yuv, r0, r1, xs.lo[ox], xs.hi[ox], xs.frac[ox], fy) - 16f;
            int a = xs.chromaLo[ox];
            int b = xs.chromaHi[ox];
            float cfx = xs.chromaFrac[ox];
            float u = bilinear(yuv, uPlane + c0, uPlane + c1, a, b, cfx, cfy) - 128f;
            float v = bilinear(yuv, vPlane + c0, vPlane + c1, a, b, cfx, cfy) - 128f;
            float y = 1.164383f * luma;
            row[o] = unit((y + 1.596027f * v) * norm);
            row[o + 1] = unit((y - 0.391762f * u - 0.812968f * v) * norm);
            row[o + 2] = unit((y + 2.017232f * u) * norm);
        }
    }

    private static float bilinear(byte[] plane, int row0, int row1, int a, int b, float fx, float fy) {
        float top = (plane[row0 + a] & 0xff) * (1 - fx) + (plane[row0 + b] & 0xff) * fx;
        float bottom = (plane[row1 + a] & 0xff) * (1 - fx) + (plane[row1 + b] & 0xff) * fx;
        return top * (1 - fy) + bottom * fy;
    }

    private static float unit(float value) {
        return value < 0f ? 0f : Math.min(value, 1f);
    }
}
