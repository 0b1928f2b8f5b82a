package dev.juggler.video;

/**
 * A half-open range of frame indices {@code [from, to)}, 0-based. Immutable and thread-safe.
 *
 * @param from the first frame in the range
 * @param to one past the last frame in the range; {@code to >= from}
 */
public record FrameRange(long from, long to) {

    public FrameRange {
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("frame range [" + from + ", " + to + ") is invalid: need 0 <= from <= to");
        }
    }

    /** The range {@code [from, to)}. */
    public static FrameRange of(long from, long to) {
        return new FrameRange(from, to);
    }

    /** Number of frames in the range. */
    public long length() {
        return to - from;
    }

    public boolean isEmpty() {
        return to == from;
    }

    public boolean contains(long frame) {
        return frame >= from && frame < to;
    }

    /** {@code true} if the two ranges share at least one frame. */
    public boolean overlaps(FrameRange other) {
        return from < other.to && other.from < to;
    }

    @Override
    public String toString() {
        return "[" + from + ", " + to + ")";
    }
}
