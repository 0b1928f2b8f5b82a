package dev.juggler.jdbc;

import dev.juggler.ledger.JobRecords;
import dev.juggler.ledger.JobRecordsContract;
import dev.juggler.ledger.WorkLedger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The job-records contract on an H2 file database; the second instance is a second ledger on the same file. */
class H2JobRecordsTest extends JobRecordsContract {

    @TempDir
    Path dir;

    private final List<WorkLedger> ledgers = new ArrayList<>();

    private JobRecords open() {
        WorkLedger ledger = JdbcLedger.builder().url(JdbcLedger.h2FileUrl(dir.resolve("ledger"))).build();
        ledgers.add(ledger);
        return ledger.jobRecords();
    }

    @Override
    protected JobRecords newRecords() {
        return open();
    }

    @Override
    protected JobRecords sameStore() {
        return open();
    }

    @AfterEach
    void close() {
        ledgers.forEach(WorkLedger::close);
    }
}
