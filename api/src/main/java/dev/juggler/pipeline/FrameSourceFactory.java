package dev.juggler.pipeline;

import dev.juggler.video.FrameRange;

/**
 * Opens frame sources. Implementations are thread-safe; each source they return is not.
 */
@FunctionalInterface
public interface FrameSourceFactory {

    /**
     * Opens a video positioned exactly at {@code range.from()}.
     *
     * @throws dev.juggler.video.VideoException if the video cannot be opened or positioned
     */
    FrameSource open(String location, dev.juggler.video.FrameRange range);

    /** Convenience overload. */
    default FrameSource open(String location, long from, long to) {
        return open(location, FrameRange.of(from, to));
    }
}
