package dev.juggler.jdbc.internal;

import dev.juggler.JugglerException;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/**
 * What every table of the ledger runs on: the data source behind a {@link Transactor} (transactions and
 * retries), the schema made ready once on first use (migrated or verified) and the dialect detected then,
 * the table prefix filled into statement templates, and the clock. Thread-safe; shared by the queue, the
 * catalogue, the result store, the job records and the operator views of one ledger.
 */
final class LedgerDatabase {

    private final DataSource dataSource;
    private final String schema;
    private final String prefix;
    private final String tablePrefix;
    private final boolean manageSchema;
    private final Clock clock;
    private final String description;
    private final Transactor transactor;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object initLock = new Object();
    private volatile Dialect dialect;
    /** Statements with the prefix filled in, by template: claims run thousands of times a second. */
    private final ConcurrentHashMap<String, String> statements = new ConcurrentHashMap<>();

    /**
     * @param dataSource where the ledger lives
     * @param schema the validated schema of the tables, or {@code null} for the connection's default
     * @param prefix the validated table name prefix
     * @param manageSchema whether to create/upgrade the schema on first use
     * @param clock the source of all timestamps
     * @param description a secret-free description for messages
     */
    LedgerDatabase(DataSource dataSource, String schema, String prefix, boolean manageSchema, Clock clock, String description) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.schema = schema;
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.tablePrefix = (schema == null ? "" : schema + ".") + prefix;
        this.manageSchema = manageSchema;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.description = description;
        this.transactor = new Transactor(dataSource, clock);
    }

    /**
     * Replaces {@code {p}} in a statement with the (schema-qualified) table prefix, and an index hint
     * {@code {ix:name}} (written right after a table and its alias) with the dialect's hint to read that table
     * through the ledger's index {@code <prefix>name} ({@link Dialect#indexHint}). Call it once the schema is
     * ready (inside a transaction of this database).
     */
    String sql(String template) {
        String cached = statements.get(template);
        if (cached != null) {
            return cached;
        }
        String filled = fillIndexHints(template.replace("{p}", tablePrefix));
        if (statements.size() < 1_000) { // templates are a fixed set; the bound only guards against a future mistake
            statements.put(template, filled);
        }
        return filled;
    }

    private String fillIndexHints(String statement) {
        int at = statement.indexOf("{ix:");
        if (at < 0) {
            return statement;
        }
        Dialect known = dialect();
        StringBuilder filled = new StringBuilder(statement.length());
        int from = 0;
        while (at >= 0) {
            int end = statement.indexOf('}', at);
            filled.append(statement, from, at).append(known.indexHint(prefix + statement.substring(at + 4, end)));
            from = end + 1;
            at = statement.indexOf("{ix:", from);
        }
        return filled.append(statement, from, statement.length()).toString();
    }

    /**
     * As {@link #sql} without keeping the statement: for the operator views, whose statements vary with their
     * filters (and carry their paging and time bounds as literals, see {@link TrackFilterSql}).
     */
    String sqlOnce(String template) {
        return fillIndexHints(template.replace("{p}", tablePrefix));
    }

    /** The schema-qualified name of table {@code name}, e.g. {@code results}. */
    String table(String name) {
        return tablePrefix + name;
    }

    long nowMillis() {
        return clock.millis();
    }

    /** Runs a unit of work whose one data-changing statement is the whole change, in auto-commit mode. */
    <T> T single(String operation, Transactor.Work<T> work) {
        ready();
        return transactor.singleStatement(operation, work);
    }

    /** Runs a unit of work in a transaction once the schema is ready. */
    <T> T tx(String operation, Transactor.Work<T> work) {
        ready();
        return transactor.inTransaction(operation, work);
    }

    /** As {@link #tx(String, Transactor.Work)}, retrying transient failures only while {@code mayRetry} says so. */
    <T> T tx(String operation, Transactor.Work<T> work, BooleanSupplier mayRetry) {
        ready();
        return transactor.inTransaction(operation, work, mayRetry);
    }

    /** The database's dialect, once the schema is ready. */
    Dialect dialect() {
        return ready();
    }

    /** Refuses further work; the caller closes the pool, if it owns one. Returns whether this call closed it. */
    boolean close() {
        return closed.compareAndSet(false, true);
    }

    private Dialect ready() {
        if (closed.get()) {
            throw new JugglerException("the ledger " + description + " is closed");
        }
        Dialect known = dialect;
        if (known != null) {
            return known;
        }
        synchronized (initLock) {
            if (dialect == null) {
                SchemaMigrator migrator = new SchemaMigrator(dataSource, schema, prefix, clock);
                if (manageSchema) {
                    migrator.migrate();
                } else {
                    migrator.verify();
                }
                dialect = transactor.inTransaction("detect database dialect", c -> Dialect.of(c.getMetaData()));
            }
            return dialect;
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
