/**
 * Reading videos with JavaCV/FFmpeg: {@link dev.juggler.inference.video.FfmpegFrameSources} (exact
 * frame-range decoding), {@link dev.juggler.inference.video.VideoProbe} (frame count, fps, size) and
 * {@link dev.juggler.inference.video.SyntheticVideo} (self-describing test and demo videos).
 */
package dev.juggler.inference.video;
