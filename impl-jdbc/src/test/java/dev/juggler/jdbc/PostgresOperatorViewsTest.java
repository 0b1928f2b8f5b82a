package dev.juggler.jdbc;

import dev.juggler.ledger.WorkLedger;
import dev.juggler.ledger.OperatorViewsContract;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * The operator views' contract on a real PostgreSQL server (see {@link PgTestServer}: skipped with a reason
 * when none is configured, failed when {@code CI=true}). Each test gets its own table prefix, and its
 * tables are dropped afterwards.
 */
class PostgresOperatorViewsTest extends OperatorViewsContract {

    private final List<String> prefixes = new ArrayList<>();

    @Override
    protected WorkLedger newLedger(Clock clock) {
        PgTestServer.require();
        String prefix = PgTestServer.freshPrefix();
        prefixes.add(prefix);
        return PgTestServer.builder().tablePrefix(prefix).clock(clock).build();
    }

    @AfterEach
    void dropTables() throws Exception {
        PgTestServer.drop(prefixes, List.of());
    }
}
