package dev.juggler.jdbc.internal;

import dev.juggler.JugglerException;
import dev.juggler.UnavailableException;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.functions.CheckedSupplier;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs units of work in one JDBC transaction each, retrying transient failures with Resilience4j
 * {@link Retry}, and turning what is left into {@link JugglerException}s that name the operation.
 *
 * <p>Two retries are nested. The inner one handles database trouble: lost connections (SQLState class
 * 08, PostgreSQL admin shutdown 57P01 during a restart), serialisation failures (40001), deadlocks
 * (40P01), lock timeouts (55P03, H2 50200) and duplicate-key races, with a jittered exponential backoff
 * long enough (about 7 s in all by default) to ride out a PostgreSQL restart. The outer one handles
 * lost optimistic races ({@link RetryableConflict}, e.g. H2 claims whose compare-and-set matched no row)
 * with many short random pauses, each attempt with a fresh inner budget. What still fails surfaces as
 * {@link UnavailableException} (connection), a transient {@link JugglerException} (conflicts) or a
 * permanent {@link JugglerException} (anything else: broken schema, bad SQL, constraint violations).
 *
 * <p>Thread-safe: every call takes its own connection from the data source; the {@link Retry}
 * instances are thread-safe and shared by all calls.
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

    /** Carries a failure out of the retry untouched when the caller said it must not be retried. */
    private static final class DoNotRetry extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DoNotRetry(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(Transactor.class);

    /** Attempts of a transaction that fails with a connection, lock or serialisation problem. */
    static final int MAX_TRANSIENT_ATTEMPTS = 10;
    /** Attempts of a transaction that loses optimistic races (many claimers on few chunks). */
    static final int MAX_CONFLICT_ATTEMPTS = 200;
    /** First pause after a transient failure; doubles (with +-50% jitter) up to {@link #DEFAULT_MAX_BACKOFF}. */
    static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(25);
    /** Longest pause between two attempts after a transient failure. */
    static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(2);

    private final DataSource dataSource;
    private final Clock clock;
    private final Retry transientRetry;
    private final Retry conflictRetry;

    /** A transactor with the default backoff ({@value #MAX_TRANSIENT_ATTEMPTS} attempts, 25 ms doubling to 2 s). */
    public Transactor(DataSource dataSource, Clock clock) {
        this(dataSource, clock, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF);
    }

    /** A transactor with its own backoff bounds for transient failures (tests use short ones). */
    public Transactor(DataSource dataSource, Clock clock, Duration initialBackoff, Duration maxBackoff) {
        this.dataSource = dataSource;
        this.clock = clock;
        RetryConfig transientConfig = RetryConfig.custom()
                .maxAttempts(MAX_TRANSIENT_ATTEMPTS)
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(initialBackoff, 2.0, 0.5, maxBackoff))
                .retryOnException(Transactor::isTransient)
                .failAfterMaxAttempts(false)
                .build();
        // Lost races are cheap to re-run and resolve quickly; a short random pause spreads the claimers out.
        RetryConfig conflictConfig = RetryConfig.custom()
                .maxAttempts(MAX_CONFLICT_ATTEMPTS)
                .intervalFunction(attempt -> 1 + ThreadLocalRandom.current().nextLong(Math.min(400L, 4L << Math.min(attempt, 7))))
                .retryOnException(e -> e instanceof RetryableConflict)
                .failAfterMaxAttempts(false)
                .build();
        this.transientRetry = Retry.of("juggler-ledger-transient", transientConfig);
        this.conflictRetry = Retry.of("juggler-ledger-conflict", conflictConfig);
        transientRetry.getEventPublisher().onRetry(event -> LOG.debug("transient database failure, retry {} in {}: {}",
                event.getNumberOfRetryAttempts(), event.getWaitInterval(), describe(event.getLastThrowable())));
    }

    private static boolean isTransient(Throwable e) {
        if (!(e instanceof SQLException)) {
            return false;
        }
        SqlErrors.Kind kind = SqlErrors.classify((SQLException) e);
        return kind != SqlErrors.Kind.PERMANENT;
    }

    private static String describe(Throwable e) {
        return e instanceof SQLException ? SqlErrors.describe((SQLException) e) : String.valueOf(e);
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
        return run(operation, work, mayRetry, false);
    }

    /**
     * Runs {@code work} with auto-commit on, retrying transient failures. Only for units whose single
     * data-changing statement is the whole change (reads after it are for diagnostics only).
     */
    public <T> T singleStatement(String operation, Work<T> work) {
        return run(operation, work, () -> true, true);
    }

    private <T> T run(String operation, Work<T> work, BooleanSupplier mayRetry, boolean singleStatement) {
        Instant[] firstFailure = new Instant[1];
        int[] conflicts = new int[1];
        CheckedSupplier<T> once = () -> {
            try {
                return runOnce(work, singleStatement);
            } catch (SQLException | RetryableConflict e) {
                if (firstFailure[0] == null) {
                    firstFailure[0] = clock.instant();
                }
                if (e instanceof RetryableConflict) {
                    conflicts[0]++;
                }
                if (!mayRetry.getAsBoolean()) {
                    throw new DoNotRetry(e);
                }
                throw e;
            }
        };
        try {
            return conflictRetry.executeCheckedSupplier(() -> transientRetry.executeCheckedSupplier(once));
        } catch (DoNotRetry e) {
            throw fromFailure(operation, e.getCause(), firstFailure[0], conflicts[0]);
        } catch (SQLException | RetryableConflict e) {
            throw fromFailure(operation, e, firstFailure[0], conflicts[0]);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw JugglerException.permanentFailure(operation + " failed: " + e, e);
        }
    }

    private static RuntimeException fromFailure(String operation, Throwable e, Instant since, int conflicts) {
        if (e instanceof SQLException) {
            SQLException sql = (SQLException) e;
            return toJugglerException(operation, sql, SqlErrors.classify(sql), since);
        }
        if (e instanceof RetryableConflict) {
            return JugglerException.transientFailure(operation + " lost " + conflicts + " concurrent races in a row: " + e.getMessage()
                    + "; try again later", null);
        }
        return e instanceof RuntimeException ? (RuntimeException) e : JugglerException.permanentFailure(operation + " failed: " + e, e);
    }

    private <T> T runOnce(Work<T> work, boolean singleStatement) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            if (singleStatement) {
                // A unit whose only change is one statement is atomic by itself: auto-commit saves the
                // COMMIT round trip (and the implicit BEGIN), which is a third of a claim's latency.
                if (!autoCommit) {
                    connection.setAutoCommit(true);
                }
                try {
                    return work.run(connection);
                } finally {
                    if (!autoCommit) {
                        try {
                            connection.setAutoCommit(false);
                        } catch (SQLException e) {
                            LOG.debug("could not restore auto-commit off: {}", SqlErrors.describe(e));
                        }
                    }
                }
            }
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

    /** Maps a failure that will not be retried (any more) to the exception the caller sees. */
    public static JugglerException toJugglerException(String operation, SQLException e, SqlErrors.Kind kind, Instant since) {
        String detail = SqlErrors.describe(e);
        switch (kind) {
            case CONNECTION:
                return new UnavailableException("database unavailable during " + operation + " (" + detail + ")", since, e);
            case CONFLICT:
                return JugglerException.transientFailure(operation + " kept conflicting with concurrent transactions (" + detail
                        + "); try again later", e);
            default:
                return JugglerException.permanentFailure(operation + " failed (" + detail + ")", e);
        }
    }
}
