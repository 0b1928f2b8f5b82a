package dev.juggler.ledger;

/** The paging bounds shared by the operator queries. */
final class Paging {

    /** The largest page a query may ask for. */
    static final int MAX_LIMIT = 10_000;

    private Paging() {
    }

    static void check(long offset, int limit) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset = " + offset + ": must be >= 0");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit = " + limit + ": must be in 1.." + MAX_LIMIT);
        }
    }
}
