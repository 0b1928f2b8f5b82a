package dev.juggler.ledger;

/** The job-records contract on the in-memory reference implementation. */
class InMemoryJobRecordsTest extends JobRecordsContract {

    private InMemoryJobRecords store;

    @Override
    protected JobRecords newRecords() {
        store = new InMemoryJobRecords();
        return store;
    }

    @Override
    protected JobRecords sameStore() {
        return store;
    }
}
