package dev.juggler.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.jdbc.internal.SchemaMigrator;
import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.Lease;
import dev.juggler.ledger.StageState;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.ledger.WorkLedgerContract;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The work-ledger contract on an H2 file database (a fresh file per test), plus H2/JDBC specifics. */
class H2WorkLedgerTest extends WorkLedgerContract {

    @TempDir
    Path dir;

    @Override
    protected WorkLedger newLedger(Clock clock) {
        return JdbcLedger.builder().url(JdbcLedger.h2FileUrl(dir.resolve("ledger"))).clock(clock).build();
    }

    @Test
    void stateSurvivesReopeningTheFile() {
        Video video = stagedVideo("v", 100);
        long track = wholeTrack(video, "pose", 0);
        Lease lease = claimOrFail(40);
        ledger.complete(lease, 40);
        ledger.close();
        ledger.close(); // idempotent
        ledger = newLedger(clock);
        assertEquals(List.of(FrameRange.of(0, 40)), rangesIn(track, ChunkState.DONE));
        assertEquals(Optional.of("/ws/v"), ledger.video("v").orElseThrow().stagedLocation());
        assertEquals(FrameRange.of(40, 100), claimOrFail(100).range());
    }

    @Test
    void schemaVersionIsRecordedOnceAndPrefixesSeparateLedgers() throws Exception {
        ledger.registerVideo(video("v", 10, Map.of()));
        try (WorkLedger other = JdbcLedger.builder().url(JdbcLedger.h2FileUrl(dir.resolve("ledger"))).tablePrefix("other_")
                .clock(clock).build()) {
            assertEquals(Optional.empty(), other.video("v"), "another prefix is another ledger");
            other.registerVideo(video("w", 10, Map.of()));
        }
        assertEquals(Optional.empty(), ledger.video("w"));
        ledger.close();
        try (Connection c = DriverManager.getConnection(JdbcLedger.h2FileUrl(dir.resolve("ledger")));
                Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT version, description FROM jg_schema_version ORDER BY version")) {
            for (int version = 1; version <= SchemaMigrator.latestVersion(); version++) {
                assertTrue(rows.next());
                assertEquals(version, rows.getInt(1));
            }
            assertFalse(rows.next(), "one row per version");
        }
    }

    @Test
    void aVersion1SchemaIsUpgradedAndItsDoneChunksStayDone() throws Exception {
        Video video = stagedVideo("v", 100);
        long track = wholeTrack(video, "pose", 0);
        ledger.complete(claimOrFail(40), 40);
        ledger.close();
        String url = JdbcLedger.h2FileUrl(dir.resolve("ledger"));
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            // back to what version 1 left behind
            s.execute("ALTER TABLE jg_chunks DROP COLUMN completion_id");
            s.execute("DELETE FROM jg_schema_version WHERE version > 1");
        }
        try (WorkLedger unmanaged = JdbcLedger.builder().url(url).manageSchema(false).clock(clock).build()) {
            dev.juggler.JugglerException e = org.junit.jupiter.api.Assertions.assertThrows(dev.juggler.JugglerException.class,
                    unmanaged::estimate);
            assertTrue(e.getMessage().contains("schema too old"), e.getMessage());
        }
        ledger = newLedger(clock);
        assertEquals(List.of(FrameRange.of(0, 40)), rangesIn(track, ChunkState.DONE));
        Lease rest = claimOrFail(100);
        ledger.complete(rest, 100);
        assertEquals(List.of(FrameRange.of(0, 40), FrameRange.of(40, 100)), rangesIn(track, ChunkState.DONE));
        org.junit.jupiter.api.Assertions.assertThrows(dev.juggler.ledger.LeaseLostException.class, () -> ledger.complete(rest, 100));
    }

    @Test
    void aLeaseLiveWhileTheLedgerIsUpgradedToLeaseBeatsKeepsItsHeartbeatsAndExpiry() throws Exception {
        long track = wholeTrack(stagedVideo("v", 100), "pose", 0);
        Lease lease = claimOrFail(50);
        ledger.close();
        String url = JdbcLedger.h2FileUrl(dir.resolve("ledger"));
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            // back to what version 7 left behind: the lease only in its chunk row
            s.execute("DROP TABLE jg_lease_beats");
            s.execute("CREATE INDEX jg_chunks_expiry_ix ON jg_chunks (state, lease_expires_ms)");
            s.execute("DELETE FROM jg_schema_version WHERE version > 7");
        }
        ledger = newLedger(clock);
        clock.advance(Duration.ofMinutes(1));
        Lease extended = ledger.heartbeat(lease, 30);
        assertEquals(lease.expiresAt().plus(Duration.ofMinutes(1)), extended.expiresAt(),
                "one lease duration from the heartbeat");
        clock.advance(Duration.between(clock.instant(), extended.expiresAt()).plusMillis(1));
        assertEquals(1, ledger.reapExpired());
        assertEquals(List.of(FrameRange.of(0, 30)), rangesIn(track, ChunkState.DONE));
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.INDEXES"
                        + " WHERE INDEX_NAME = 'JG_CHUNKS_EXPIRY_IX'")) {
            rows.next();
            assertEquals(0, rows.getInt(1), "the expiry index is dropped");
        }
    }

    @Test
    void manyLedgersStartingAtOnceOnAFreshFileMigrateOnce() throws Exception {
        for (int round = 0; round < 3; round++) {
            startManyLedgersAtOnce(dir.resolve("fresh-" + round), 4);
        }
    }

    private void startManyLedgersAtOnce(Path fresh, int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Long>> tracks = new ArrayList<>();
        List<WorkLedger> ledgers = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                WorkLedger each = JdbcLedger.builder().url(JdbcLedger.h2FileUrl(fresh)).clock(clock).build();
                ledgers.add(each);
                String id = "video-" + i;
                tracks.add(pool.submit(() -> {
                    start.await();
                    each.registerVideo(video(id, 10, Map.of()));
                    return each.addTrack(new TrackSpec(id, "pose", FrameRange.of(0, 10), 0));
                }));
            }
            start.countDown();
            for (Future<Long> track : tracks) {
                track.get();
            }
            assertEquals(n, ledgers.get(0).videosToStage(100).size());
        } finally {
            pool.shutdownNow();
            ledgers.forEach(WorkLedger::close);
        }
    }

    @Test
    void aSchemaSeparatesLedgersAndAnUnmanagedLedgerOnlyChecksTheVersion() {
        String url = JdbcLedger.h2FileUrl(dir.resolve("schemas"));
        try (WorkLedger unmanaged = JdbcLedger.builder().url(url).schema("ledger").manageSchema(false).clock(clock).build()) {
            dev.juggler.JugglerException e = org.junit.jupiter.api.Assertions.assertThrows(dev.juggler.JugglerException.class,
                    unmanaged::estimate);
            assertFalse(e.isTransient());
            assertTrue(e.getMessage().contains("schema missing") && e.getMessage().contains("manageSchema(true)"), e.getMessage());
        }
        try (WorkLedger managed = JdbcLedger.builder().url(url).schema("ledger").clock(clock).build();
                WorkLedger plain = JdbcLedger.builder().url(url).clock(clock).build()) {
            managed.registerVideo(video("in-schema", 10, Map.of()));
            assertEquals(Optional.empty(), plain.video("in-schema"), "another schema is another ledger");
        }
        try (WorkLedger unmanaged = JdbcLedger.builder().url(url).schema("ledger").manageSchema(false).clock(clock).build()) {
            assertTrue(unmanaged.video("in-schema").isPresent());
        }
    }

    @Test
    void hostDataSourceIsUsedAndNotClosed() throws Exception {
        org.h2.jdbcx.JdbcDataSource host = new org.h2.jdbcx.JdbcDataSource();
        host.setURL("jdbc:h2:file:" + dir.resolve("host").toAbsolutePath());
        try (Connection keepOpen = host.getConnection()) {
            WorkLedger hosted = JdbcLedger.builder().dataSource(host).tablePrefix("host_").clock(clock).build();
            hosted.registerVideo(video("v", 10, Map.of()));
            hosted.markStaged("v", "/ws/v");
            hosted.close();
            assertFalse(keepOpen.isClosed());
            try (Statement s = keepOpen.createStatement(); ResultSet rows = s.executeQuery("SELECT COUNT(*) FROM host_videos")) {
                rows.next();
                assertEquals(1, rows.getInt(1));
            }
            assertTrue(keepOpen.getAutoCommit(), "auto-commit of host connections is restored");
        }
    }

    @Test
    void h2FileUrlIsAbsoluteAndSharesTheFile() {
        String url = JdbcLedger.h2FileUrl(Path.of("relative", "db"));
        assertTrue(url.startsWith("jdbc:h2:file:/"), url);
        assertTrue(url.endsWith(";AUTO_SERVER=TRUE"), url);
        assertEquals(JdbcLedger.h2FileUrl(dir.resolve("x")), JdbcLedger.h2FileUrl(dir.resolve("x.mv.db")));
        assertTrue(Files.isDirectory(dir));
    }
}
