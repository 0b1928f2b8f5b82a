package dev.juggler.pipeline;

/**
 * Delivers the frames of one range of one video, in order. Not thread-safe: one decoding thread reads
 * it. Holds a decoder (native memory): close it.
 */
public interface FrameSource extends AutoCloseable {

    /**
     * The next frame of the range, or {@code null} after its last frame.
     *
     * @throws dev.juggler.video.VideoException if the video is broken at this frame (the frames before
     *     it were delivered), including a stream that ends before the range does
     */
    Frame next();

    @Override
    void close();
}
