package dev.juggler.inference.pose;

import java.util.Arrays;
import java.util.Objects;

/**
 * One person's 2D body pose: {@code (x, y, confidence)} per keypoint, flat, in the layout's keypoint
 * order (see {@link BodyModel}); a keypoint that was not found is {@code 0, 0, 0}. Coordinates are in
 * pixels of the analysed frame, confidence in {@code [0, 1]}.
 *
 * <p>Immutable and thread-safe: the array is copied in and {@link #pose2d()} returns a copy; use
 * {@link #x(int)}, {@link #y(int)}, {@link #confidence(int)} to read without copying. Equality compares
 * the array's contents.
 *
 * @param personId the tracking id, or {@code -1} without tracking (OpenPose's {@code person_id})
 * @param pose2d {@code 3 * keypointCount} finite values
 */
public record Person(int personId, float[] pose2d) {

    /** OpenPose's {@code person_id} when people are not tracked across frames. */
    public static final int UNTRACKED = -1;

    /** Validates and copies the array; rejects lengths that are not whole keypoints and non-finite values. */
    public Person {
        Objects.requireNonNull(pose2d, "pose2d");
        if (pose2d.length % 3 != 0) {
            throw new IllegalArgumentException("pose2d length " + pose2d.length + " is not a multiple of 3 (x, y, c per keypoint)");
        }
        pose2d = pose2d.clone();
        for (int i = 0; i < pose2d.length; i++) {
            if (!Float.isFinite(pose2d[i])) {
                throw new IllegalArgumentException("pose2d[" + i + "] = " + pose2d[i] + " is not a finite number");
            }
        }
    }

    /** An untracked person. */
    public static Person of(float[] pose2d) {
        return new Person(UNTRACKED, pose2d);
    }

    /** A copy of the flat {@code x, y, c} array. */
    @Override
    public float[] pose2d() {
        return pose2d.clone();
    }

    /** Number of keypoints ({@code pose2d.length / 3}). */
    public int keypointCount() {
        return pose2d.length / 3;
    }

    /** x of keypoint {@code k}. */
    public float x(int k) {
        return pose2d[3 * k];
    }

    /** y of keypoint {@code k}. */
    public float y(int k) {
        return pose2d[3 * k + 1];
    }

    /** Confidence of keypoint {@code k}; 0 if it was not found. */
    public float confidence(int k) {
        return pose2d[3 * k + 2];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Person p && p.personId == personId && Arrays.equals(p.pose2d, pose2d);
    }

    @Override
    public int hashCode() {
        return 31 * Integer.hashCode(personId) + Arrays.hashCode(pose2d);
    }

    @Override
    public String toString() {
        return "Person[personId=" + personId + ", pose2d=" + Arrays.toString(pose2d) + "]";
    }
}
