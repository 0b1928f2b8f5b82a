/**
 * Pictures of pose results: {@link dev.juggler.inference.render.PoseRenderer} draws BODY_25 skeletons as
 * OpenPose renders them onto a frame, {@link dev.juggler.inference.render.RenderedOutput} writes rendered
 * frames as an H.264 video or PNG files.
 */
package dev.juggler.inference.render;
