package dev.juggler.inference.clean;

import dev.juggler.inference.openpose.OpenPoseDocument;
import dev.juggler.inference.openpose.OpenPoseFormatException;
import dev.juggler.inference.openpose.OpenPoseJson;
import dev.juggler.ledger.FrameResult;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.video.FrameRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Cleans a pose track of a ledger into its derived track {@code <analysis>+clean}: reads the source's results a
 * block of frames at a time through the result store, cleans them with a {@link TrackCleaner}, and writes the
 * cleaned frames with {@link WorkLedger#storeResults}, marking each written run of frames DONE with
 * {@link WorkLedger#markDerivedDone} after its results are stored (so a crash leaves DONE only what is written).
 * The source track is only read, never changed. The settings are recorded as the derived track's parameters.
 *
 * <p>A frame without a stored result (failed, damaged or not yet analysed) is a break in the cleaned track, as
 * is a stored result that is not valid OpenPose JSON (counted in {@link Outcome#unreadable()}); the cleaning goes
 * on after it.
 *
 * <p>Not thread-safe: one cleaning per instance at a time; the ledger may be shared.
 */
public final class LedgerCleaning {
    /** Frames read from the ledger per query. */
    static final int READ_BLOCK = 2_000;
    /** Cleaned frames written per batch. */
    static final int WRITE_BATCH = 500;

    /**
     * What one cleaning did. Immutable and thread-safe.
     *
     * @param sourceTrackId the cleaned track
     * @param derivedTrackId the derived track written, or {@code -1} for a dry run
     * @param stats the cleaner's counts
     * @param unreadable stored results that were not valid OpenPose JSON (treated as missing frames)
     */
    public record Outcome(long sourceTrackId, long derivedTrackId, CleanStats stats, long unreadable) {
    }

    private final WorkLedger ledger;

    public LedgerCleaning(WorkLedger ledger) {
        this.ledger = Objects.requireNonNull(ledger, "ledger");
    }

    /**
     * Cleans track {@code trackId} over {@code range}.
     *
     * @param fps the video's frame rate
     * @param dryRun clean but write nothing (the outcome says what a real run would write)
     * @param each receives every cleaned frame too (a CSV export, progress), in frame order
     * @throws dev.juggler.NotFoundException if the track does not exist
     * @throws dev.juggler.InvalidConfigException if the settings do not fit the frame rate (nothing is written then)
     */
    public Outcome clean(long trackId, String sourceAnalysis, FrameRange range, double fps, CleanSettings settings,
            boolean dryRun, Consumer<CleanedFrame> each) {
        TrackCleaner.requireFits(settings, fps); // before the derived track is made: a misfit leaves nothing behind
        long derived = dryRun ? -1 : ledger.addDerivedTrack(trackId, CleanSettings.cleanedName(sourceAnalysis),
                settings.toParameters());
        Writer writer = new Writer(derived, each);
        TrackCleaner cleaner = new TrackCleaner(settings, fps, writer);
        long[] unreadable = {0};
        for (long from = range.from(); from < range.to(); from += READ_BLOCK) {
            FrameRange block = new FrameRange(from, Math.min(range.to(), from + READ_BLOCK));
            ledger.readResults(trackId, block, result -> {
                OpenPoseDocument document;
                try {
                    document = OpenPoseJson.readDocument(result.payload(), "track " + trackId + " frame " + result.frame());
                } catch (OpenPoseFormatException e) {
                    unreadable[0]++;
                    return; // a missing frame: a break
                }
                cleaner.accept(result.frame(), document);
            });
        }
        cleaner.finish();
        writer.flush();
        return new Outcome(trackId, derived, cleaner.stats(), unreadable[0]);
    }

    /** Stores cleaned frames in batches and marks each contiguous stored run DONE. */
    private final class Writer implements Consumer<CleanedFrame> {
        private final long trackId;
        private final Consumer<CleanedFrame> each;
        private final List<FrameResult> batch = new ArrayList<>(WRITE_BATCH);

        Writer(long trackId, Consumer<CleanedFrame> each) {
            this.trackId = trackId;
            this.each = each;
        }

        @Override
        public void accept(CleanedFrame frame) {
            each.accept(frame);
            if (trackId < 0) {
                return;
            }
            if (!batch.isEmpty() && batch.get(batch.size() - 1).frame() + 1 != frame.frame()) {
                flush();
            }
            batch.add(new FrameResult(trackId, frame.frame(), OpenPoseJson.toJson(frame.document())));
            if (batch.size() >= WRITE_BATCH) {
                flush();
            }
        }

        void flush() {
            if (batch.isEmpty()) {
                return;
            }
            ledger.storeResults(batch);
            ledger.markDerivedDone(trackId, new FrameRange(batch.get(0).frame(), batch.get(batch.size() - 1).frame() + 1));
            batch.clear();
        }
    }
}
