/**
 * Juggler's inference module: JavaCV/FFmpeg frame sources and probing ({@code .video}), pose value
 * types and models ({@code .pose}), and the OpenPose JSON format ({@code .openpose}). Everything under
 * {@code .internal} is an implementation detail that may change without notice.
 */
package dev.juggler.inference;
