package dev.juggler.ledger;

import dev.juggler.video.FrameRange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The rules of derived tracks that every ledger implementation shares (see
 * {@link VideoCatalogue#addDerivedTrack}): the name check and the range arithmetic of DONE marks.
 * Stateless and thread-safe.
 */
public final class DerivedTracks {

    private DerivedTracks() {
    }

    /** Rejects a blank derived analysis name and one equal to the source's. */
    public static void checkName(String sourceAnalysis, String analysis) {
        if (analysis.isBlank()) {
            throw new IllegalArgumentException("derived track analysis name must not be blank");
        }
        if (analysis.equals(sourceAnalysis)) {
            throw new IllegalArgumentException("a derived track needs its own analysis name, not its source's ("
                    + sourceAnalysis + ")");
        }
    }

    /** The error for a derivation whose name is taken by a track that workers compute. */
    public static IllegalArgumentException notDerived(String videoId, String analysis) {
        return new IllegalArgumentException("video " + videoId + " already has a track '" + analysis
                + "' that workers compute; a derived track cannot take its name");
    }

    /** Rejects a mark outside the track's range. */
    public static void checkInside(FrameRange track, FrameRange marked) {
        if (marked.from() < track.from() || marked.to() > track.to()) {
            throw new IllegalArgumentException("range " + marked + " does not lie inside the track's frames " + track);
        }
    }

    /** The parts of {@code range} that none of {@code marked} covers, in frame order. */
    public static List<FrameRange> uncovered(FrameRange range, List<FrameRange> marked) {
        List<FrameRange> sorted = new ArrayList<>(marked);
        sorted.sort(Comparator.comparingLong(FrameRange::from));
        List<FrameRange> out = new ArrayList<>();
        long at = range.from();
        for (FrameRange m : sorted) {
            if (m.to() <= at || m.from() >= range.to()) {
                continue;
            }
            if (m.from() > at) {
                out.add(new FrameRange(at, m.from()));
            }
            at = Math.max(at, m.to());
            if (at >= range.to()) {
                break;
            }
        }
        if (at < range.to()) {
            out.add(new FrameRange(at, range.to()));
        }
        return out;
    }
}
