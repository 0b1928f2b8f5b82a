package dev.juggler.pipeline;

/**
 * What is known about a decoded frame apart from its pixels. Immutable and thread-safe.
 *
 * @param index the 0-based frame index in the video
 * @param timestampSeconds presentation time from the start of the video
 * @param width width in pixels
 * @param height height in pixels
 */
public record FrameInfo(long index, double timestampSeconds, int width, int height) {
}
