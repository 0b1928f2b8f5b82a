/**
 * The OpenPose output format: {@link dev.juggler.inference.openpose.OpenPoseJson} (one frame's JSON,
 * written byte for byte as OpenPose 1.3+ writes it, and read back) and
 * {@link dev.juggler.inference.openpose.OpenPoseFiles} (OpenPose's per-frame file naming, atomic writes,
 * export of stored frame results).
 */
package dev.juggler.inference.openpose;
