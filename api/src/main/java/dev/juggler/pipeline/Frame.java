package dev.juggler.pipeline;

import java.util.Objects;

/**
 * One decoded frame: its {@link FrameInfo} and its pixels in a {@link PixelFormat} ({@link #format()}
 * says which; see there for the layout of {@link #pixels()}).
 *
 * <p>Not thread-safe: a frame is handed from stage to stage and owned by one thread at a time. The
 * pixel array is shared, not copied; a stage that keeps pixels beyond its call copies them.
 */
public final class Frame {
    private final FrameInfo info;
    private final PixelFormat format;
    private final byte[] pixels;
    private final int stride;

    /**
     * A {@link PixelFormat#BGR24} frame with rows of {@code stride} bytes.
     *
     * @throws IllegalArgumentException if the size is not positive or the array is too small for it
     */
    public Frame(FrameInfo info, byte[] bgr, int stride) {
        this(info, PixelFormat.BGR24, bgr, stride);
    }

    private Frame(FrameInfo info, PixelFormat format, byte[] pixels, int stride) {
        this.info = Objects.requireNonNull(info, "info");
        this.format = format;
        this.pixels = Objects.requireNonNull(pixels, "pixels");
        int w = info.width();
        int h = info.height();
        boolean strideFits = format == PixelFormat.BGR24 ? stride >= 3 * w : stride == w;
        long needed = format == PixelFormat.BGR24 ? (long) stride * h : (long) format.frameBytes(w, h);
        if (w <= 0 || h <= 0 || !strideFits || needed > pixels.length) {
            throw new IllegalArgumentException("frame " + info.index() + ": " + format + " " + w + "x" + h
                    + " with stride " + stride + " does not fit " + pixels.length + " bytes");
        }
        this.stride = stride;
    }

    /**
     * A {@link PixelFormat#I420} frame, tightly packed ({@code pixels.length >= frameBytes(width, height)}).
     *
     * @throws IllegalArgumentException if the size is not positive or the array is too small for it
     */
    public static Frame i420(FrameInfo info, byte[] pixels) {
        return new Frame(info, PixelFormat.I420, pixels, info.width());
    }

    public FrameInfo info() {
        return info;
    }

    public long index() {
        return info.index();
    }

    public int width() {
        return info.width();
    }

    public int height() {
        return info.height();
    }

    /** The layout of {@link #pixels()}. */
    public PixelFormat format() {
        return format;
    }

    /** The pixel bytes, laid out as {@link #format()} says (the array may be longer than the frame). */
    public byte[] pixels() {
        return pixels;
    }

    /** Bytes per row (of the luma plane for {@link PixelFormat#I420}, where it equals the width). */
    public int stride() {
        return stride;
    }

    /**
     * The colour of pixel (x, y) as {@code 0xRRGGBB}, whatever the format. For code that reads a few
     * pixels; a stage that reads every pixel is faster on {@link #pixels()} directly.
     *
     * @throws IndexOutOfBoundsException if (x, y) is outside the frame
     */
    public int rgb(int x, int y) {
        if (x < 0 || y < 0 || x >= info.width() || y >= info.height()) {
            throw new IndexOutOfBoundsException("(" + x + ", " + y + ") outside " + info.width() + "x" + info.height());
        }
        if (format == PixelFormat.BGR24) {
            int o = y * stride + 3 * x;
            return (pixels[o + 2] & 0xff) << 16 | (pixels[o + 1] & 0xff) << 8 | (pixels[o] & 0xff);
        }
        int w = info.width();
        int c = (y >> 1) * PixelFormat.chromaWidth(w) + (x >> 1);
        return PixelFormat.yuvToRgb(pixels[y * w + x] & 0xff, pixels[PixelFormat.uOffset(w, info.height()) + c] & 0xff,
                pixels[PixelFormat.vOffset(w, info.height()) + c] & 0xff);
    }
}
