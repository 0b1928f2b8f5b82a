package dev.juggler.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a lease ends when some frames before its done mark were damaged: the lease's range cut into
 * consecutive pieces, DONE runs between FAILED runs of damaged frames (adjacent damaged frames with the
 * same reason form one run), then the PENDING rest after the done mark. Both ledgers apply it, so they cut
 * alike. Immutable and thread-safe.
 *
 * @param pieces the pieces, in frame order, covering the lease's range without gaps
 */
public record LeaseSettlement(List<Piece> pieces) {

    /**
     * One piece of the range.
     *
     * @param from first frame
     * @param to end (exclusive)
     * @param state DONE, FAILED (damaged frames) or PENDING (the rest after the done mark)
     * @param reason the failure reason of a FAILED piece, else {@code null}
     */
    public record Piece(long from, long to, ChunkState state, String reason) {
    }

    public LeaseSettlement {
        pieces = List.copyOf(pieces);
    }

    /**
     * The pieces of {@code [from, to)} with {@code [from, doneUntil)} done except {@code damaged}.
     *
     * @throws IllegalArgumentException if a damaged frame lies outside {@code [from, doneUntil)} or is listed twice
     */
    public static LeaseSettlement of(long from, long to, long doneUntil, List<DamagedFrame> damaged) {
        Objects.requireNonNull(damaged, "damaged");
        List<DamagedFrame> sorted = new ArrayList<>(damaged);
        sorted.sort(java.util.Comparator.comparingLong(DamagedFrame::frame));
        List<Piece> pieces = new ArrayList<>();
        long at = from;
        for (int i = 0; i < sorted.size(); i++) {
            DamagedFrame d = sorted.get(i);
            if (d.frame() < at || d.frame() >= doneUntil) {
                throw new IllegalArgumentException("damaged frame " + d.frame() + " is outside " + from + ".." + doneUntil
                        + " or listed twice");
            }
            if (d.frame() > at) {
                pieces.add(new Piece(at, d.frame(), ChunkState.DONE, null));
            }
            long end = d.frame() + 1;
            while (i + 1 < sorted.size() && sorted.get(i + 1).frame() == end && sorted.get(i + 1).reason().equals(d.reason())) {
                end++;
                i++;
            }
            pieces.add(new Piece(d.frame(), end, ChunkState.FAILED, d.reason()));
            at = end;
        }
        if (doneUntil > at) {
            pieces.add(new Piece(at, doneUntil, ChunkState.DONE, null));
        }
        if (to > Math.max(at, doneUntil)) {
            pieces.add(new Piece(Math.max(at, doneUntil), to, ChunkState.PENDING, null));
        }
        return new LeaseSettlement(pieces);
    }
}
