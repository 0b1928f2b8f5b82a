package dev.juggler.accel;

import java.util.Map;

/**
 * An accelerator that can say where its time goes, stage by stage (a remote one: serialising, the network and
 * the server, the server's queue and compute, reading the answer). A pipeline reads the totals before and after
 * a run and reports the difference per frame next to its own stages.
 *
 * <p>Implementations are thread-safe: {@link #stageTotals()} may be called while batches run.
 */
public interface StageTimed {

    /**
     * Running totals since the accelerator was made, by stage name in the order the stages happen. May do I/O
     * (a remote server's statistics): call it per run, not per batch.
     */
    Map<String, StageTotal> stageTotals();

    /**
     * Frames that went through a stage and the time they spent in it.
     *
     * @param frames frames counted
     * @param nanos time spent, summed over the frames' batches
     */
    record StageTotal(long frames, long nanos) {

        /** What happened between {@code earlier} and this reading. */
        public StageTotal minus(StageTotal earlier) {
            return new StageTotal(frames - earlier.frames, nanos - earlier.nanos);
        }

        /** Mean milliseconds per frame; 0 without frames. */
        public double meanMs() {
            return frames > 0 ? nanos / 1e6 / frames : 0;
        }
    }
}
