package dev.juggler.jdbc;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.juggler.ledger.WorkLedger;
import dev.juggler.ledger.WorkLedgerContract;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;

/**
 * The work-ledger contract on a real PostgreSQL server, when one is configured with the environment
 * variables {@code JUGGLER_PG_URL} (e.g. {@code jdbc:postgresql://127.0.0.1:5432/juggler}),
 * {@code JUGGLER_PG_USER} and {@code JUGGLER_PG_PASSWORD}; skipped otherwise. Each test gets its own
 * table prefix, and its tables are dropped afterwards.
 */
class PostgresWorkLedgerTest extends WorkLedgerContract {

    private static final String URL = System.getenv("JUGGLER_PG_URL");
    private static final String USER = System.getenv("JUGGLER_PG_USER");
    private static final String PASSWORD = System.getenv("JUGGLER_PG_PASSWORD");
    private static final List<String> TABLES = List.of("results", "chunks", "tracks", "video_tags", "videos", "schema_version");

    private final List<String> prefixes = new ArrayList<>();

    @Override
    protected WorkLedger newLedger(Clock clock) {
        assumeTrue(URL != null && !URL.isBlank(), "PostgreSQL not configured: set JUGGLER_PG_URL (and _USER, _PASSWORD)");
        String prefix = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + "_";
        prefixes.add(prefix);
        return JdbcLedger.builder().url(URL).user(USER).password(PASSWORD).tablePrefix(prefix).clock(clock).build();
    }

    @AfterEach
    void dropTables() throws Exception {
        if (prefixes.isEmpty()) {
            return;
        }
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
            for (String prefix : prefixes) {
                for (String table : TABLES) {
                    s.execute("DROP TABLE IF EXISTS " + prefix + table + " CASCADE");
                }
            }
        }
    }
}
