package dev.juggler.pipeline;

/**
 * How a {@link Frame} lays out its pixels: 8 bits per sample, rows top to bottom.
 *
 * <p>Which one to ask a frame source for: {@link #I420} is what almost every video decoder produces, so a
 * source delivers it without a colour conversion, at half the bytes of BGR; a model that resamples the
 * picture to its own input size (nearly all of them) converts only the pixels it samples. {@link #BGR24} is
 * the OpenCV layout, for code that wants every pixel in colour.
 */
public enum PixelFormat {
    /**
     * Packed blue, green, red: pixel (x, y) at {@code y * stride + 3 * x}, {@code stride >= 3 * width}.
     */
    BGR24,
    /**
     * Planar YUV 4:2:0, tightly packed: the luma plane ({@code width x height}, {@code stride == width})
     * at 0, then the U plane at {@link #uOffset} and the V plane at {@link #vOffset}, each
     * {@code ceil(width / 2) x ceil(height / 2)}. Chroma sample (x/2, y/2) covers pixels (x, y) to
     * (x+1, y+1); {@link Frame#rgb} takes it as it is, a resampling stage may interpolate between samples.
     */
    I420;

    /** Bytes of a {@code width x height} frame in this format with the tightest stride. */
    public int frameBytes(int width, int height) {
        return switch (this) {
            case BGR24 -> 3 * width * height;
            case I420 -> vOffset(width, height) + chromaWidth(width) * chromaHeight(height);
        };
    }

    /** Width of an I420 chroma plane: {@code ceil(width / 2)}. */
    public static int chromaWidth(int width) {
        return (width + 1) / 2;
    }

    /** Height of an I420 chroma plane: {@code ceil(height / 2)}. */
    public static int chromaHeight(int height) {
        return (height + 1) / 2;
    }

    /** Where the U plane of a {@code width x height} I420 frame starts. */
    public static int uOffset(int width, int height) {
        return width * height;
    }

    /** Where the V plane of a {@code width x height} I420 frame starts. */
    public static int vOffset(int width, int height) {
        return width * height + chromaWidth(width) * chromaHeight(height);
    }

    /**
     * Converts one limited-range BT.601 YUV sample to RGB as {@code 0xRRGGBB}, each channel clamped to
     * 0..255 (integer arithmetic, within 1 of the exact conversion).
     */
    public static int yuvToRgb(int y, int u, int v) {
        int c = 298 * (y - 16) + 128;
        int d = u - 128;
        int e = v - 128;
        int r = clamp((c + 409 * e) >> 8);
        int g = clamp((c - 100 * d - 208 * e) >> 8);
        int b = clamp((c + 516 * d) >> 8);
        return (r << 16) | (g << 8) | b;
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
