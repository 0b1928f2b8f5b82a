package dev.juggler.jdbc;

import dev.juggler.ledger.WorkLedger;
import dev.juggler.ledger.DerivedTracksContract;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;

/**
 * The derived-track contract on a real PostgreSQL server (see {@link PgTestServer}: skipped with a reason
 * when none is configured, failed when {@code CI=true}). Each test gets its own table prefix, and its
 * tables are dropped afterwards.
 */
class PostgresDerivedTracksTest extends DerivedTracksContract {

    private final PgTestServer.FreshLedgers ledgers = new PgTestServer.FreshLedgers();

    @Override
    protected WorkLedger newLedger(Clock clock) {
        return ledgers.open(clock);
    }

    @AfterEach
    void dropTables() throws Exception {
        ledgers.dropAll();
    }
}
