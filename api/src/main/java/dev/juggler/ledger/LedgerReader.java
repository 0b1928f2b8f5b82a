package dev.juggler.ledger;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    /**
     * One page of the juggler's job records (status, job id, submitted at, ended, frames done, reason),
     * filtered by state and sorted by submission time; see {@link JobRecords#jobs}. The default throws
     * {@link UnsupportedOperationException} (a ledger without job records).
     */
    default List<JobRecord> jobs(JobQuery query) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no job records");
    }

    /**
     * Frames under a live lease, summed per batch job id (leases claimed without a job id are left
     * out): how much work each running worker holds right now. The juggler sizes its submissions by it.
     * The default pages through {@link #chunks}; implementations should answer it in one aggregate read.
     */
    default Map<String, Long> leasedFramesByJob() {
        Map<String, Long> held = new HashMap<>();
        int page = 10_000;
        for (long offset = 0;; offset += page) {
            List<ChunkView> leased = chunks(new ChunkQuery(Optional.empty(), Optional.of(ChunkState.LEASED), ChunkQuery.Sort.ID,
                    offset, page));
            for (ChunkView chunk : leased) {
                chunk.jobId().ifPresent(job -> held.merge(job, chunk.range().length(), Long::sum));
            }
            if (leased.size() < page) {
                return held;
            }
        }
    }
}
