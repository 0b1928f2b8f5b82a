package dev.juggler.jdbc;

import dev.juggler.ledger.DerivedTracksContract;
import dev.juggler.ledger.WorkLedger;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

/** The derived-track contract on an H2 file database. */
class H2DerivedTracksTest extends DerivedTracksContract {

    @TempDir
    Path dir;

    @Override
    protected WorkLedger newLedger(Clock clock) {
        return JdbcLedger.builder().url(JdbcLedger.h2FileUrl(dir.resolve("ledger"))).clock(clock).build();
    }
}
