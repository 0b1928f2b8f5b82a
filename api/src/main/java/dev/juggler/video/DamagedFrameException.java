package dev.juggler.video;

/**
 * One frame could not be decoded (decoder errors or concealment in a video, a corrupt image in an image
 * folder), but the stream goes on: the {@link dev.juggler.pipeline.FrameSource} that threw it stays
 * usable, and its next {@code next()} delivers the frame after this one. A pipeline records the frame as
 * a one-frame failure with this reason and carries on; only a {@link VideoException} of another kind
 * (a truncated end, an unreadable file) ends a range. Immutable and thread-safe.
 */
public class DamagedFrameException extends VideoException {
    private static final long serialVersionUID = 1L;

    /**
     * @param location the file or URI being decoded
     * @param frame the index of the frame that could not be decoded
     * @param detail the decoder's own words (or why the image is unreadable)
     * @param cause the decoder's exception, or {@code null}
     */
    public DamagedFrameException(String location, long frame, String detail, Throwable cause) {
        super(location, Kind.DAMAGED, requireFrame(frame), detail, cause);
    }

    private static long requireFrame(long frame) {
        if (frame < 0) {
            throw new IllegalArgumentException("a damaged frame has an index >= 0, not " + frame);
        }
        return frame;
    }

    /** The index of the frame that could not be decoded. */
    public long frameIndex() {
        return frame().getAsLong();
    }
}
