package dev.juggler.jdbc.internal;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;

/**
 * The few places where H2 and PostgreSQL need different SQL. Everything else the ledger runs is
 * portable. Chosen once from the connection's metadata. Immutable and thread-safe.
 */
public enum Dialect {

    /** H2 2.x (embedded, file or server mode). Unquoted identifiers are stored upper-case. */
    H2 {

        @Override
        public String generatedKeyColumn(String column) {
            return column.toUpperCase(Locale.ROOT);
        }

        @Override
        public boolean claimsWithSkipLocked() {
            // Claims stay optimistic (compare-and-set on a version) on H2: its row locks are checked with
            // real processes by MultiProcessClaimRaceTest that way, and an embedded ledger has few claimers.
            return false;
        }

        @Override
        public boolean bulkCopy() {
            return false;
        }

        @Override
        public boolean updateReturning() {
            return false;
        }

        @Override
        public boolean schemaQualifiedIndexNames() {
            return true;
        }
    },

    /** PostgreSQL 12 or newer. Unquoted identifiers are stored lower-case. */
    POSTGRESQL {

        @Override
        public String generatedKeyColumn(String column) {
            return column.toLowerCase(Locale.ROOT);
        }

        @Override
        public boolean claimsWithSkipLocked() {
            return true;
        }

        @Override
        public boolean bulkCopy() {
            return true;
        }

        @Override
        public boolean updateReturning() {
            return true;
        }

        @Override
        public boolean schemaQualifiedIndexNames() {
            // "CREATE INDEX name ON schema.table": PostgreSQL always puts the index in the table's schema
            // and rejects a qualified index name.
            return false;
        }
    };

    /**
     * Whether claims lock their candidate with {@code FOR UPDATE SKIP LOCKED} (no claimer waits for
     * another) instead of an optimistic compare-and-set.
     */
    public abstract boolean claimsWithSkipLocked();

    /** Whether large result batches go through the driver's {@code COPY} API into a staging table. */
    public abstract boolean bulkCopy();

    /** Whether {@code UPDATE ... RETURNING} reads back updated columns in the same round trip. */
    public abstract boolean updateReturning();

    /** Whether {@code CREATE INDEX} takes a schema-qualified index name. */
    public abstract boolean schemaQualifiedIndexNames();


    /** The column name to ask the driver for when reading a generated key. */
    public abstract String generatedKeyColumn(String column);

    /**
     * What follows a table reference (and its alias) so that the table is read through index {@code indexName}:
     * H2's {@code USE INDEX}, for queries where its planner, once statistics say a column has few values, walks
     * a track's whole history of done chunks instead of its few pending ones (the simulation found claims and
     * staging plans growing with the run). PostgreSQL plans these from its statistics and takes no hint.
     */
    public String indexHint(String indexName) {
        return this == H2 ? " USE INDEX (" + indexName + ")" : "";
    }

    /**
     * Picks the dialect of the connected database.
     *
     * @throws SQLException if the metadata cannot be read, or the database is neither H2 nor PostgreSQL
     */
    public static Dialect of(DatabaseMetaData metaData) throws SQLException {
        String product = metaData.getDatabaseProductName();
        String name = product == null ? "" : product.toLowerCase(Locale.ROOT);
        if (name.contains("h2")) {
            return H2;
        }
        if (name.contains("postgres")) {
            return POSTGRESQL;
        }
        throw new SQLException("unsupported database product '" + product + "': the JDBC ledger runs on H2 or PostgreSQL",
                "0A000");
    }
}
