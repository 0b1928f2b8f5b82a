package dev.juggler.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.ledger.ClaimRequest;
import dev.juggler.ledger.Lease;
import dev.juggler.ledger.LeaseLostException;
import dev.juggler.ledger.StageState;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.WorkEstimate;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.testing.MutableClock;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A completion whose commit reached the database but whose acknowledgement did not (the connection broke
 * right after): the ledger retries, recognises its own committed change and reports success, not a lost
 * lease, and it changes nothing twice. And the other side of it: a retry whose first try never reached the
 * database recognises nothing, so a stale lease (completed already, reaped, or re-leased to another worker
 * who completed the same frames) is still refused even though its chunk looks DONE as asked. A database
 * connection that drops at those moments is made here by wrapping H2's data source.
 */
class LostAcknowledgementTest {

    @TempDir
    Path dir;

    /** Faults armed by the test: each counts down once per matching call, then the call works normally. */
    final AtomicInteger failAfterDoneUpdate = new AtomicInteger();
    final AtomicInteger failAfterCommit = new AtomicInteger();
    /** The next statements fail before they reach the database (e.g. a pooled connection a restart broke). */
    final AtomicInteger failBeforeStatement = new AtomicInteger();
    final MutableClock clock = MutableClock.startingAt2024();

    private DataSource flakyDataSource() {
        org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + dir.resolve("ledger").toAbsolutePath());
        return proxy(DataSource.class, h2, (method, args, result) -> method.getName().equals("getConnection")
                ? connection((Connection) result) : result);
    }

    private Connection connection(Connection real) {
        return proxy(Connection.class, real, (method, args, result) -> {
            if (method.getName().equals("prepareStatement")) {
                return statement((PreparedStatement) result, (String) args[0]);
            }
            if (method.getName().equals("commit") && failAfterCommit.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new SQLTransientConnectionException("connection reset after COMMIT was sent", "08006");
            }
            return result;
        });
    }

    private PreparedStatement statement(PreparedStatement real, String sql) {
        PreparedStatement faulty = proxy(PreparedStatement.class, real, (method, args, result) -> {
            if (method.getName().equals("executeUpdate") && sql.contains("SET state = 'DONE'")
                    && failAfterDoneUpdate.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new SQLTransientConnectionException("connection reset after the update ran", "08006");
            }
            return result;
        });
        // checked before the call goes through: the statement never reaches the database
        return type(PreparedStatement.class, (p, method, args) -> {
            if (method.getName().startsWith("execute") && failBeforeStatement.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new SQLTransientConnectionException("connection reset before the statement was sent", "08006");
            }
            try {
                return method.invoke(faulty, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    private static <T> T type(Class<T> type, InvocationHandler handler) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    /** Calls through to {@code real}, then lets {@code after} see (and replace, or throw instead of) the result. */
    private static <T> T proxy(Class<T> type, T real, After after) {
        InvocationHandler handler = (p, method, args) -> {
            Object result;
            try {
                result = method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            return after.apply(method, args, result);
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    @FunctionalInterface
    interface After {
        Object apply(java.lang.reflect.Method method, Object[] args, Object result) throws Throwable;
    }

    private Lease leaseOf100Frames(WorkLedger ledger) {
        ledger.registerVideo(new Video("v", "/corpus/v", 100, 25, 1, Map.of()));
        ledger.markStaged("v", "/ws/v");
        ledger.addTrack(new TrackSpec("v", "pose", FrameRange.of(0, 100), 0));
        return ledger.claim(ClaimRequest.of("w", 100, Duration.ofMinutes(5))).orElseThrow();
    }

    private WorkLedger flakyLedger() {
        return JdbcLedger.builder().dataSource(flakyDataSource()).clock(clock).build();
    }

    @Test
    void aCompletionWhoseAcknowledgementWasLostSucceedsOnItsRetry() {
        try (WorkLedger ledger = flakyLedger()) {
            Lease lease = leaseOf100Frames(ledger);
            failAfterDoneUpdate.set(1);
            ledger.complete(lease, 100); // committed, connection "lost", retried: must not say LeaseLost
            assertEquals(0, failAfterDoneUpdate.get(), "the fault fired");
            WorkEstimate frames = ledger.reader().progress().frames();
            assertEquals(100, frames.doneFrames());
            // Fencing is unchanged: completing again (a new call, not a retry) is a lost lease.
            assertThrows(LeaseLostException.class, () -> ledger.complete(lease, 100));
        }
    }

    @Test
    void aPartialCompletionWhoseCommitAcknowledgementWasLostSplitsTheChunkOnce() {
        try (WorkLedger ledger = flakyLedger()) {
            Lease lease = leaseOf100Frames(ledger);
            failAfterCommit.set(1);
            ledger.complete(lease, 60);
            assertEquals(0, failAfterCommit.get(), "the fault fired");
            WorkEstimate frames = ledger.reader().progress().frames();
            assertEquals(60, frames.doneFrames());
            assertEquals(40, frames.claimableFrames(), "the rest is pending once, not twice");
            Lease rest = ledger.claim(ClaimRequest.of("w2", 100, Duration.ofMinutes(5))).orElseThrow();
            assertEquals(FrameRange.of(60, 100), rest.range());
            assertTrue(ledger.claim(ClaimRequest.of("w3", 100, Duration.ofMinutes(5))).isEmpty());
        }
    }

    @Test
    void aRepeatedCompletionIsRefusedAlsoWhenItsFirstTryNeverReachedTheDatabase() {
        try (WorkLedger ledger = flakyLedger()) {
            Lease lease = leaseOf100Frames(ledger);
            ledger.complete(lease, 100);
            failBeforeStatement.set(1);
            // the chunk is DONE as asked, but by an earlier call: this one's retry has nothing of its own to find
            assertThrows(LeaseLostException.class, () -> ledger.complete(lease, 100));
            assertEquals(0, failBeforeStatement.get(), "the fault fired");
        }
    }

    @Test
    void aStaleHolderIsRefusedAfterAnotherWorkerCompletedTheSameFrames() {
        try (WorkLedger ledger = flakyLedger()) {
            Lease stale = leaseOf100Frames(ledger);
            clock.advance(Duration.ofMinutes(6));
            assertEquals(1, ledger.reapExpired());
            Lease current = ledger.claim(ClaimRequest.of("w2", 100, Duration.ofMinutes(5))).orElseThrow();
            assertEquals(stale.chunkId(), current.chunkId(), "the same chunk, leased again");
            assertEquals(stale.range(), current.range(), "with the same frames");
            ledger.complete(current, 100);
            failBeforeStatement.set(1);
            assertThrows(LeaseLostException.class, () -> ledger.complete(stale, 100));
            assertEquals(0, failBeforeStatement.get(), "the fault fired");
            assertEquals(100, ledger.reader().progress().frames().doneFrames());
        }
    }

    @Test
    void aStaleHolderIsRefusedAfterTheReaperKeptItsCheckpointAsDone() {
        try (WorkLedger ledger = flakyLedger()) {
            Lease stale = leaseOf100Frames(ledger);
            ledger.heartbeat(stale, 60);
            clock.advance(Duration.ofMinutes(6));
            assertEquals(1, ledger.reapExpired()); // frames [0, 60) DONE in the chunk's own row, the rest pending
            failBeforeStatement.set(1);
            assertThrows(LeaseLostException.class, () -> ledger.complete(stale, 60));
            assertEquals(0, failBeforeStatement.get(), "the fault fired");
            failBeforeStatement.set(1);
            assertThrows(LeaseLostException.class, () -> ledger.complete(stale, 100));
            assertEquals(0, failBeforeStatement.get(), "the fault fired");
            WorkEstimate frames = ledger.reader().progress().frames();
            assertEquals(60, frames.doneFrames());
            assertEquals(40, frames.claimableFrames());
        }
    }
}
