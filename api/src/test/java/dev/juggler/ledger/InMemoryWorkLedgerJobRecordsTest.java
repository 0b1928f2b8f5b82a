package dev.juggler.ledger;

/** The job-records contract on the records an {@link InMemoryWorkLedger} owns (they count frames from its chunks). */
class InMemoryWorkLedgerJobRecordsTest extends JobRecordsContract {

    private JobRecords records;

    @Override
    protected JobRecords newRecords() {
        records = new InMemoryWorkLedger().jobRecords();
        return records;
    }

    @Override
    protected JobRecords sameStore() {
        return records;
    }
}
