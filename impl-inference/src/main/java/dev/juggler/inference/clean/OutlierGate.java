package dev.juggler.inference.clean;

/**
 * Rejects body keypoints that cannot be right: a point that moved faster than {@link CleanSettings#maxSpeed()}
 * body heights per second since it was last accepted, or the end of a limb bone that grew more than
 * {@link CleanSettings#maxBoneChange()} times its running mean length. A rejected point becomes missing (a
 * gap, filled later if short). A point rejected three frames in a row is accepted on the third: the person
 * really is there (the earlier position was the wrong one). Stateless apart from what it keeps in each
 * {@link Identity}; not thread-safe.
 */
final class OutlierGate {
    /** Consecutive rejections after which the new position is believed. */
    static final int BELIEVE_AFTER = 3;
    /** Speeds are only checked against a position seen at most this long ago. */
    private static final double SPEED_HORIZON_SECONDS = 0.5;
    private static final int BONE_WARMUP = 5;

    private final Skeleton skeleton;
    private final CleanSettings settings;
    private final double fps;

    OutlierGate(Skeleton skeleton, CleanSettings settings, double fps) {
        this.skeleton = skeleton;
        this.settings = settings;
        this.fps = fps;
    }

    /** Zeroes the rejected points of {@code pose} (which continues {@code identity} at {@code frame}); returns how many. */
    int filter(Identity identity, float[] pose, long frame) {
        double height = identity.height > 0 ? identity.height : Skeleton.boxHeight(pose, settings.minConfidence());
        if (height <= 0) {
            return 0;
        }
        int rejected = 0;
        for (int k = 0; k < skeleton.keypoints; k++) {
            if (!present(pose, k) || identity.lastSeen[k] == Long.MIN_VALUE) {
                continue;
            }
            double seconds = (frame - identity.lastSeen[k]) / fps;
            if (seconds > SPEED_HORIZON_SECONDS) {
                continue;
            }
            double moved = Math.hypot(pose[3 * k] - identity.last[3 * k], pose[3 * k + 1] - identity.last[3 * k + 1]) / height;
            if (moved / seconds > settings.maxSpeed()) {
                rejected += reject(identity, pose, k);
            } else {
                identity.rejectStreak[k] = 0;
            }
        }
        int[] bones = skeleton.bones;
        for (int b = 0; b < bones.length / 2; b++) {
            int p = bones[2 * b];
            int q = bones[2 * b + 1];
            if (!present(pose, p) || !present(pose, q)) {
                continue;
            }
            double length = Math.hypot(pose[3 * p] - pose[3 * q], pose[3 * p + 1] - pose[3 * q + 1]);
            if (identity.boneCount[b] >= BONE_WARMUP && length > settings.maxBoneChange() * identity.boneMean[b]) {
                int moved = displacement(identity, pose, p) >= displacement(identity, pose, q) ? p : q;
                int dropped = reject(identity, pose, moved);
                if (dropped == 0) {
                    identity.boneMean[b] = length; // believed: the bone really is this long now
                }
                rejected += dropped;
                continue;
            }
            identity.boneCount[b]++;
            double weight = Math.max(0.05, 1.0 / identity.boneCount[b]);
            identity.boneMean[b] += weight * (length - identity.boneMean[b]);
        }
        return rejected;
    }

    private int reject(Identity identity, float[] pose, int k) {
        if (++identity.rejectStreak[k] >= BELIEVE_AFTER) {
            identity.rejectStreak[k] = 0;
            return 0;
        }
        pose[3 * k] = 0;
        pose[3 * k + 1] = 0;
        pose[3 * k + 2] = 0;
        return 1;
    }

    private static double displacement(Identity identity, float[] pose, int k) {
        if (identity.lastSeen[k] == Long.MIN_VALUE) {
            return 0;
        }
        return Math.hypot(pose[3 * k] - identity.last[3 * k], pose[3 * k + 1] - identity.last[3 * k + 1]);
    }

    private boolean present(float[] pose, int k) {
        float c = pose[3 * k + 2];
        return c > 0 && c >= settings.minConfidence();
    }
}
