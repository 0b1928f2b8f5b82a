package dev.juggler.samples;

import dev.juggler.ledger.TrackQuery;
import dev.juggler.ledger.TrackView;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.console.TrackExporter;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes every stored frame result of every track as OpenPose JSON files, one folder per track, named as OpenPose
 * names them ({@code <video>_<frame:12>_keypoints.json}): the demo's export, on the same code path as
 * {@code juggler export} ({@link TrackExporter}), so a re-run only writes the frames that are new. Stateless.
 */
final class OpenPoseExport {
    private static final int PAGE = 500;

    private OpenPoseExport() {
    }

    /** Exports all tracks under {@code output}; returns the number of frame files there (written now or before). */
    static long exportAll(WorkLedger ledger, Path output) {
        TrackExporter exporter = new TrackExporter(ledger, output);
        long files = 0;
        for (long offset = 0;; offset += PAGE) {
            List<TrackView> page = ledger.reader().tracks(TrackQuery.firstPage(PAGE).page(offset, PAGE));
            for (TrackView track : page) {
                TrackExporter.TrackResult result = exporter.export(track);
                files += result.written() + result.skipped();
            }
            if (page.size() < PAGE) {
                return files;
            }
        }
    }
}
