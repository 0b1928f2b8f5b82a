package dev.juggler.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The work-ledger contract on the in-memory reference implementation, plus its own configuration. */
class InMemoryWorkLedgerContractTest extends WorkLedgerContract {

    @Override
    protected WorkLedger newLedger(Clock clock) {
        return new InMemoryWorkLedger(clock);
    }

    @Test
    void maxAttemptsIsConfigurableAndChecked() {
        try (WorkLedger once = new InMemoryWorkLedger(clock, 1)) {
            once.registerVideo(video("v", 10, java.util.Map.of()));
            once.markStaged("v", "/ws/v");
            long track = once.addTrack(TrackSpec.whole(video("v", 10, java.util.Map.of()), "pose"));
            once.fail(once.claim(ClaimRequest.of("w", 10, LEASE)).orElseThrow(), 0, "broken", false);
            assertEquals(List.of(ChunkState.FAILED), once.reader().chunks(ChunkQuery.ofTrack(track, 10)).stream()
                    .map(ChunkView::state).toList(), "one attempt only");
        }
        assertThrows(InvalidConfigException.class, () -> new InMemoryWorkLedger(clock, 0));
        assertThrows(InvalidConfigException.class, () -> new InMemoryWorkLedger(clock, 1001));
        assertThrows(InvalidConfigException.class, () -> new InMemoryWorkLedger(null));
        assertEquals(InMemoryWorkLedger.DEFAULT_MAX_ATTEMPTS, new InMemoryWorkLedger().maxAttempts());
    }

    @Test
    void aClosedLedgerRefusesCalls() {
        stagedVideo("v", 10);
        ledger.close();
        ledger.close(); // idempotent
        assertThrows(JugglerException.class, () -> ledger.claim(ClaimRequest.of("w", 10, Duration.ofMinutes(1))));
        assertThrows(JugglerException.class, () -> ledger.video("v"));
    }
}
