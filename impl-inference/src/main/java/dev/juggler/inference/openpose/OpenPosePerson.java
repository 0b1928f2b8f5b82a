package dev.juggler.inference.openpose;

import dev.juggler.inference.pose.Person;
import java.util.Arrays;

/**
 * Everything OpenPose writes for one person: the tracking id and the eight keypoint arrays (body, face,
 * left hand, right hand; 2D as {@code x, y, confidence}, 3D as {@code x, y, z, confidence}); a part that was
 * not computed is an empty array. Unlike {@link Person}, it keeps face and hands, so a file read and
 * written again loses nothing.
 *
 * <p>Immutable and thread-safe: arrays are copied in and out; equality compares their contents.
 *
 * @param personId {@code person_id} ({@code -1} without tracking)
 * @param pose2d {@code pose_keypoints_2d} (1.0–1.1: {@code pose_keypoints})
 * @param face2d {@code face_keypoints_2d}
 * @param handLeft2d {@code hand_left_keypoints_2d}
 * @param handRight2d {@code hand_right_keypoints_2d}
 * @param pose3d {@code pose_keypoints_3d}
 * @param face3d {@code face_keypoints_3d}
 * @param handLeft3d {@code hand_left_keypoints_3d}
 * @param handRight3d {@code hand_right_keypoints_3d}
 */
public record OpenPosePerson(int personId, float[] pose2d, float[] face2d, float[] handLeft2d, float[] handRight2d,
        float[] pose3d, float[] face3d, float[] handLeft3d, float[] handRight3d) {

    /** The JSON field names in the order OpenPose 1.3 writes them (after {@code person_id}). */
    public static final java.util.List<String> FIELDS = java.util.List.of("pose_keypoints_2d", "face_keypoints_2d",
            "hand_left_keypoints_2d", "hand_right_keypoints_2d", "pose_keypoints_3d", "face_keypoints_3d",
            "hand_left_keypoints_3d", "hand_right_keypoints_3d");

    private static final float[] NONE = new float[0];

    /** Validates (2D multiples of 3, 3D of 4, finite) and copies; {@code null} arrays become empty. */
    public OpenPosePerson {
        float[][] parts = {pose2d, face2d, handLeft2d, handRight2d, pose3d, face3d, handLeft3d, handRight3d};
        for (int i = 0; i < parts.length; i++) {
            float[] a = parts[i] == null ? NONE : parts[i].clone();
            int group = i < 4 ? 3 : 4;
            if (a.length % group != 0) {
                throw new IllegalArgumentException(FIELDS.get(i) + " has " + a.length + " values, not a multiple of " + group);
            }
            for (int k = 0; k < a.length; k++) {
                if (!Float.isFinite(a[k])) {
                    throw new IllegalArgumentException(FIELDS.get(i) + "[" + k + "] = " + a[k] + " is not finite");
                }
            }
            parts[i] = a;
        }
        pose2d = parts[0];
        face2d = parts[1];
        handLeft2d = parts[2];
        handRight2d = parts[3];
        pose3d = parts[4];
        face3d = parts[5];
        handLeft3d = parts[6];
        handRight3d = parts[7];
    }

    /** A body-only person. */
    public static OpenPosePerson of(Person person) {
        return new OpenPosePerson(person.personId(), person.pose2d(), null, null, null, null, null, null, null);
    }

    /** The body part as a {@link Person} (face and hands dropped). */
    public Person toPerson() {
        return new Person(personId, pose2d);
    }

    /** The array of field {@code i} of {@link #FIELDS}, shared, for writers in this package. */
    float[] part(int i) {
        return switch (i) {
            case 0 -> pose2d;
            case 1 -> face2d;
            case 2 -> handLeft2d;
            case 3 -> handRight2d;
            case 4 -> pose3d;
            case 5 -> face3d;
            case 6 -> handLeft3d;
            case 7 -> handRight3d;
            default -> throw new IndexOutOfBoundsException(i);
        };
    }

    @Override
    public float[] pose2d() {
        return pose2d.clone();
    }

    @Override
    public float[] face2d() {
        return face2d.clone();
    }

    @Override
    public float[] handLeft2d() {
        return handLeft2d.clone();
    }

    @Override
    public float[] handRight2d() {
        return handRight2d.clone();
    }

    @Override
    public float[] pose3d() {
        return pose3d.clone();
    }

    @Override
    public float[] face3d() {
        return face3d.clone();
    }

    @Override
    public float[] handLeft3d() {
        return handLeft3d.clone();
    }

    @Override
    public float[] handRight3d() {
        return handRight3d.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof OpenPosePerson p) || p.personId != personId) {
            return false;
        }
        for (int i = 0; i < FIELDS.size(); i++) {
            if (!Arrays.equals(part(i), p.part(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Integer.hashCode(personId);
        for (int i = 0; i < FIELDS.size(); i++) {
            h = 31 * h + Arrays.hashCode(part(i));
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("OpenPosePerson[personId=").append(personId);
        for (int i = 0; i < FIELDS.size(); i++) {
            if (part(i).length > 0) {
                s.append(", ").append(FIELDS.get(i)).append('=').append(part(i).length).append(" values");
            }
        }
        return s.append(']').toString();
    }
}
