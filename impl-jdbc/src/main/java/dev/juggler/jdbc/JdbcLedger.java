package dev.juggler.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.DriverDataSource;
import dev.juggler.InvalidConfigException;
import dev.juggler.jdbc.internal.EvictBrokenConnections;
import dev.juggler.jdbc.internal.HeldStatements;
import dev.juggler.jdbc.internal.JdbcWorkLedger;
import dev.juggler.jdbc.internal.SqlErrors;
import dev.juggler.ledger.WorkLedger;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Entry point of the JDBC ledger: a {@link WorkLedger} (and its {@link dev.juggler.ledger.LedgerReader})
 * stored in H2 (embedded, for one machine) or PostgreSQL (for a cluster).
 *
 * <pre>{@code
 * try (WorkLedger ledger = JdbcLedger.builder()
 *         .url(JdbcLedger.h2FileUrl(Path.of("/data/juggler/ledger")))
 *         .build()) {
 *     ledger.registerVideo(video);
 * }
 * }</pre>
 *
 * <p>The schema is created (or upgraded) on first use unless {@link Builder#manageSchema(boolean)} is
 * off. Transient database failures are retried inside each call and surface as
 * {@link dev.juggler.UnavailableException} (or a transient {@link dev.juggler.JugglerException}) only when
 * they persist. Ledgers built here are thread-safe and may share one database with other processes.
 *
 * <p><b>How claims stay exclusive.</b> Transactions run at READ COMMITTED. On PostgreSQL a claim
 * locks the best PENDING chunk of a STAGED video (highest track priority, then oldest track, then first
 * frame) with {@code SELECT ... FOR UPDATE OF c SKIP LOCKED}: claimers never wait for each other, they
 * take the next unlocked chunk. On H2 a claim reads the best few candidates and leases one with a
 * compare-and-set {@code UPDATE ... WHERE id = ? AND version = ? AND state = 'PENDING'}; if it matches
 * no row someone else won and the next candidate is tried. This relies on H2 2.4.240 (MVStore)
 * re-checking the {@code WHERE} clause against the committed row after waiting for a concurrent
 * writer's lock (checked: the waiting update returns 0 rows; a wait longer than H2's lock timeout raises
 * error 50200, which is retried); {@code MultiProcessClaimRaceTest} checks it with several JVMs on one
 * {@code AUTO_SERVER} file. Either way a longer chunk is cut to its head and the rest inserted as a new
 * PENDING chunk in the same transaction.
 *
 * <p><b>Heartbeats.</b> A heartbeat locks its chunk row and writes the lease's checkpoint and expiry into a narrow
 * {@code lease_beats} row (schema version 8), leaving the chunk row and the chunks table's indexes alone. Whatever ends
 * a lease (the reaper, a revocation, a completion) locks the chunk row too, and the reaper reads the expiry only once
 * it holds the lock, so a lease is never both extended and reaped.
 *
 * <p><b>Statements.</b> The connections of a ledger-owned H2 pool keep the statements prepared on them open and reuse
 * them for the same SQL, which H2 would otherwise parse again at every use; PostgreSQL's driver has such a cache of its
 * own. A host {@link Builder#dataSource(DataSource)} is used as given.
 *
 * <p><b>Failures.</b> Connection loss (SQLState class 08, PostgreSQL 57P01 during a restart),
 * serialisation failures (40001), deadlocks (40P01) and lock timeouts are retried with a jittered
 * exponential backoff (Resilience4j Retry, about 7 s in all, enough to ride out a PostgreSQL restart);
 * what persists surfaces as {@link dev.juggler.UnavailableException} or a transient
 * {@link dev.juggler.JugglerException}. Everything else is a permanent {@link dev.juggler.JugglerException}
 * carrying the SQLState (never a password).
 *
 * <p><b>Frame results.</b> On PostgreSQL, batches of 64 or more rows are streamed with the driver's
 * {@code COPY} API straight into the results table under a savepoint; if the batch holds a frame that
 * is already stored, it is rolled back to the savepoint, copied into a temporary staging table and
 * merged with {@code INSERT ... SELECT ... ON CONFLICT DO NOTHING} (the first stored payload wins).
 * Smaller batches and H2 use JDBC batches of idempotent inserts. The results table has no foreign key
 * into the small, hot chunks table. Read-back streams with a fetch size inside a transaction (so
 * PostgreSQL uses a cursor instead of loading the whole range).
 *
 * <p><b>Schema.</b> Tables {@code [schema.]<prefix>videos}, {@code video_tags}, {@code tracks}, {@code chunks}
 * (small and hot), {@code results} (large, kept apart) and {@code schema_version}. Times are epoch
 * milliseconds from the configured {@link Clock}. Frame result payloads are stored as {@code VARCHAR}
 * (unbounded on PostgreSQL; H2 2.4.240 accepted payloads well over 1 MiB characters in a check).
 *
 * <p>This class only holds static factories and is not instantiable.
 */
public final class JdbcLedger {

    /** Default {@link Builder#tablePrefix(String)}. */
    public static final String DEFAULT_TABLE_PREFIX = "jg_";
    /** Default {@link Builder#maxAttempts(int)}: frames fail for good after this many unsuccessful leases. */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    /** Default {@link Builder#poolSize(int)}: connections of the pool a ledger opens for itself when given a URL. */
    public static final int DEFAULT_POOL_SIZE = 4;

    private static final Pattern TABLE_PREFIX = Pattern.compile("[a-z_][a-z0-9_]{0,20}");
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,40}");
    private static final AtomicInteger POOL_NUMBER = new AtomicInteger();

    private JdbcLedger() {
    }

    /** A new builder with the documented defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The JDBC URL of an H2 file database in automatic mixed mode ({@code AUTO_SERVER=TRUE}): the first
     * process that opens the file serves it to the others over a loopback TCP port, so several worker
     * processes on one machine can share one ledger file. The process that opened the file first must
     * stay alive while the others use it; when it closes the database, the others' connections break
     * and are re-opened by the pool (one of them becomes the new server).
     *
     * @param dbFileWithoutSuffix the database file without H2's {@code .mv.db} suffix; made absolute
     * @throws InvalidConfigException if the path contains {@code ;} (H2's URL setting separator)
     */
    public static String h2FileUrl(Path dbFileWithoutSuffix) {
        Objects.requireNonNull(dbFileWithoutSuffix, "dbFileWithoutSuffix");
        String path = dbFileWithoutSuffix.toAbsolutePath().normalize().toString();
        if (path.endsWith(".mv.db")) {
            path = path.substring(0, path.length() - ".mv.db".length());
        }
        if (path.indexOf(';') >= 0) {
            throw InvalidConfigException.of("dbFileWithoutSuffix", path, "must not contain ';' (it separates H2 URL settings)");
        }
        return "jdbc:h2:file:" + path + ";AUTO_SERVER=TRUE";
    }

    /**
     * Configures and builds a JDBC ledger. Give either a {@link #url(String)} (the ledger then owns a
     * small connection pool, closed with the ledger) or a host {@link #dataSource(DataSource)} (used
     * as is and never closed by the ledger). Not thread-safe; {@link #build()} may be called more than
     * once. {@link #toString()} never shows the password.
     */
    public static final class Builder {
        private String url;
        private String user;
        private String password;
        private DataSource dataSource;
        private String tablePrefix = DEFAULT_TABLE_PREFIX;
        private String schema;
        private boolean manageSchema = true;
        private Clock clock = Clock.systemUTC();
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private int poolSize = DEFAULT_POOL_SIZE;

        private Builder() {
        }

        /** The JDBC URL of the database, e.g. {@link JdbcLedger#h2FileUrl(Path)} or {@code jdbc:postgresql://host/db}. */
        public Builder url(String jdbcUrl) {
            if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:")) {
                throw InvalidConfigException.of("url", jdbcUrl == null ? null : SqlErrors.redact(jdbcUrl),
                        "must be a JDBC URL starting with 'jdbc:'");
            }
            this.url = jdbcUrl;
            return this;
        }

        /** The database user for {@link #url(String)}; none by default. */
        public Builder user(String user) {
            this.user = user;
            return this;
        }

        /** The database password for {@link #url(String)}; none by default. Never logged or shown. */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /**
         * The host's data source. The ledger borrows connections from it, restores their auto-commit
         * setting, and never closes it. It should give READ COMMITTED (or stricter) transactions.
         */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = InvalidConfigException.required(dataSource, "dataSource");
            return this;
        }

        /**
         * Prefix of every table name (default {@value JdbcLedger#DEFAULT_TABLE_PREFIX}), so several ledgers
         * or applications can share one schema. Must match {@code [a-z_][a-z0-9_]{0,20}}.
         */
        public Builder tablePrefix(String prefix) {
            if (prefix == null || !TABLE_PREFIX.matcher(prefix).matches()) {
                throw InvalidConfigException.of("tablePrefix", prefix == null ? null : "'" + prefix + "'",
                        "must match [a-z_][a-z0-9_]{0,20} (lower-case letters, digits, '_'; not starting with a digit)");
            }
            this.tablePrefix = prefix;
            return this;
        }

        /**
         * The database schema that holds the tables (default: none, i.e. the connection's current schema,
         * {@code public} on PostgreSQL, {@code PUBLIC} on H2). It is created if missing when the ledger
         * manages its schema. Must match {@code [a-z_][a-z0-9_]{0,40}}; combines with {@link #tablePrefix(String)}.
         */
        public Builder schema(String schemaName) {
            if (schemaName == null || !SCHEMA.matcher(schemaName).matches()) {
                throw InvalidConfigException.of("schema", schemaName == null ? null : "'" + schemaName + "'",
                        "must match [a-z_][a-z0-9_]{0,40} (lower-case letters, digits, '_'; not starting with a digit)");
            }
            this.schema = schemaName;
            return this;
        }

        /**
         * Whether the ledger creates and upgrades its tables on first use (default {@code true}). When
         * off, the first call only checks the recorded schema version and fails with a permanent
         * {@link dev.juggler.JugglerException} naming the table and the versions if the schema is missing
         * or older than this library needs; nothing is created or altered.
         */
        public Builder manageSchema(boolean manage) {
            this.manageSchema = manage;
            return this;
        }

        /** The clock for every timestamp and lease expiry (default the system UTC clock). */
        public Builder clock(Clock clock) {
            this.clock = InvalidConfigException.required(clock, "clock");
            return this;
        }

        /**
         * How many unsuccessful leases (failures, expiries, revocations) frames get before they become
         * FAILED (default {@value JdbcLedger#DEFAULT_MAX_ATTEMPTS}); 1..1000.
         */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1 || attempts > 1000) {
                throw InvalidConfigException.of("maxAttempts", attempts, "must be in 1..1000");
            }
            this.maxAttempts = attempts;
            return this;
        }

        /**
         * Connections of the pool the ledger opens for a {@link #url(String)} (default
         * {@value JdbcLedger#DEFAULT_POOL_SIZE}); 1..500. Raise it when many threads of one process use
         * the ledger at once (each call holds one connection for one short transaction). Ignored with a
         * host {@link #dataSource(DataSource)}.
         */
        public Builder poolSize(int connections) {
            if (connections < 1 || connections > 500) {
                throw InvalidConfigException.of("poolSize", connections, "must be in 1..500");
            }
            this.poolSize = connections;
            return this;
        }

        /**
         * Builds the ledger. Does not connect yet: the first call connects and, if enabled, creates
         * the schema.
         *
         * @throws InvalidConfigException if neither or both of url and dataSource were given
         */
        public WorkLedger build() {
            if (url == null && dataSource == null) {
                throw InvalidConfigException.of("url", null, "set url(...) for a ledger-owned pool or dataSource(...) for the host's");
            }
            if (url != null && dataSource != null) {
                throw InvalidConfigException.of("dataSource", dataSource.getClass().getName(),
                        "give either url(...) or dataSource(...), not both (url = " + SqlErrors.redact(url) + ")");
            }
            if (dataSource != null) {
                return new JdbcWorkLedger(dataSource, null, schema, tablePrefix, manageSchema, clock, maxAttempts,
                        "JdbcLedger[dataSource=" + dataSource.getClass().getName() + ", schema=" + schema + ", tablePrefix=" + tablePrefix + "]");
            }
            HikariConfig config = new HikariConfig();
            if (url.startsWith("jdbc:h2:")) {
                // H2 has no statement cache of its own worth the name; PostgreSQL's driver has one
                config.setDataSource(HeldStatements.around(new DriverDataSource(url, null, new Properties(), user, password)));
            } else {
                config.setJdbcUrl(url);
                if (user != null) {
                    config.setUsername(user);
                }
                if (password != null) {
                    config.setPassword(password);
                }
            }
            config.setPoolName("juggler-ledger-" + POOL_NUMBER.incrementAndGet());
            config.setMaximumPoolSize(poolSize);
            config.setMinimumIdle(0);
            config.setAutoCommit(false);
            config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
            config.setInitializationFailTimeout(-1);
            config.setConnectionTimeout(10_000);
            config.setExceptionOverride(new EvictBrokenConnections());
            HikariDataSource pool = new HikariDataSource(config);
            return new JdbcWorkLedger(pool, pool, schema, tablePrefix, manageSchema, clock, maxAttempts,
                    "JdbcLedger[url=" + SqlErrors.redact(url) + ", user=" + user + ", schema=" + schema + ", tablePrefix=" + tablePrefix + "]");
        }

        @Override
        public String toString() {
            return "JdbcLedger.Builder[url=" + (url == null ? null : SqlErrors.redact(url)) + ", user=" + user + ", password="
                    + (password == null ? "(none)" : "***") + ", dataSource=" + (dataSource == null ? null : dataSource.getClass().getName())
                    + ", schema=" + schema + ", tablePrefix=" + tablePrefix + ", manageSchema=" + manageSchema + ", clock=" + clock + ", maxAttempts="
                    + maxAttempts + ", poolSize=" + poolSize + "]";
        }
    }

}
