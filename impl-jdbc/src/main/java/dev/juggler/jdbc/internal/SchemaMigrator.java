package dev.juggler.jdbc.internal;

import dev.juggler.JugglerException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small versioned schema migration runner. Scripts are class-path resources
 * {@code dev/juggler/jdbc/migrations/V<n>__<name>.sql} with {@code ${prefix}}, {@code ${schema}} and
 * {@code ${ixschema}} placeholders; the applied versions are recorded in {@code [schema.]<prefix>schema_version}.
 * With a schema, it is created first ({@code CREATE SCHEMA IF NOT EXISTS}). All pending scripts are applied in one
 * transaction (on PostgreSQL; H2 commits DDL implicitly, so every script statement is written to be
 * idempotent with {@code IF NOT EXISTS}). Two ledgers that start at once on a fresh database take turns:
 * on PostgreSQL through a transaction-scoped advisory lock, on H2 through a lock per database inside the
 * process; should a race still happen (an H2 server shared by processes), the loser sees "already exists"
 * or a duplicate version key, rolls back and re-checks. {@link #verify()} only checks the recorded version, for hosts that manage the schema
 * themselves. Why not Flyway: an embeddable library should not bring a migration framework with its own
 * history table, class-path scanning and version policy into the host; five tables and an idempotent
 * script per version need none of that. Stateless apart from its settings; thread-safe.
 */
public final class SchemaMigrator {

    /** One migration script. */
    record Migration(int version, String description, String resource) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);
    /** The comment line in a script that marks the next statement as one for {@link #executeWhereSupported}. */
    private static final String POSTGRESQL_WHERE_SUPPORTED_COMMENT = "-- PostgreSQL, where the server supports it:";
    private static final String POSTGRESQL_WHERE_SUPPORTED = "/* PostgreSQL where supported */";
    private static final String RESOURCE_DIR = "/dev/juggler/jdbc/migrations/";
    private static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, "initial schema", "V1__initial_schema.sql"),
            new Migration(2, "chunk completion id", "V2__chunk_completion_id.sql"),
            new Migration(3, "job records", "V3__job_records.sql"),
            new Migration(4, "operator console", "V4__operator_console.sql"),
            new Migration(5, "derived tracks", "V5__derived_tracks.sql"),
            new Migration(6, "compact results", "V6__compact_results.sql"),
            new Migration(7, "result blocks", "V7__result_blocks.sql"),
            new Migration(8, "lease beats", "V8__lease_beats.sql"));
    /**
     * H2 commits DDL statement by statement, so two ledgers of one process migrating the same file at
     * once would see each other's half-altered tables ({@code ALTER TABLE} copies and renames); they take
     * turns here. An embedded H2 file is opened by one process at a time, so this covers it whole.
     */
    private static final Map<String, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();
    /** PostgreSQL migrations take turns on an advisory lock held to the end of the migration transaction. */
    private static final long ADVISORY_KEY_BASE = 0x4A55_4747_0000_0000L;
    private static final int MAX_TRIES = 10;
    private static final int MAX_TRIES_OF_OTHER_ERRORS = 4;

    private final DataSource dataSource;
    private final String schema;
    private final String prefix;
    private final String versionTable;
    private final Clock clock;

    /**
     * @param schema the validated schema name, or {@code null} for the connection's default schema
     * @param prefix the validated table name prefix
     */
    public SchemaMigrator(DataSource dataSource, String schema, String prefix, Clock clock) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.prefix = prefix;
        this.versionTable = (schema == null ? "" : schema + ".") + prefix + "schema_version";
        this.clock = clock;
    }

    /**
     * Checks, without changing anything, that the schema exists at {@link #latestVersion()} or newer.
     *
     * @throws JugglerException (permanent) naming the table, the versions and the fix if it is missing or older
     */
    public int verify() {
        try (Connection connection = dataSource.getConnection()) {
            int current = currentVersion(connection);
            if (current == 0) {
                throw new JugglerException("ledger schema missing: table " + versionTable + " does not exist or is empty;"
                        + " create it by building the ledger once with manageSchema(true), or apply the scripts under "
                        + RESOURCE_DIR + " (schema version " + latestVersion() + ")");
            }
            if (current < latestVersion()) {
                throw new JugglerException("ledger schema too old: " + versionTable + " is at version " + current
                        + " but this juggler-jdbc needs version " + latestVersion() + "; upgrade it by building the ledger once with"
                        + " manageSchema(true), or apply the scripts under " + RESOURCE_DIR);
            }
            if (current > latestVersion()) {
                LOG.warn("ledger schema {} is at version {}, newer than this juggler-jdbc knows ({}); continuing", versionTable, current,
                        latestVersion());
            }
            return current;
        } catch (SQLException e) {
            throw Transactor.toJugglerException("schema check (" + versionTable + ")", e, SqlErrors.classify(e), clock.instant());
        }
    }

    /** The newest schema version this code knows. */
    public static int latestVersion() {
        return MIGRATIONS.get(MIGRATIONS.size() - 1).version();
    }

    /**
     * Brings the schema up to {@link #latestVersion()}.
     *
     * @return the version found before migrating (0 for an empty database)
     */
    public int migrate() {
        return migrate(latestVersion());
    }

    /**
     * Brings the schema up to {@code target} (at most {@link #latestVersion()}); tests use an older target
     * to build a ledger as an earlier release left it.
     *
     * @return the version found before migrating (0 for an empty database)
     */
    public int migrate(int target) {
        if (target < 1 || target > latestVersion()) {
            throw new IllegalArgumentException("schema version " + target + " is not between 1 and " + latestVersion());
        }
        SQLException last = null;
        for (int attempt = 1; attempt <= MAX_TRIES; attempt++) {
            try {
                return migrateOnce(target);
            } catch (SQLException e) {
                last = e;
                SqlErrors.Kind kind = SqlErrors.classify(e);
                if (kind == SqlErrors.Kind.CONNECTION) {
                    // a connection problem is reported at once; the next call on the ledger tries again
                    break;
                }
                if (kind == SqlErrors.Kind.PERMANENT && attempt >= MAX_TRIES_OF_OTHER_ERRORS) {
                    // H2 reports some concurrent DDL races as a general error (e.g. "object already exists"
                    // from CREATE INDEX IF NOT EXISTS); re-checking a few times tells a race from a broken script
                    break;
                }
                LOG.debug("schema migration raced or failed transiently ({}), re-checking: {}", kind, SqlErrors.describe(e));
                sleepQuietly(20 + ThreadLocalRandom.current().nextInt(30 * attempt));
            }
        }
        throw Transactor.toJugglerException("schema migration (" + versionTable + ")", last, SqlErrors.classify(last),
                clock.instant());
    }

    private int migrateOnce(int target) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            try {
                connection.setAutoCommit(true);
                int found = currentVersion(connection);
                if (found >= target) {
                    return found;
                }
                Dialect dialect = Dialect.of(connection.getMetaData());
                ReentrantLock inProcess = dialect == Dialect.H2
                        ? IN_PROCESS.computeIfAbsent(connection.getMetaData().getURL() + "|" + versionTable, key -> new ReentrantLock())
                        : null;
                if (inProcess == null) {
                    return migrateInTurn(connection, dialect, target);
                }
                inProcess.lock();
                try {
                    return migrateInTurn(connection, dialect, target);
                } finally {
                    inProcess.unlock();
                }
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        }
    }

    private int migrateInTurn(Connection connection, Dialect dialect, int target) throws SQLException {
        connection.setAutoCommit(false);
        try {
            if (dialect == Dialect.POSTGRESQL) {
                try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                    lock.setLong(1, ADVISORY_KEY_BASE ^ versionTable.toLowerCase(Locale.ROOT).hashCode());
                    lock.execute();
                }
            }
            if (schema != null) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
                }
            }
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE IF NOT EXISTS " + versionTable + " (version INTEGER NOT NULL PRIMARY KEY,"
                        + " description VARCHAR NOT NULL, applied_ms BIGINT NOT NULL)");
            }
            // read again in turn: the ledger that held the turn before may have done the work
            int current = currentVersion(connection);
            for (Migration migration : MIGRATIONS) {
                if (migration.version() <= current || migration.version() > target) {
                    continue;
                }
                for (String sql : statements(migration, dialect)) {
                    if (sql.startsWith(POSTGRESQL_WHERE_SUPPORTED)) {
                        executeWhereSupported(connection, dialect, sql.substring(POSTGRESQL_WHERE_SUPPORTED.length()).strip());
                        continue;
                    }
                    try (Statement statement = connection.createStatement()) {
                        statement.execute(sql);
                    }
                }
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO " + versionTable + " (version, description, applied_ms) VALUES (?, ?, ?)")) {
                    insert.setInt(1, migration.version());
                    insert.setString(2, migration.description());
                    insert.setLong(3, clock.millis());
                    insert.executeUpdate();
                }
            }
            connection.commit();
            if (current < target) {
                LOG.info("ledger schema {} migrated from version {} to {}", versionTable, current, target);
            }
            return current;
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        }
    }

    /**
     * A statement that only PostgreSQL takes, and only some servers of it (a setting that needs version 14 or
     * a build option): run on PostgreSQL under a savepoint, and where the server refuses it, rolled back to
     * the savepoint with a warning, the migration going on without it. Skipped on H2.
     */
    private void executeWhereSupported(Connection connection, Dialect dialect, String sql) throws SQLException {
        if (dialect != Dialect.POSTGRESQL) {
            return;
        }
        Savepoint before = connection.setSavepoint();
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
            connection.releaseSavepoint(before);
        } catch (SQLException e) {
            connection.rollback(before);
            LOG.warn("ledger schema {}: this PostgreSQL does not take \"{}\" ({}); going on without it", versionTable, sql,
                    e.getMessage());
        }
    }

    private int currentVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT MAX(version) FROM " + versionTable)) {
            return rows.next() ? rows.getInt(1) : 0;
        } catch (SQLException e) {
            if (SqlErrors.isMissingTable(e)) {
                return 0;
            }
            throw e;
        }
    }

    private List<String> statements(Migration migration, Dialect dialect) {
        String qualifier = schema == null ? "" : schema + ".";
        String script;
        try (InputStream in = SchemaMigrator.class.getResourceAsStream(RESOURCE_DIR + migration.resource())) {
            if (in == null) {
                throw new JugglerException("schema migration script missing from the class path: " + RESOURCE_DIR
                        + migration.resource());
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw JugglerException.permanentFailure("cannot read schema migration script " + migration.resource(), e);
        }
        StringBuilder withoutComments = new StringBuilder();
        for (String line : script.split("\n")) {
            if (line.strip().equals(POSTGRESQL_WHERE_SUPPORTED_COMMENT)) {
                withoutComments.append(POSTGRESQL_WHERE_SUPPORTED).append(' ');
            } else if (!line.strip().startsWith("--")) {
                withoutComments.append(line).append('\n');
            }
        }
        List<String> result = new ArrayList<>();
        for (String statement : withoutComments.toString().split(";\\s*\n")) {
            if (!statement.isBlank()) {
                result.add(statement.replace("${ixschema}", dialect.schemaQualifiedIndexNames() ? qualifier : "")
                        .replace("${schema}", qualifier).replace("${prefix}", prefix).strip());
            }
        }
        return result;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JugglerException.transientFailure("schema migration interrupted", e);
        }
    }
}
