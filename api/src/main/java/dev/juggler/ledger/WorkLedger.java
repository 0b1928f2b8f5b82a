package dev.juggler.ledger;

/**
 * The durable single source of truth of a run: videos, tracks, chunks, leases, staging state,
 * failures and frame results. Workers claim from it; the juggler reconciles against it; operators read
 * it through {@link LedgerReader}.
 *
 * <p>It is the composite of three roles, so that a part of the system can take only what it uses: the
 * {@link WorkQueue} (claims, leases, re-scheduling; the {@link dev.juggler.run.Worker} takes it with the
 * {@link ResultStore}), the {@link VideoCatalogue} (videos, tracks, staging) and the {@link ResultStore}.
 * On top it offers the operator's {@link #reader() view} and the juggler's {@link #jobRecords() job
 * records} over the same store. {@link InMemoryWorkLedger} is the reference implementation: a plain
 * statement of the semantics, and a fast ledger for a host's own tests.
 *
 * <p>Guarantees every implementation must keep (checked by the contract test suite shipped in this
 * module's test-jar):
 * <ul>
 *   <li>every state change is one transaction;</li>
 *   <li>a claim never hands a frame to two live leases, and only hands out chunks of staged videos,
 *       highest track priority first, then oldest;</li>
 *   <li>calls that carry a lease are refused with {@link LeaseLostException} once the lease is gone;</li>
 *   <li>at every moment the DONE chunks of a track are disjoint, and when the track is done they cover
 *       its range exactly;</li>
 *   <li>frame results are idempotent by (track, frame).</li>
 * </ul>
 *
 * <p>Implementations are thread-safe and may be used from many processes at once against the same
 * store. Failures are {@link dev.juggler.JugglerException}s; transient ones (connection lost,
 * serialisation conflicts) are retried inside before they surface.
 */
public interface WorkLedger extends VideoCatalogue, WorkQueue, ResultStore, AutoCloseable {

    /** The read-only operator view over the same store. */
    LedgerReader reader();

    // --- job records (juggler) ---------------------------------------------------------------------

    /**
     * The juggler's durable record of its batch jobs in the same store (see {@link JobRecords}): what makes
     * a restarted juggler adopt instead of submitting twice. The default throws
     * {@link UnsupportedOperationException}: a juggler on such a ledger keeps its job records in memory
     * only (and says so), so a restart forgets them.
     */
    default JobRecords jobRecords() {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no job records");
    }

    /** Releases what this ledger created (pools, embedded servers); idempotent. */
    @Override
    void close();
}
