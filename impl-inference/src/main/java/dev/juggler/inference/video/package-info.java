/**
 * Reading videos with JavaCV/FFmpeg: {@link dev.juggler.inference.video.FfmpegFrameSources} (exact
 * frame-range decoding, also of image folders), {@link dev.juggler.inference.video.VideoProbe} (frame count, fps,
 * size), {@link dev.juggler.inference.video.ImageFolders} (folders of still images as videos: order, rate, the
 * header check at registration) and
 * {@link dev.juggler.inference.video.SyntheticVideo} (self-describing test and demo videos).
 */
package dev.juggler.inference.video;
