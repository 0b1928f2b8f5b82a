package dev.juggler.jdbc.internal;

import dev.juggler.ledger.FrameResult;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.FutureTask;

/**
 * A batch of frame results as the rows that store them ({@link ResultBlocks#rows}), encoded in units of up to
 * {@value #UNIT} frames of one track, on the common pool and on the storing thread at once, from the moment
 * the batch is made: the storing thread sends a unit's rows while the pool still encodes the next ones. A
 * frame given twice keeps its first payload. Units end at multiples of {@value #UNIT}, a multiple of
 * {@link ResultBlocks#MAX_FRAMES}, so they cut the frames into the same blocks as one pass would. Encoded
 * once: a retried transaction takes the same rows again. Thread-safe for the one storing thread that reads
 * it (the pool threads only fill units).
 */
final class EncodedBatch {

    private static final int UNIT = 512;

    /** Some frames of one track, in frame order, and, once encoded, their rows. */
    static final class Unit {
        private final long trackId;
        private final List<FrameResult> frames;
        private final FutureTask<List<ResultBlocks.Row>> rows;
        /** The unit's place in the batch. */
        private final int index;

        private Unit(long trackId, List<FrameResult> frames, int index) {
            this.trackId = trackId;
            this.index = index;
            this.frames = frames;
            this.rows = new FutureTask<>(() -> ResultBlocks.rows(trackId, frames));
        }

        long firstFrame() {
            return frames.get(0).frame();
        }

        long lastFrame() {
            return frames.get(frames.size() - 1).frame();
        }

        /** The rows that store every frame of the unit; encodes them here if no pool thread has started. */
        private List<ResultBlocks.Row> rows() throws SQLException {
            rows.run(); // returns at once if a pool thread has started or finished it
            try {
                return rows.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while results were encoded", "57014", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException(e.getCause());
            }
        }

        /** The rows that store the unit's frames other than {@code stored}, encoded here. */
        List<ResultBlocks.Row> rowsWithout(Set<Long> stored) {
            List<FrameResult> rest = new ArrayList<>(frames.size());
            for (FrameResult frame : frames) {
                if (!stored.contains(frame.frame())) {
                    rest.add(frame);
                }
            }
            return ResultBlocks.rows(trackId, rest);
        }
    }

    private final NavigableMap<Long, List<Unit>> units = new TreeMap<>();
    private final List<Unit> all = new ArrayList<>();
    private final long frames;
    /** The last unit the storing thread may still encode itself while it waits (the pool takes them from the front). */
    private int helpFrom;

    EncodedBatch(List<FrameResult> results) {
        NavigableMap<Long, List<FrameResult>> byTrack = new TreeMap<>();
        for (FrameResult result : results) {
            byTrack.computeIfAbsent(result.trackId(), t -> new ArrayList<>()).add(result);
        }
        long distinct = 0;
        for (var track : byTrack.entrySet()) {
            List<FrameResult> ofTrack = inOrderOnce(track.getValue());
            distinct += ofTrack.size();
            List<Unit> cut = new ArrayList<>();
            int from = 0;
            for (int i = 1; i <= ofTrack.size(); i++) {
                if (i == ofTrack.size() || Math.floorDiv(ofTrack.get(i).frame(), UNIT) != Math.floorDiv(ofTrack.get(from).frame(), UNIT)) {
                    cut.add(new Unit(track.getKey(), ofTrack.subList(from, i), all.size() + cut.size()));
                    from = i;
                }
            }
            units.put(track.getKey(), cut);
            all.addAll(cut);
        }
        this.frames = distinct;
        this.helpFrom = all.size() - 1;
        for (int i = 1; i < all.size(); i++) {
            ForkJoinPool.commonPool().execute(all.get(i).rows); // unit 0 is the storing thread's own first job
        }
    }

    /** The track's results in frame order, the first of each frame only (a stable sort keeps the given order of equals). */
    private static List<FrameResult> inOrderOnce(List<FrameResult> results) {
        boolean ordered = true;
        for (int i = 1; i < results.size() && ordered; i++) {
            ordered = results.get(i - 1).frame() < results.get(i).frame();
        }
        if (ordered) {
            return results;
        }
        List<FrameResult> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparingLong(FrameResult::frame));
        List<FrameResult> once = new ArrayList<>(sorted.size());
        for (FrameResult result : sorted) {
            if (once.isEmpty() || once.get(once.size() - 1).frame() != result.frame()) {
                once.add(result);
            }
        }
        return once;
    }

    /**
     * The unit's rows, once encoded. While a pool thread still encodes it, the calling (storing) thread
     * encodes units from the back of the batch, so that both work until the batch is done.
     */
    List<ResultBlocks.Row> rowsOf(Unit unit) throws SQLException {
        while (!unit.rows.isDone() && helpFrom > unit.index) {
            all.get(helpFrom--).rows.run(); // returns at once if a pool thread has started it
        }
        return unit.rows();
    }

    /** How many distinct frames the batch holds. */
    long frames() {
        return frames;
    }

    /** The batch's tracks and their units, in id and frame order. */
    NavigableMap<Long, List<Unit>> units() {
        return Collections.unmodifiableNavigableMap(units);
    }
}
