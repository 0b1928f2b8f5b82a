package dev.juggler.inference.pose;

import java.util.List;

/**
 * A body keypoint layout as OpenPose numbers it. Immutable and thread-safe.
 */
public enum BodyModel {
    /** OpenPose's default 25-keypoint body model. */
    BODY_25(List.of("Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist",
            "MidHip", "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle", "REye", "LEye", "REar", "LEar",
            "LBigToe", "LSmallToe", "LHeel", "RBigToe", "RSmallToe", "RHeel")),
    /** The 18-keypoint COCO layout. */
    COCO(List.of("Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist",
            "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle", "REye", "LEye", "REar", "LEar"));

    /** BODY_25 index of the nose. */
    public static final int NOSE = 0;
    /** BODY_25 index of the neck. */
    public static final int NECK = 1;
    /** BODY_25 index of the right wrist. */
    public static final int R_WRIST = 4;
    /** BODY_25 index of the left wrist. */
    public static final int L_WRIST = 7;
    /** BODY_25 index of the mid hip. */
    public static final int MID_HIP = 8;
    /** BODY_25 index of the right ankle. */
    public static final int R_ANKLE = 11;
    /** BODY_25 index of the left ankle. */
    public static final int L_ANKLE = 14;
    /** BODY_25 index of the right eye. */
    public static final int R_EYE = 15;
    /** BODY_25 index of the left eye. */
    public static final int L_EYE = 16;
    /** BODY_25 index of the right ear. */
    public static final int R_EAR = 17;
    /** BODY_25 index of the left ear. */
    public static final int L_EAR = 18;

    private final List<String> names;

    BodyModel(List<String> names) {
        this.names = names;
    }

    /** Number of keypoints (25 or 18). */
    public int keypointCount() {
        return names.size();
    }

    /** Length of a {@code pose_keypoints_2d} array: 3 values (x, y, confidence) per keypoint. */
    public int arrayLength2d() {
        return 3 * names.size();
    }

    /** Keypoint names in index order, as OpenPose spells them. Unmodifiable. */
    public List<String> names() {
        return names;
    }

    /** The name of keypoint {@code index}. */
    public String name(int index) {
        return names.get(index);
    }

    /** The index of the keypoint called {@code name}, or -1. */
    public int indexOf(String name) {
        return names.indexOf(name);
    }
}
