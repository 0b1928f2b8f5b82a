package dev.juggler.samples.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.ledger.RunReport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When a juggler's report counts as stale: three tick intervals past its next tick. */
class StatusSnapshotTest {

    private static final Instant AT = Instant.parse("2026-03-01T12:00:00Z");

    private static RunReport report(Duration tick) {
        return new RunReport("run", AT, 1, 2, 0, 0, 0, Optional.empty(), AT.plus(tick), List.of(), List.of());
    }

    @Test
    void aReportIsStaleThreeIntervalsAfterItsNextTick() {
        RunReport minutely = report(Duration.ofMinutes(1));
        Instant due = AT.plus(Duration.ofMinutes(1));
        assertFalse(StatusSnapshot.stale(minutely, due));
        assertFalse(StatusSnapshot.stale(minutely, due.plus(Duration.ofMinutes(3))), "exactly three intervals late still counts");
        assertTrue(StatusSnapshot.stale(minutely, due.plus(Duration.ofMinutes(3)).plusMillis(1)));
        RunReport hourly = report(Duration.ofHours(1));
        assertFalse(StatusSnapshot.stale(hourly, AT.plus(Duration.ofHours(3))), "an hourly juggler is not late after 3 h");
        assertTrue(StatusSnapshot.stale(hourly, AT.plus(Duration.ofHours(4)).plusSeconds(1)));
        RunReport instant = report(Duration.ZERO);
        assertTrue(StatusSnapshot.stale(instant, AT.plusSeconds(4)), "a zero interval counts as one second");
        assertFalse(StatusSnapshot.stale(instant, AT.plusSeconds(3)));
    }

    @Test
    void aStaleRunSaysSinceWhen() {
        StatusSnapshot.RunStatus stale = new StatusSnapshot.RunStatus(report(Duration.ofMinutes(1)), false);
        assertEquals(Optional.of(AT), stale.notReportingSince());
        assertEquals(Optional.empty(), new StatusSnapshot.RunStatus(report(Duration.ofMinutes(1)), true).notReportingSince());
    }
}
