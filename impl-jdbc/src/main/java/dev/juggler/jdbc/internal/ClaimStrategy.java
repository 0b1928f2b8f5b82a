package dev.juggler.jdbc.internal;

import dev.juggler.ledger.ClaimRequest;
import dev.juggler.ledger.Lease;
import java.util.Optional;

/**
 * How one database dialect hands out a lease on the best claimable chunk. Chosen once per ledger, from
 * the dialect detected when the schema is first made ready (building a ledger does not connect).
 *
 * <ul>
 *   <li>PostgreSQL ({@link SkipLockedClaim}): one statement locks the best chunk nobody else has locked
 *       ({@code FOR UPDATE SKIP LOCKED}), leases its head and inserts the rest; claimers never wait for
 *       each other nor lose races.
 *   <li>H2 ({@link OptimisticClaim}): a few candidates are read without locks and one is leased by a
 *       compare-and-set on its version; a lost race moves on, and when every candidate is lost the
 *       transaction runs again after a short random pause.
 * </ul>
 *
 * <p>Implementations are thread-safe.
 */
interface ClaimStrategy {

    /** Leases the head of the best claimable chunk for {@code request}, or returns empty if none is claimable. */
    Optional<Lease> claim(ClaimRequest request, String operation);

    /** The strategy for {@code dialect}. */
    static ClaimStrategy of(Dialect dialect, LedgerDatabase db, Chunks chunks) {
        return dialect.claimsWithSkipLocked() ? new SkipLockedClaim(db) : new OptimisticClaim(db, chunks);
    }
}
