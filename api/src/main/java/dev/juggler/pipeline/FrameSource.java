package dev.juggler.pipeline;

/**
 * Delivers the frames of one range of one video, in order. Not thread-safe: one decoding thread reads
 * it. Holds a decoder (native memory): close it.
 */
public interface FrameSource extends AutoCloseable {

    /**
     * The next frame of the range, or {@code null} after its last frame.
     *
     * @throws dev.juggler.video.DamagedFrameException if just this frame cannot be decoded: the source stays
     *     usable and the next call delivers the frame after it
     * @throws dev.juggler.video.VideoException if the video is broken from this frame on (the frames before
     *     it were delivered), including a stream that ends before the range does
     */
    Frame next();

    /**
     * Gives back a frame this source delivered whose pixels nobody reads any more, so that a later
     * {@link #next()} can reuse its buffer instead of allocating one per frame. Optional: the default does
     * nothing. Unlike {@link #next()}, implementations must accept calls from another thread and after
     * {@link #close()} (then they just drop the frame).
     */
    default void recycle(Frame frame) {
    }

    @Override
    void close();
}
