package dev.juggler.ledger;

import java.time.Clock;

/** The derived-track contract on the in-memory reference implementation. */
class InMemoryDerivedTracksTest extends DerivedTracksContract {

    @Override
    protected WorkLedger newLedger(Clock clock) {
        return new InMemoryWorkLedger(clock);
    }
}
