package dev.juggler.inference.internal;

/**
 * The coloured-marker convention shared by the synthetic test video (which draws markers) and the
 * marker pose model (which finds them): which BODY_25 joints carry a marker, in which colour, how big.
 *
 * <p>Seven hues spaced 360/7 degrees apart at full saturation and value, so that after lossy,
 * chroma-subsampled encoding each hue still lands well inside its own +-21 degree class. Immutable
 * and thread-safe.
 */
public final class Markers {

    /** BODY_25 indices of the marked joints: Nose, Neck, RWrist, LWrist, MidHip, RAnkle, LAnkle. */
    private static final int[] JOINTS = {0, 1, 4, 7, 8, 11, 14};

    /** Number of markers. */
    public static final int COUNT = JOINTS.length;

    private static final double HUE_STEP = 360.0 / COUNT;
    private static final double HUE_TOLERANCE = HUE_STEP / 2 - 4;
    private static final double MIN_SATURATION = 0.45;
    private static final int MIN_VALUE = 90;

    // 5 bits per channel, index (b5 << 10) | (g5 << 5) | r5; value 0 = no marker, k + 1 = marker k.
    private static final byte[] CLASS_LUT = buildLut();

    private Markers() {
    }

    /** The BODY_25 index of marker {@code k}. */
    public static int joint(int k) {
        return JOINTS[k];
    }

    /** The marker radius in pixels that the synthetic video draws at this size (>= 5). */
    public static int radius(int width, int height) {
        return Math.max(5, (int) Math.round(Math.min(width, height) / 40.0));
    }

    /** Marker {@code k}'s colour as {@code {b, g, r}}. */
    public static int[] bgr(int k) {
        double h = k * HUE_STEP / 60.0;
        int sector = (int) Math.floor(h) % 6;
        double f = h - Math.floor(h);
        int up = (int) Math.round(255 * f);
        int down = 255 - up;
        int r;
        int g;
        int b;
        switch (sector) {
            case 0: r = 255; g = up; b = 0; break;
            case 1: r = down; g = 255; b = 0; break;
            case 2: r = 0; g = 255; b = up; break;
            case 3: r = 0; g = down; b = 255; break;
            case 4: r = up; g = 0; b = 255; break;
            default: r = 255; g = 0; b = down; break;
        }
        return new int[] {b, g, r};
    }

    /**
     * The marker class of a pixel: 0 for none, {@code k + 1} for marker {@code k}. A table lookup on
     * the top 5 bits per channel, because it runs once per pixel and must cost next to nothing.
     */
    public static int classify(int b, int g, int r) {
        return CLASS_LUT[((b & 0xF8) << 7) | ((g & 0xF8) << 2) | ((r & 0xF8) >>> 3)];
    }

    private static byte[] buildLut() {
        byte[] lut = new byte[1 << 15];
        for (int b5 = 0; b5 < 32; b5++) {
            for (int g5 = 0; g5 < 32; g5++) {
                for (int r5 = 0; r5 < 32; r5++) {
                    int b = (b5 << 3) | 4;
                    int g = (g5 << 3) | 4;
                    int r = (r5 << 3) | 4;
                    lut[(b5 << 10) | (g5 << 5) | r5] = (byte) classifySlow(b, g, r);
                }
            }
        }
        return lut;
    }

    private static int classifySlow(int b, int g, int r) {
        int max = Math.max(r, Math.max(g, b));
        int min = Math.min(r, Math.min(g, b));
        if (max < MIN_VALUE || max - min < MIN_SATURATION * max) {
            return 0;
        }
        double d = max - min;
        double hue;
        if (max == r) {
            hue = 60 * (((g - b) / d) % 6);
        } else if (max == g) {
            hue = 60 * ((b - r) / d + 2);
        } else {
            hue = 60 * ((r - g) / d + 4);
        }
        if (hue < 0) {
            hue += 360;
        }
        int nearest = (int) Math.round(hue / HUE_STEP) % COUNT;
        double diff = Math.abs(hue - nearest * HUE_STEP);
        diff = Math.min(diff, 360 - diff);
        return diff <= HUE_TOLERANCE ? nearest + 1 : 0;
    }
}
