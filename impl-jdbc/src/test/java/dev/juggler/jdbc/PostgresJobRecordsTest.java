package dev.juggler.jdbc;

import dev.juggler.ledger.JobRecords;
import dev.juggler.ledger.JobRecordsContract;
import dev.juggler.ledger.WorkLedger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * The job-records contract on a real PostgreSQL server (see {@link PgTestServer}); the second instance is
 * a second ledger with its own pool on the same tables.
 */
class PostgresJobRecordsTest extends JobRecordsContract {

    private final List<String> prefixes = new ArrayList<>();
    private final List<WorkLedger> ledgers = new ArrayList<>();

    private JobRecords open(String prefix) {
        WorkLedger ledger = PgTestServer.builder().tablePrefix(prefix).build();
        ledgers.add(ledger);
        return ledger.jobRecords();
    }

    @Override
    protected JobRecords newRecords() {
        PgTestServer.require();
        String prefix = PgTestServer.freshPrefix();
        prefixes.add(prefix);
        return open(prefix);
    }

    @Override
    protected JobRecords sameStore() {
        return open(prefixes.get(prefixes.size() - 1));
    }

    @AfterEach
    void dropTables() throws Exception {
        ledgers.forEach(WorkLedger::close);
        PgTestServer.drop(prefixes, List.of());
    }
}
