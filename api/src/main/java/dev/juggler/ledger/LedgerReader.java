package dev.juggler.ledger;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
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

    /** One track, if it exists. */
    Optional<TrackView> track(long trackId);

    /**
     * Where the table counts stop: a count is exact up to this many rows and {@code COUNT_LIMIT + 1} means
     * "more than that". Counting every match of a broad filter over millions of rows would cost a
     * full scan per page view; the status panel's {@link #progress()} has the exact totals.
     */
    long COUNT_LIMIT = 10_000;

    /** How many tracks match the query's filters, up to {@link #COUNT_LIMIT} + 1 (sort, offset and limit are ignored). */
    long countTracks(TrackQuery query);

    /** How many chunks match the query's filters, up to {@link #COUNT_LIMIT} + 1 (sort, offset and limit are ignored). */
    long countChunks(ChunkQuery query);

    /** The latest report of every run that has made one, most recent first; empty without job records. */
    default List<RunReport> runReports() {
        return List.of();
    }

    /** How many job records match the query's filters, up to {@link #COUNT_LIMIT} + 1; 0 without job records. */
    default long countJobs(JobQuery query) {
        return 0;
    }

    /**
     * The tags of the given videos (video id to tag key to value); videos without tags, and unknown ones,
     * are left out. At most 10,000 ids per call.
     */
    Map<String, Map<String, String>> videoTags(Collection<String> videoIds);

    /** The distinct tag keys in use, sorted: the columns a track table can offer. */
    List<String> tagKeys();

    /**
     * The FAILED chunks grouped by their exact failure reason, most chunks first, at most {@code limit}
     * reasons: the input of failure groups.
     */
    List<ReasonCount> failureReasons(int limit);

    /** A track's attempt history, oldest first, at most {@code limit} entries. */
    List<ChunkEvent> history(long trackId, int limit);

    /**
     * Frames done and jobs running per {@code bucket} from {@code from} up to now, oldest first, one point per
     * bucket (empty buckets included).
     */
    List<ThroughputPoint> throughput(Instant from, Duration bucket);

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
