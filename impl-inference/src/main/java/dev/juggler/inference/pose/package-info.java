/**
 * Pose estimation: compact value types ({@link dev.juggler.inference.pose.Person},
 * {@link dev.juggler.inference.pose.PoseFrame}), keypoint layouts ({@link dev.juggler.inference.pose.BodyModel})
 * and models that run as {@link dev.juggler.accel.Accelerator}s, such as the download-free
 * {@link dev.juggler.inference.pose.MarkerPoseModel}.
 */
package dev.juggler.inference.pose;
