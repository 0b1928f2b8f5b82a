package dev.juggler.inference.clean;

import java.util.Arrays;

/**
 * One tracked person between frames: the last accepted position of each body keypoint, its velocity, and
 * what the outlier gate learnt (bone lengths, rejection streaks). Owned by one {@link IdentityTracker}; not
 * thread-safe.
 */
final class Identity {
    final int id;
    final float[] last;
    final long[] lastSeen;
    final double[] vx;
    final double[] vy;
    final int[] rejectStreak;
    final double[] boneMean;
    final int[] boneCount;
    long lastFrame;
    double height;

    Identity(int id, int keypoints, int bones) {
        this.id = id;
        this.last = new float[3 * keypoints];
        this.lastSeen = new long[keypoints];
        Arrays.fill(lastSeen, Long.MIN_VALUE);
        this.vx = new double[keypoints];
        this.vy = new double[keypoints];
        this.rejectStreak = new int[keypoints];
        this.boneMean = new double[bones];
        this.boneCount = new int[bones];
    }

    boolean known(int k, long frame, int horizon) {
        return lastSeen[k] != Long.MIN_VALUE && frame - lastSeen[k] <= horizon;
    }

    double predictX(int k, long frame) {
        return last[3 * k] + vx[k] * Math.min(frame - lastSeen[k], 5);
    }

    double predictY(int k, long frame) {
        return last[3 * k + 1] + vy[k] * Math.min(frame - lastSeen[k], 5);
    }

    /** Takes the accepted points of {@code pose} (missing ones are below {@code minConfidence}) as the new state. */
    void update(float[] pose, long frame, double minConfidence) {
        for (int k = 0; k < lastSeen.length; k++) {
            if (pose[3 * k + 2] < minConfidence || pose[3 * k + 2] <= 0) {
                continue;
            }
            long dt = frame - lastSeen[k];
            if (lastSeen[k] != Long.MIN_VALUE && dt <= 3) {
                vx[k] = 0.5 * vx[k] + 0.5 * (pose[3 * k] - last[3 * k]) / dt;
                vy[k] = 0.5 * vy[k] + 0.5 * (pose[3 * k + 1] - last[3 * k + 1]) / dt;
            } else {
                vx[k] = 0;
                vy[k] = 0;
            }
            last[3 * k] = pose[3 * k];
            last[3 * k + 1] = pose[3 * k + 1];
            last[3 * k + 2] = pose[3 * k + 2];
            lastSeen[k] = frame;
        }
        double h = Skeleton.boxHeight(pose, minConfidence);
        if (h > 0) {
            height = height == 0 ? h : Math.max(0.8 * height + 0.2 * h, 0.5 * height);
        }
        lastFrame = frame;
    }
}
