package dev.juggler.ledger;

import java.time.Clock;

/** The operator views' contract on the in-memory reference implementation. */
class InMemoryOperatorViewsTest extends OperatorViewsContract {

    @Override
    protected WorkLedger newLedger(Clock clock) {
        return new InMemoryWorkLedger(clock);
    }
}
