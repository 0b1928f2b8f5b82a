package dev.juggler.pipeline;

import java.util.Objects;

/**
 * One decoded frame: its {@link FrameInfo} and its pixels as packed 8-bit BGR, row after row
 * ({@code stride} bytes per row, {@code stride >= 3 * width}).
 *
 * <p>Not thread-safe: a frame is handed from stage to stage and owned by one thread at a time. The
 * pixel array is shared, not copied; a stage that keeps pixels beyond its call copies them.
 */
public final class Frame {
    private final FrameInfo info;
    private final byte[] bgr;
    private final int stride;

    public Frame(FrameInfo info, byte[] bgr, int stride) {
        this.info = Objects.requireNonNull(info, "info");
        this.bgr = Objects.requireNonNull(bgr, "bgr");
        if (stride < 3 * info.width() || (long) stride * info.height() > bgr.length) {
            throw new IllegalArgumentException("frame " + info.index() + ": stride " + stride + " and "
                    + info.width() + "x" + info.height() + " do not fit " + bgr.length + " bytes");
        }
        this.stride = stride;
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

    /** Packed BGR pixels; see the class comment for the layout. */
    public byte[] bgr() {
        return bgr;
    }

    /** Bytes per row. */
    public int stride() {
        return stride;
    }
}
