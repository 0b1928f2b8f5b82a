package dev.juggler.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.JugglerException;
import dev.juggler.ledger.ClaimRequest;
import dev.juggler.ledger.FrameResult;
import dev.juggler.ledger.Lease;
import dev.juggler.ledger.StageState;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** PostgreSQL specifics: non-blocking claims, the COPY result path, schemas and a schema the ledger must not touch. */
class PostgresLedgerTest {

    private final List<String> prefixes = new ArrayList<>();
    private final List<String> schemas = new ArrayList<>();

    @BeforeEach
    void requireServer() {
        PgTestServer.require();
    }

    @AfterEach
    void dropTables() throws Exception {
        PgTestServer.drop(prefixes, schemas);
    }

    private String prefix() {
        String prefix = PgTestServer.freshPrefix();
        prefixes.add(prefix);
        return prefix;
    }

    private static void stage(WorkLedger ledger, String id, long frames) {
        ledger.registerVideo(new Video(id, "/corpus/" + id, frames, 25, 1, Map.of()));
        ledger.markStaged(id, "/ws/" + id);
    }

    @Test
    @Timeout(30)
    void aClaimSkipsAChunkThatAnotherTransactionHoldsInsteadOfWaiting() throws Exception {
        String prefix = prefix();
        try (WorkLedger ledger = PgTestServer.builder().tablePrefix(prefix).build(); Connection other = PgTestServer.connect()) {
            stage(ledger, "first", 100);
            stage(ledger, "second", 100);
            long first = ledger.addTrack(new TrackSpec("first", "pose", FrameRange.of(0, 100), 5));
            long second = ledger.addTrack(new TrackSpec("second", "pose", FrameRange.of(0, 100), 0));
            other.setAutoCommit(false);
            try (PreparedStatement lock = other.prepareStatement("SELECT id FROM " + prefix + "chunks WHERE track_id = ? FOR UPDATE")) {
                lock.setLong(1, first);
                lock.executeQuery().close();
            }
            long start = System.nanoTime();
            Lease lease = ledger.claim(ClaimRequest.of("w", 10, Duration.ofMinutes(1))).orElseThrow();
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(second, lease.trackId(), "the locked best chunk is skipped, the next one taken");
            assertTrue(millis < 5_000, "the claim must not wait for the lock: " + millis + " ms");
            other.rollback();
            assertEquals(first, ledger.claim(ClaimRequest.of("w", 10, Duration.ofMinutes(1))).orElseThrow().trackId(),
                    "priority order again once the lock is gone");
        }
    }

    @Test
    void bulkResultsGoThroughCopyIdempotentlyAndStreamBackInOrder() {
        try (WorkLedger ledger = PgTestServer.builder().tablePrefix(prefix()).build()) {
            stage(ledger, "v", 20_000);
            long track = ledger.addTrack(new TrackSpec("v", "pose", FrameRange.of(0, 20_000), 0));
            List<String> awkward = List.of("tab\there", "new\nline", "back\\slash\\N", "cr\rlf", "Ünïcødé 视频 🎥", "'; DROP TABLE x; --",
                    "\\.", "");
            List<FrameResult> batch = new ArrayList<>();
            for (int frame = 0; frame < 12_000; frame++) {
                batch.add(new FrameResult(track, frame, "{\"f\":" + frame + ",\"s\":\"" + awkward.get(frame % awkward.size()) + "\"}"));
            }
            batch.add(new FrameResult(track, 7, "a duplicate inside the batch keeps one row"));
            ledger.storeResults(batch);
            List<FrameResult> again = new ArrayList<>();
            for (int frame = 11_000; frame < 13_000; frame++) {
                again.add(new FrameResult(track, frame, "second writer " + frame));
            }
            ledger.storeResults(again);
            List<FrameResult> read = new ArrayList<>();
            ledger.readResults(track, FrameRange.of(0, 20_000), read::add);
            assertEquals(13_000, read.size());
            for (int frame = 0; frame < 13_000; frame++) {
                FrameResult r = read.get(frame);
                assertEquals(frame, r.frame());
                if (frame < 12_000 && frame != 7) {
                    assertEquals(batch.get(frame).payload(), r.payload(), "frame " + frame + " keeps its first payload");
                } else if (frame >= 12_000) {
                    assertEquals("second writer " + frame, r.payload());
                }
            }
        }
    }

    @Test
    void aBatchOfNewFramesIsCopiedStraightInAndReadBackExactly() {
        try (WorkLedger ledger = PgTestServer.builder().tablePrefix(prefix()).build()) {
            stage(ledger, "v", 5_000);
            long track = ledger.addTrack(new TrackSpec("v", "pose", FrameRange.of(0, 5_000), 0));
            List<String> awkward = List.of("tab\there", "new\nline", "back\\slash\\N", "cr\rlf", "Ünïcødé 视频 🎥", "\\.", "",
                    "x".repeat(70_000));
            List<FrameResult> batch = new ArrayList<>();
            for (int frame = 4_999; frame >= 0; frame--) { // out of order on purpose
                batch.add(new FrameResult(track, frame, frame + ":" + awkward.get(frame % awkward.size())));
            }
            ledger.storeResults(batch);
            List<FrameResult> read = new ArrayList<>();
            ledger.readResults(track, FrameRange.of(0, 5_000), read::add);
            assertEquals(5_000, read.size());
            for (int frame = 0; frame < 5_000; frame++) {
                assertEquals(frame + ":" + awkward.get(frame % awkward.size()), read.get(frame).payload(), "frame " + frame);
            }
        }
    }

    @Test
    void tablesLiveInTheConfiguredSchema() throws Exception {
        String schema = "s" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        schemas.add(schema);
        try (WorkLedger ledger = PgTestServer.builder().schema(schema).tablePrefix("jg_").build()) {
            stage(ledger, "v", 10);
            ledger.addTrack(new TrackSpec("v", "pose", FrameRange.of(0, 10), 0));
            Lease lease = ledger.claim(ClaimRequest.of("w", 100, Duration.ofMinutes(1))).orElseThrow();
            List<FrameResult> results = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                results.add(new FrameResult(lease.trackId(), i % 10, "p" + i));
            }
            ledger.storeResults(results);
            ledger.complete(lease, 10);
        }
        try (Connection c = PgTestServer.connect(); Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT SUM(COALESCE(frames, 1)) FROM " + schema + ".jg_results")) {
            rows.next();
            assertEquals(10, rows.getInt(1), "frames stored in the schema's results table");
        }
        try (WorkLedger hosted = PgTestServer.builder().schema(schema).tablePrefix("jg_").manageSchema(false).build()) {
            assertEquals(10, hosted.estimate().doneFrames(), "an existing schema is used without being managed");
        }
    }

    @Test
    void anUnmanagedLedgerRefusesAMissingSchemaAndCreatesNothing() throws Exception {
        String schema = "s" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        schemas.add(schema);
        try (WorkLedger ledger = PgTestServer.builder().schema(schema).manageSchema(false).build()) {
            JugglerException e = assertThrows(JugglerException.class, ledger::estimate);
            assertFalse(e.isTransient());
            assertTrue(e.getMessage().contains("schema missing") && e.getMessage().contains(schema + ".jg_schema_version"),
                    e.getMessage());
            assertFalse(e.getMessage().contains(PgTestServer.PASSWORD), "no secrets in messages");
        }
        try (Connection c = PgTestServer.connect(); PreparedStatement s = c.prepareStatement(
                "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?")) {
            s.setString(1, schema);
            try (ResultSet rows = s.executeQuery()) {
                rows.next();
                assertEquals(0, rows.getInt(1), "manageSchema(false) must not create anything");
            }
        }
    }
}
