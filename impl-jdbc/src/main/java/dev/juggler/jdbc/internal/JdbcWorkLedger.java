package dev.juggler.jdbc.internal;

import dev.juggler.ledger.ClaimRequest;
import dev.juggler.ledger.DamagedFrame;
import dev.juggler.ledger.FrameResult;
import dev.juggler.ledger.JobRecords;
import dev.juggler.ledger.Lease;
import dev.juggler.ledger.LedgerReader;
import dev.juggler.ledger.RescheduleFilter;
import dev.juggler.ledger.RescheduleOutcome;
import dev.juggler.ledger.TrackDerivation;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.VideoRecord;
import dev.juggler.ledger.WorkEstimate;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link WorkLedger} on JDBC (H2 or PostgreSQL): the composite of its roles, each on its own tables,
 * all on one {@link LedgerDatabase} (transactions, retries, schema, dialect).
 *
 * <ul>
 *   <li>{@link JdbcWorkQueue}: claims and leases on the chunks table. How a claim avoids handing one chunk
 *       to two workers depends on the dialect ({@link ClaimStrategy}): on PostgreSQL one statement locks
 *       the best chunk with {@code FOR UPDATE SKIP LOCKED} (concurrent claimers take the next chunk, never
 *       wait, never lose a race); on H2 a claim is an optimistic compare-and-set on the chunk's version,
 *       retried on another candidate, or after a short pause, when it loses. Every later change of a
 *       lease (heartbeat, complete, fail) is guarded by the lease token, and takes the row lock where it
 *       reads before it writes.
 *   <li>{@link JdbcVideoCatalogue}: videos, tags, tracks and staging marks; {@link WorkEstimates}: the estimate.
 *   <li>{@link JdbcResultStore}: the results.
 *   <li>{@link JdbcJobRecords}, {@link JdbcLedgerReader}, {@link OperatorWrites} and {@link ChunkHistory}:
 *       batch job records, the operator views and changes, and the attempt history.
 * </ul>
 *
 * <p>Thread-safe; many instances in many processes may share one database.
 */
public final class JdbcWorkLedger implements WorkLedger {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcWorkLedger.class);
    /** Longest failure or stage-error text that is stored; longer texts are cut. */
    public static final int MAX_REASON_LENGTH = Sql.MAX_REASON_LENGTH;

    private final LedgerDatabase db;
    private final AutoCloseable ownedPool;
    private final String description;
    private final JdbcWorkQueue queue;
    private final JdbcVideoCatalogue catalogue;
    private final JdbcResultStore results;
    private final JdbcLedgerReader reader;
    private final JdbcJobRecords jobRecords;

    /**
     * @param dataSource where the ledger lives
     * @param ownedPool what {@link #close()} closes (a pool this ledger created), or {@code null}
     * @param schema the validated schema of the tables, or {@code null} for the connection's default
     * @param prefix the validated table name prefix
     * @param manageSchema whether to create/upgrade the schema on first use
     * @param clock the source of all timestamps
     * @param maxAttempts after how many unsuccessful leases frames become FAILED
     * @param description a secret-free description for {@link #toString()}
     */
    public JdbcWorkLedger(DataSource dataSource, AutoCloseable ownedPool, String schema, String prefix, boolean manageSchema,
            Clock clock, int maxAttempts, String description) {
        this.db = new LedgerDatabase(dataSource, schema, prefix, manageSchema, clock, description);
        this.ownedPool = ownedPool;
        this.description = description;
        Chunks chunks = new Chunks(db);
        ChunkHistory history = new ChunkHistory(db);
        WorkEstimates estimates = new WorkEstimates(db);
        this.queue = new JdbcWorkQueue(db, chunks, history, new LeaseBeats(db), new OperatorWrites(db, history), maxAttempts);
        this.catalogue = new JdbcVideoCatalogue(db, chunks, estimates);
        this.results = new JdbcResultStore(db);
        this.jobRecords = new JdbcJobRecords(db);
        this.reader = new JdbcLedgerReader(db, estimates, jobRecords, history);
    }

    // --- catalogue ---------------------------------------------------------------------------------

    @Override
    public void registerVideo(Video video) {
        catalogue.registerVideo(video);
    }

    @Override
    public Optional<VideoRecord> video(String videoId) {
        return catalogue.video(videoId);
    }

    @Override
    public long addTrack(TrackSpec spec) {
        return catalogue.addTrack(spec);
    }

    @Override
    public List<VideoRecord> videosToStage(int limit) {
        return catalogue.videosToStage(limit);
    }

    @Override
    public void markStaging(String videoId) {
        catalogue.markStaging(videoId);
    }

    @Override
    public void markStaged(String videoId, String location) {
        catalogue.markStaged(videoId, location);
    }

    @Override
    public void markStageFailed(String videoId, String error) {
        catalogue.markStageFailed(videoId, error);
    }

    @Override
    public void markPurged(String videoId) {
        catalogue.markPurged(videoId);
    }

    @Override
    public long addDerivedTrack(long sourceTrackId, String analysis, String parameters) {
        return catalogue.addDerivedTrack(sourceTrackId, analysis, parameters);
    }

    @Override
    public void markDerivedDone(long trackId, FrameRange range) {
        catalogue.markDerivedDone(trackId, range);
    }

    @Override
    public Optional<TrackDerivation> derivation(long trackId) {
        return catalogue.derivation(trackId);
    }

    @Override
    public List<VideoRecord> videosToPurge() {
        return catalogue.videosToPurge();
    }

    @Override
    public WorkEstimate estimate() {
        return catalogue.estimate();
    }

    // --- work queue --------------------------------------------------------------------------------

    @Override
    public Optional<Lease> claim(ClaimRequest request) {
        return queue.claim(request);
    }

    @Override
    public Lease heartbeat(Lease lease, long checkpoint) {
        return queue.heartbeat(lease, checkpoint);
    }

    @Override
    public void complete(Lease lease, long doneUntil) {
        queue.complete(lease, doneUntil);
    }

    @Override
    public void complete(Lease lease, long doneUntil, List<DamagedFrame> damaged) {
        queue.complete(lease, doneUntil, damaged);
    }

    @Override
    public void fail(Lease lease, long doneUntil, String reason, boolean permanent) {
        queue.fail(lease, doneUntil, reason, permanent);
    }

    @Override
    public int reapExpired() {
        return queue.reapExpired();
    }

    @Override
    public int revokeJob(String jobId, String reason) {
        return queue.revokeJob(jobId, reason);
    }

    @Override
    public RescheduleOutcome reschedule(RescheduleFilter filter, boolean dryRun) {
        return queue.reschedule(filter, dryRun);
    }

    @Override
    public int setAside(String videoId, String reason) {
        return queue.setAside(videoId, reason);
    }

    // --- results -----------------------------------------------------------------------------------

    @Override
    public void storeResults(List<FrameResult> results) {
        this.results.storeResults(results);
    }

    @Override
    public void readResults(long trackId, FrameRange range, Consumer<FrameResult> consumer) {
        results.readResults(trackId, range, consumer);
    }

    // --- views and lifecycle -----------------------------------------------------------------------

    @Override
    public LedgerReader reader() {
        return reader;
    }

    @Override
    public JobRecords jobRecords() {
        return jobRecords;
    }

    @Override
    public void close() {
        if (!db.close()) {
            return;
        }
        if (ownedPool != null) {
            try {
                ownedPool.close();
            } catch (Exception e) {
                LOG.warn("closing the connection pool of {} failed: {}", description, e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
