package dev.juggler.ledger;

import java.util.Objects;

/**
 * One frame that could not be analysed while the rest of its range could (a damaged video frame, a corrupt
 * image): it is recorded as a FAILED one-frame range with its reason by
 * {@link WorkQueue#complete(Lease, long, java.util.List)}. Immutable and thread-safe.
 *
 * @param frame the frame index
 * @param reason why, for people (the decoder's words)
 */
public record DamagedFrame(long frame, String reason) {

    public DamagedFrame {
        if (frame < 0) {
            throw new IllegalArgumentException("frame = " + frame + ": must be >= 0");
        }
        Objects.requireNonNull(reason, "reason");
    }
}
