package dev.juggler.samples;

import dev.juggler.inference.openpose.OpenPoseFiles;
import dev.juggler.ledger.TrackQuery;
import dev.juggler.ledger.TrackView;
import dev.juggler.ledger.VideoRecord;
import dev.juggler.ledger.WorkLedger;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Writes every stored frame result of every track as OpenPose JSON files, one folder per track, named
 * as OpenPose names them ({@code <video>_<frame:12>_keypoints.json}). Stateless.
 */
final class OpenPoseExport {
    private static final int PAGE = 500;

    private OpenPoseExport() {
    }

    /** Exports all tracks under {@code output}; returns the number of files written. */
    static long exportAll(WorkLedger ledger, Path output) {
        long files = 0;
        Set<String> usedFolders = new HashSet<>();
        for (long offset = 0;; offset += PAGE) {
            List<TrackView> page = ledger.reader().tracks(new TrackQuery(Optional.empty(), Optional.empty(),
                    TrackQuery.Sort.ID, offset, PAGE));
            for (TrackView track : page) {
                files += exportTrack(ledger, track, output, usedFolders);
            }
            if (page.size() < PAGE) {
                return files;
            }
        }
    }

    private static long exportTrack(WorkLedger ledger, TrackView track, Path output, Set<String> usedFolders) {
        Optional<VideoRecord> video = ledger.video(track.videoId());
        String base = video.map(v -> OpenPoseFiles.baseName(Path.of(v.video().location()))).orElse("track-" + track.trackId());
        // Two videos may share a base name (a.mp4, a.avi): their folders must not.
        String folder = base + "." + track.analysis();
        for (int n = 2; !usedFolders.add(folder); n++) {
            folder = base + "-" + n + "." + track.analysis();
        }
        Path dir = output.resolve(folder);
        long[] written = {0};
        ledger.readResults(track.trackId(), track.range(), result -> {
            OpenPoseFiles.writeFrame(dir, base, result.frame(), result.payload());
            written[0]++;
        });
        return written[0];
    }
}
