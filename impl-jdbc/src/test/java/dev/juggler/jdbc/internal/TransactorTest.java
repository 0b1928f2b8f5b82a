package dev.juggler.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.JugglerException;
import dev.juggler.UnavailableException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retry and error mapping of {@link Transactor}, driven by a data source that fails on purpose. */
class TransactorTest {

    @TempDir
    Path dir;

    /** Fails the first {@code failures} connection requests with the given SQLState, then delegates. */
    private static final class FlakyDataSource implements DataSource {
        private final DataSource delegate;
        private final String sqlState;
        private final int errorCode;
        private final AtomicInteger remainingFailures;
        final AtomicInteger requests = new AtomicInteger();

        FlakyDataSource(DataSource delegate, String sqlState, int errorCode, int failures) {
            this.delegate = delegate;
            this.sqlState = sqlState;
            this.errorCode = errorCode;
            this.remainingFailures = new AtomicInteger(failures);
        }

        @Override
        public Connection getConnection() throws SQLException {
            requests.incrementAndGet();
            if (remainingFailures.getAndDecrement() > 0) {
                throw new SQLException("simulated failure (password=hunter2)", sqlState, errorCode);
            }
            return delegate.getConnection();
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }
    }

    /** A transactor with millisecond backoff, so persistent failures exhaust their attempts quickly. */
    private static Transactor fast(DataSource dataSource) {
        return new Transactor(dataSource, Clock.systemUTC(), java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(5));
    }

    private DataSource h2() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + dir.resolve("tx").toAbsolutePath());
        return h2;
    }

    @Test
    void transientFailuresAreRetriedUntilTheySucceed() {
        FlakyDataSource flaky = new FlakyDataSource(h2(), "08006", 0, 3);
        int result = fast(flaky).inTransaction("op(id=1)", c -> 42);
        assertEquals(42, result);
        assertEquals(4, flaky.requests.get());
    }

    @Test
    void persistentConnectionFailureIsUnavailableAndSecretFree() {
        FlakyDataSource flaky = new FlakyDataSource(h2(), "08001", 0, Integer.MAX_VALUE);
        JugglerException e = assertThrows(JugglerException.class,
                () -> fast(flaky).inTransaction("claim(worker=w7)", c -> 1));
        UnavailableException unavailable = assertInstanceOf(UnavailableException.class, e);
        assertTrue(unavailable.isTransient());
        assertTrue(unavailable.since().isPresent());
        assertTrue(e.getMessage().contains("claim(worker=w7)"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertEquals(Transactor.MAX_TRANSIENT_ATTEMPTS, flaky.requests.get());
    }

    @Test
    void persistentSerializationConflictIsTransientButNotUnavailable() {
        FlakyDataSource flaky = new FlakyDataSource(h2(), "40001", 0, Integer.MAX_VALUE);
        JugglerException e = assertThrows(JugglerException.class,
                () -> fast(flaky).inTransaction("complete(chunk=3)", c -> 1));
        assertFalse(e instanceof UnavailableException);
        assertTrue(e.isTransient());
        assertTrue(e.getMessage().contains("complete(chunk=3)"), e.getMessage());
    }

    @Test
    void otherFailuresArePermanentAndNotRetried() {
        FlakyDataSource flaky = new FlakyDataSource(h2(), "42000", 0, Integer.MAX_VALUE);
        JugglerException e = assertThrows(JugglerException.class,
                () -> fast(flaky).inTransaction("addTrack(video=v)", c -> 1));
        assertFalse(e.isTransient());
        assertTrue(e.getMessage().contains("addTrack(video=v)") && e.getMessage().contains("42000"), e.getMessage());
        assertEquals(1, flaky.requests.get());
    }

    @Test
    void lostRacesAreRetriedAndFinallyReportedAsTransient() {
        AtomicInteger runs = new AtomicInteger();
        int result = fast(h2()).inTransaction("claim(worker=w)", c -> {
            if (runs.incrementAndGet() < 5) {
                throw new Transactor.RetryableConflict("lost");
            }
            return 7;
        });
        assertEquals(7, result);
        assertEquals(5, runs.get());
    }

    @Test
    void aFailureAfterRowsWereDeliveredIsNotRetried() {
        FlakyDataSource flaky = new FlakyDataSource(h2(), "08006", 0, 1);
        JugglerException e = assertThrows(JugglerException.class,
                () -> fast(flaky).inTransaction("readResults(track=1)", c -> 1, () -> false));
        assertInstanceOf(UnavailableException.class, e);
        assertEquals(1, flaky.requests.get());
    }

    @Test
    void h2LockTimeoutIsAConflict() {
        assertEquals(SqlErrors.Kind.CONFLICT, SqlErrors.classify(new SQLException("lock", "HYT00", 50200)));
        assertEquals(SqlErrors.Kind.CONFLICT, SqlErrors.classify(new SQLException("deadlock", "40P01", 0)));
        assertEquals(SqlErrors.Kind.CONNECTION, SqlErrors.classify(new SQLException("broken", "90067", 90067)));
        assertEquals(SqlErrors.Kind.DUPLICATE_KEY, SqlErrors.classify(new SQLException("dup", "23505", 23505)));
        assertEquals("url=jdbc:x;password=***;user=u", SqlErrors.redact("url=jdbc:x;password=secret;user=u"));
    }
}
