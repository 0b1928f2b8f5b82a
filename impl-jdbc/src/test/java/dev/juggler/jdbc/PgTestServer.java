package dev.juggler.jdbc;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * The PostgreSQL server the tests use, from {@code JUGGLER_PG_URL}, {@code JUGGLER_PG_USER} and
 * {@code JUGGLER_PG_PASSWORD} (written by {@code scripts/setup.d/20-postgresql.sh}). Without them a test
 * that calls {@link #require()} is skipped with a one-line reason, except when {@code CI=true}: then it
 * fails, so that CI cannot go green without PostgreSQL. Immutable; thread-safe.
 */
final class PgTestServer {

    static final String URL = System.getenv("JUGGLER_PG_URL");
    static final String USER = System.getenv("JUGGLER_PG_USER");
    static final String PASSWORD = System.getenv("JUGGLER_PG_PASSWORD");
    /** Every table a ledger creates, in an order that can be dropped. */
    static final List<String> TABLES = List.of("run_reports", "lease_beats", "chunk_history", "job_states", "jobs", "submissions",
            "results", "chunks", "tracks", "video_tags", "videos", "schema_version");

    private PgTestServer() {
    }

    /** Skips the calling test (or fails it when CI=true) unless a PostgreSQL server is configured and reachable. */
    static void require() {
        String reason = null;
        if (URL == null || URL.isBlank()) {
            reason = "PostgreSQL not configured: run scripts/setup.d/20-postgresql.sh as root and export JUGGLER_PG_URL, _USER, _PASSWORD";
        } else {
            try (Connection c = connect()) {
                c.isValid(2);
            } catch (SQLException e) {
                reason = "PostgreSQL at " + URL + " not reachable: SQLState " + e.getSQLState() + " " + e.getMessage();
            }
        }
        if (reason != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but " + reason);
            }
            assumeTrue(false, reason);
        }
    }

    static Connection connect() throws SQLException {
        return DriverManager.getConnection(URL, USER, PASSWORD);
    }

    /** A fresh table prefix, so tests never see each other's tables. */
    static String freshPrefix() {
        return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + "_";
    }

    /** A ledger builder for the configured server. */
    /**
     * Ledgers for a contract test, each on fresh tables: {@link #open} one per test, {@link #dropAll} in an
     * {@code @AfterEach}. Not thread-safe (one per test instance).
     */
    static final class FreshLedgers {
        private final List<String> prefixes = new java.util.ArrayList<>();

        dev.juggler.ledger.WorkLedger open(java.time.Clock clock) {
            require();
            String prefix = freshPrefix();
            prefixes.add(prefix);
            return builder().tablePrefix(prefix).clock(clock).build();
        }

        void dropAll() throws SQLException {
            drop(prefixes, List.of());
        }
    }

    static JdbcLedger.Builder builder() {
        return JdbcLedger.builder().url(URL).user(USER).password(PASSWORD);
    }

    /** Drops the tables of the given prefixes (in the default schema) and the given schemas. */
    static void drop(Collection<String> prefixes, Collection<String> schemas) throws SQLException {
        if (prefixes.isEmpty() && schemas.isEmpty()) {
            return;
        }
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String prefix : prefixes) {
                for (String table : TABLES) {
                    s.execute("DROP TABLE IF EXISTS " + prefix + table + " CASCADE");
                }
            }
            for (String schema : schemas) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }
}
