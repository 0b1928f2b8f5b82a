package dev.juggler.inference.pose;

/**
 * One person's region of interest for the landmark model, as MediaPipe defines it: a square centred on
 * the hips, turned so that the body stands upright in it, {@value #SCALE} times as large as the circle
 * through the hips and the point above the head that the person detector (or the landmark model's
 * auxiliary points) gives. Frame pixels; rotation in radians, clockwise on screen. Immutable and
 * thread-safe.
 *
 * @param cx centre x
 * @param cy centre y
 * @param side side of the square
 * @param rotation how far the square is turned; 0 for a person standing upright
 */
record PoseRoi(float cx, float cy, float side, float rotation) {

    /** How much the square is enlarged around the body circle (MediaPipe's 1.25). */
    static final float SCALE = 1.25f;

    /**
     * The region from two alignment points: {@code (x0, y0)} the hip centre, {@code (x1, y1)} the point
     * whose distance from it is the body's radius and whose direction is "up" (MediaPipe's target angle of
     * 90 degrees).
     */
    static PoseRoi fromAlignment(float x0, float y0, float x1, float y1) {
        float dx = x1 - x0;
        float dy = y1 - y0;
        float side = (float) Math.sqrt(dx * dx + dy * dy) * 2f * SCALE;
        float rotation = normalize((float) (Math.PI / 2 - Math.atan2(-dy, dx)));
        return new PoseRoi(x0, y0, side, rotation);
    }

    /** Maps a {@code size x size} model input onto this region. */
    RoiTransform toInput(int size) {
        return RoiTransform.rotatedSquare(cx, cy, side, rotation, size);
    }

    /**
     * Whether {@code other} is (almost certainly) the same person: hip centres closer than
     * {@code fraction} of the smaller side, and sides within a factor of two.
     */
    boolean samePersonAs(PoseRoi other, float fraction) {
        float small = Math.min(side, other.side);
        float large = Math.max(side, other.side);
        if (large > 2f * small) {
            return false;
        }
        float dx = cx - other.cx;
        float dy = cy - other.cy;
        return dx * dx + dy * dy < (fraction * small) * (fraction * small);
    }

    /** Whether the region is usable: a finite centre and a side of at least {@code minSide} pixels. */
    boolean isUsable(float minSide) {
        return Float.isFinite(cx) && Float.isFinite(cy) && Float.isFinite(rotation) && side >= minSide
                && Float.isFinite(side);
    }

    private static float normalize(float angle) {
        double twoPi = 2 * Math.PI;
        return (float) (angle - twoPi * Math.floor((angle + Math.PI) / twoPi));
    }
}
