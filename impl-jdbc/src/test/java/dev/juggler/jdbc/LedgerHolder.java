package dev.juggler.jdbc;

import dev.juggler.ledger.WorkLedger;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A separate JVM for {@link H2AutoServerFailoverTest}: opens the ledger file first (so this process
 * serves it), says so, and closes it and exits when told to. Arguments: {@code url ready-file stop-file}.
 */
final class LedgerHolder {

    private LedgerHolder() {
    }

    public static void main(String[] args) throws Exception {
        Path ready = Path.of(args[1]);
        Path stop = Path.of(args[2]);
        try (WorkLedger ledger = JdbcLedger.builder().url(args[0]).build()) {
            ledger.estimate();
            Files.writeString(ready, "ready");
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.exists(stop) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
    }
}
