package dev.juggler.jdbc.internal;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTransientException;
import java.util.regex.Pattern;

/** Sorts SQL failures into what the ledger retries and what it reports. Stateless and thread-safe. */
public final class SqlErrors {

    /** What kind of failure an {@link SQLException} is. */
    public enum Kind {
        /** The connection broke or could not be made: retry, then report the database unavailable. */
        CONNECTION,
        /** A serialisation failure, deadlock or lock timeout: retry the transaction. */
        CONFLICT,
        /** A unique key already exists (a concurrent insert won a race): re-run the transaction once or twice. */
        DUPLICATE_KEY,
        /** A table or index already exists (a concurrent schema migration): re-check. */
        ALREADY_EXISTS,
        /** Anything else: a bug or a broken schema; retrying cannot help. */
        PERMANENT
    }

    private static final Pattern SECRET = Pattern.compile("(?i)(password|pwd)=[^;&\\s]*");

    // H2 error codes (org.h2.api.ErrorCode), listed here to avoid depending on H2 classes at compile time.
    private static final int H2_LOCK_TIMEOUT = 50200;
    private static final int H2_CONCURRENT_UPDATE = 90131;
    private static final int H2_DEADLOCK = 40001;
    private static final int H2_CONNECTION_BROKEN = 90067;
    private static final int H2_DATABASE_CALLED_AT_SHUTDOWN = 90121;
    private static final int H2_TABLE_ALREADY_EXISTS = 42101;
    private static final int H2_INDEX_ALREADY_EXISTS = 42111;

    private SqlErrors() {
    }

    /** Classifies a failure by its SQLState, vendor code and exception type. */
    public static Kind classify(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        int code = e.getErrorCode();
        if (state.startsWith("08") || e instanceof SQLTransientConnectionException || e instanceof SQLRecoverableException
                || code == H2_CONNECTION_BROKEN || code == H2_DATABASE_CALLED_AT_SHUTDOWN || state.equals("57P01")
                || state.equals("57P03")) {
            return Kind.CONNECTION;
        }
        if (state.equals("40001") || state.equals("40P01") || state.equals("55P03") || state.equals("HYT00")
                || code == H2_LOCK_TIMEOUT || code == H2_CONCURRENT_UPDATE || code == H2_DEADLOCK
                || e instanceof SQLTransientException) {
            return Kind.CONFLICT;
        }
        if (state.equals("23505")) {
            return Kind.DUPLICATE_KEY;
        }
        if (state.equals("42S01") || state.equals("42P07") || code == H2_TABLE_ALREADY_EXISTS || code == H2_INDEX_ALREADY_EXISTS) {
            return Kind.ALREADY_EXISTS;
        }
        return Kind.PERMANENT;
    }

    /** {@code true} if the failure says that a table does not exist. */
    public static boolean isMissingTable(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        int code = e.getErrorCode();
        // H2: 42102 not found, 42103 not found (with candidates), 42104 not found (database empty)
        // PostgreSQL 3F000 / H2 90079: the schema itself does not exist (yet)
        return state.equals("42S02") || state.equals("42S03") || state.equals("42S04") || state.equals("42P01")
                || state.equals("3F000") || code == 42102 || code == 42103 || code == 42104 || code == 90079;
    }

    /** A one-line description for messages: SQLState, vendor code and the driver's text, secrets removed. */
    public static String describe(SQLException e) {
        return "SQLState " + e.getSQLState() + ", code " + e.getErrorCode() + ": " + redact(e.getMessage());
    }

    /** Removes {@code password=...} fragments, e.g. from a JDBC URL echoed in a driver message. */
    public static String redact(String text) {
        return text == null ? "" : SECRET.matcher(text).replaceAll("$1=***");
    }
}
