package dev.juggler.jdbc.internal;

import dev.juggler.JugglerException;
import dev.juggler.UnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs units of work in one JDBC transaction each, retrying transient failures (lost connections,
 * serialisation conflicts, deadlocks, lock timeouts, lost compare-and-set races) with a bounded,
 * jittered backoff, and turning what is left into {@link JugglerException}s that name the operation.
 * Thread-safe: every call takes its own connection from the data source.
 */
public final class Transactor {

    /** A unit of work on one connection inside one transaction; called on the caller's thread, possibly more than once. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Thrown by a unit of work that lost an optimistic race (e.g. a compare-and-set update matched no
     * row): the transaction is rolled back and run again after a short random pause. Immutable.
     */
    public static final class RetryableConflict extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public RetryableConflict(String message) {
            super(message, null, false, false);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(Transactor.class);

    /** Attempts of a transaction that fails with a connection or lock problem. */
    static final int MAX_TRANSIENT_ATTEMPTS = 8;
    /** Attempts of a transaction that loses optimistic races (many claimers on few chunks). */
    static final int MAX_CONFLICT_ATTEMPTS = 200;
    /** Attempts of a transaction that hits a duplicate key (a concurrent insert of the same key). */
    static final int MAX_DUPLICATE_ATTEMPTS = 4;

    private final DataSource dataSource;
    private final Clock clock;

    public Transactor(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** Runs {@code work} in a transaction, retrying transient failures. */
    public <T> T inTransaction(String operation, Work<T> work) {
        return inTransaction(operation, work, () -> true);
    }

    /**
     * Runs {@code work} in a transaction; a transient failure is retried only while {@code mayRetry}
     * says so (e.g. a streaming read that already handed rows to a consumer must not start over).
     */
    public <T> T inTransaction(String operation, Work<T> work, BooleanSupplier mayRetry) {
        int transientFailures = 0;
        int conflicts = 0;
        int duplicates = 0;
        Instant firstFailure = null;
        while (true) {
            try {
                return runOnce(work);
            } catch (RetryableConflict e) {
                conflicts++;
                if (conflicts >= MAX_CONFLICT_ATTEMPTS || !mayRetry.getAsBoolean()) {
                    throw new JugglerException(operation + " lost " + conflicts + " concurrent races in a row: " + e.getMessage()
                            + "; try again later", true, null);
                }
                pause(Math.min(conflicts, 4), operation);
            } catch (SQLException e) {
                SqlErrors.Kind kind = SqlErrors.classify(e);
                if (firstFailure == null) {
                    firstFailure = clock.instant();
                }
                boolean retry;
                switch (kind) {
                    case CONNECTION:
                    case CONFLICT:
                        transientFailures++;
                        retry = transientFailures < MAX_TRANSIENT_ATTEMPTS;
                        break;
                    case DUPLICATE_KEY:
                    case ALREADY_EXISTS:
                        duplicates++;
                        retry = duplicates < MAX_DUPLICATE_ATTEMPTS;
                        break;
                    default:
                        retry = false;
                }
                if (!retry || !mayRetry.getAsBoolean()) {
                    throw toJugglerException(operation, e, kind, firstFailure);
                }
                LOG.debug("{}: transient database failure ({}), retrying: {}", operation, kind, SqlErrors.describe(e));
                pause(transientFailures + duplicates, operation);
            }
        }
    }

    private <T> T runOnce(Work<T> work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            if (autoCommit) {
                connection.setAutoCommit(false);
            }
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(connection, e);
                throw e;
            } finally {
                if (autoCommit) {
                    restoreAutoCommit(connection);
                }
            }
        }
    }

    private static void rollbackQuietly(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailure) {
            cause.addSuppressed(rollbackFailure);
        }
    }

    private static void restoreAutoCommit(Connection connection) {
        try {
            connection.setAutoCommit(true);
        } catch (SQLException e) {
            LOG.debug("could not restore auto-commit on a host connection: {}", SqlErrors.describe(e));
        }
    }

    private static void pause(int attempt, String operation) {
        long capMillis = Math.min(400L, 4L << Math.min(attempt, 7));
        long millis = 1 + ThreadLocalRandom.current().nextLong(capMillis);
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JugglerException(operation + " was interrupted while waiting to retry", true, e);
        }
    }

    /** Maps a failure that will not be retried (any more) to the exception the caller sees. */
    public static JugglerException toJugglerException(String operation, SQLException e, SqlErrors.Kind kind, Instant since) {
        String detail = SqlErrors.describe(e);
        switch (kind) {
            case CONNECTION:
                return new UnavailableException("database unavailable during " + operation + " (" + detail + ")", since, e);
            case CONFLICT:
                return new JugglerException(operation + " kept conflicting with concurrent transactions (" + detail
                        + "); try again later", true, e);
            default:
                return new JugglerException(operation + " failed (" + detail + ")", false, e);
        }
    }
}
