package dev.juggler.inference.clean;

/**
 * What a {@link TrackCleaner} did. Immutable and thread-safe.
 *
 * @param frames frames cleaned (and written)
 * @param breaks places where frames were missing from the source, each a hard end of every trajectory
 * @param identities identities given out
 * @param swapsCorrected persons whose left and right were swapped back
 * @param outliersRejected keypoints rejected as outliers (impossible speed or bone length) or as the other side's point
 * @param pointsFilled 2D points filled by interpolation
 */
public record CleanStats(long frames, long breaks, long identities, long swapsCorrected, long outliersRejected,
        long pointsFilled) {

    /** A one-line summary. */
    public String summary() {
        return frames + " frames, " + identities + " identities, " + swapsCorrected + " left/right swaps corrected, "
                + outliersRejected + " outliers or mixed-up points rejected, " + pointsFilled + " points filled, " + breaks
                + " breaks at missing frames";
    }
}
