package dev.juggler.ledger;

import java.util.List;

/**
 * Read-only operator views over a ledger: the progress summary and paged tables. Nothing here changes
 * state. Implementations are thread-safe.
 */
public interface LedgerReader {

    /** Counts of tracks and frames by state, for a status panel. */
    Progress progress();

    /** One page of tracks matching the query. */
    List<TrackView> tracks(TrackQuery query);

    /** One page of chunks matching the query (e.g. all FAILED chunks with their reasons). */
    List<ChunkView> chunks(ChunkQuery query);
}
