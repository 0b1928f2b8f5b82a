package dev.juggler.samples.console;

import dev.juggler.NotFoundException;
import dev.juggler.ledger.ChunkEvent;
import dev.juggler.ledger.ChunkQuery;
import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.ChunkView;
import dev.juggler.ledger.LedgerReader;
import dev.juggler.ledger.TrackView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The API's {@code track/{id}}: a track, its video's tags, its chunks in frame order, the coverage of its frame
 * range by state (what the page's coverage bar draws), and its attempt history. Immutable and thread-safe.
 *
 * @param track the track
 * @param tags its video's tags
 * @param chunks its chunks in frame order (at most {@link #MAX_CHUNKS})
 * @param chunksTruncated whether it has more chunks than shown
 * @param coverage the frame range as runs of one state each, in frame order
 * @param history its attempt history, oldest first (at most {@link #MAX_HISTORY})
 */
record ApiTrackDetail(TrackView track, Map<String, String> tags, List<ChunkView> chunks, boolean chunksTruncated,
        List<Segment> coverage, List<ChunkEvent> history) {

    /** Chunks shown at most: a track split finer than this is a pathology the chunk table can page through. */
    static final int MAX_CHUNKS = 10_000;
    /** History entries shown at most. */
    static final int MAX_HISTORY = 1000;

    /**
     * A run of frames in one state.
     *
     * @param from the first frame
     * @param to one past the last frame
     * @param state DONE, LEASED, PENDING or FAILED
     */
    record Segment(long from, long to, String state) {
    }

    static ApiTrackDetail read(LedgerReader reader, long trackId) {
        TrackView track = reader.track(trackId)
                .orElseThrow(() -> new NotFoundException("track", trackId));
        List<ChunkView> chunks = reader.chunks(new ChunkQuery(Optional.of(trackId), Optional.empty(),
                ChunkQuery.Sort.TRACK_FRAME, 0, MAX_CHUNKS));
        boolean truncated = chunks.size() == MAX_CHUNKS && reader.countChunks(ChunkQuery.ofTrack(trackId, 1)) > MAX_CHUNKS;
        Map<String, String> tags = reader.videoTags(List.of(track.videoId())).getOrDefault(track.videoId(), Map.of());
        return new ApiTrackDetail(track, tags, chunks, truncated, coverage(chunks), reader.history(trackId, MAX_HISTORY));
    }

    /**
     * The chunks as state runs; a leased chunk's frames before its checkpoint count as done (the worker has stored
     * them), and neighbouring runs of the same state are merged so the bar has few parts.
     */
    static List<Segment> coverage(List<ChunkView> chunks) {
        List<Segment> runs = new ArrayList<>();
        for (ChunkView c : chunks) {
            long from = c.range().from();
            long to = c.range().to();
            if (c.state() == ChunkState.LEASED && c.checkpoint() > from && c.checkpoint() <= to) {
                add(runs, new Segment(from, c.checkpoint(), ChunkState.DONE.name()));
                from = c.checkpoint();
            }
            if (from < to) {
                add(runs, new Segment(from, to, c.state().name()));
            }
        }
        return runs;
    }

    private static void add(List<Segment> runs, Segment next) {
        if (!runs.isEmpty()) {
            Segment last = runs.get(runs.size() - 1);
            if (last.state().equals(next.state()) && last.to() == next.from()) {
                runs.set(runs.size() - 1, new Segment(last.from(), next.to(), last.state()));
                return;
            }
        }
        runs.add(next);
    }
}
