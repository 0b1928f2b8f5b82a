package dev.juggler.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.JugglerException;
import dev.juggler.jdbc.internal.SchemaMigrator;
import dev.juggler.jdbc.internal.StoredResults;
import dev.juggler.ledger.FrameResult;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Schema versions 6 and 7 on a ledger that an earlier release left at version 5 with results in it, on H2
 * and on a real PostgreSQL: the upgrade keeps every old row readable as it was, new rows go to the compact
 * column (both the row-by-row and the COPY path), consecutive frames in blocks, reads mix old rows, single
 * new rows and blocks in frame order, the first stored payload of a frame still wins, and a damaged stored
 * value or block is a typed error naming the track and frames. Also: a results table partitioned by track,
 * as docs/storage.md plans for 825 million frames.
 */
class CompactResultsUpgradeTest {

    private static final String OLD_JSON = "{\"version\":1.3,\"people\":[]}";
    private static final String POSE = "{\"version\":1.3,\"people\":[{\"person_id\":[-1],\"pose_keypoints_2d\":[412.345,218.5,0.912345,0,0,0],"
            + "\"face_keypoints_2d\":[],\"hand_left_keypoints_2d\":[],\"hand_right_keypoints_2d\":[],\"pose_keypoints_3d\":[],"
            + "\"face_keypoints_3d\":[],\"hand_left_keypoints_3d\":[],\"hand_right_keypoints_3d\":[]}]}";

    @TempDir
    Path dir;

    private final List<String> pgPrefixes = new ArrayList<>();

    @AfterEach
    void dropPostgresTables() throws SQLException {
        PgTestServer.drop(pgPrefixes, List.of());
    }

    @Test
    void h2LedgerAtVersion5UpgradesWithItsResultsReadable() throws Exception {
        String url = JdbcLedger.h2FileUrl(dir.resolve("ledger"));
        JdbcDataSource data = new JdbcDataSource();
        data.setURL(url);
        upgradeWithOldRows(data, "old_", () -> JdbcLedger.builder().url(url).tablePrefix("old_").build());
    }

    @Test
    void postgresLedgerAtVersion5UpgradesWithItsResultsReadable() throws Exception {
        PgTestServer.require();
        String prefix = PgTestServer.freshPrefix();
        pgPrefixes.add(prefix);
        PGSimpleDataSource data = new PGSimpleDataSource();
        data.setURL(PgTestServer.URL);
        data.setUser(PgTestServer.USER);
        data.setPassword(PgTestServer.PASSWORD);
        upgradeWithOldRows(data, prefix, () -> PgTestServer.builder().tablePrefix(prefix).build());
        try (Connection c = data.getConnection(); Statement s = c.createStatement(); ResultSet compression = s.executeQuery(
                "SELECT attcompression FROM pg_attribute WHERE attrelid = '" + prefix + "results'::regclass AND attname = 'data'")) {
            assertTrue(compression.next());
            assertEquals("l", compression.getString(1), "blocks are compressed with LZ4 where the server has it");
        }
    }

    /**
     * The plan for very large ledgers (docs/storage.md): an operator creates the results table partitioned by
     * track before the first run, and the ledger migrates, stores (COPY and the idempotent merge) and reads
     * through it unchanged.
     */
    @Test
    void postgresResultsTablePartitionedByTrackWorksUnchanged() throws Exception {
        PgTestServer.require();
        String prefix = PgTestServer.freshPrefix();
        pgPrefixes.add(prefix);
        try (Connection c = PgTestServer.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + prefix + "results (track_id BIGINT NOT NULL, frame BIGINT NOT NULL, payload VARCHAR NOT NULL,"
                    + " CONSTRAINT " + prefix + "results_pk PRIMARY KEY (track_id, frame)) PARTITION BY HASH (track_id)");
            for (int i = 0; i < 4; i++) {
                s.execute("CREATE TABLE " + prefix + "results_p" + i + " PARTITION OF " + prefix + "results"
                        + " FOR VALUES WITH (MODULUS 4, REMAINDER " + i + ")");
            }
        }
        try (WorkLedger ledger = PgTestServer.builder().tablePrefix(prefix).build()) {
            List<Long> tracks = new ArrayList<>();
            for (int v = 0; v < 6; v++) {
                ledger.registerVideo(new Video("p" + v, "/corpus/p" + v + ".mp4", 100, 25, 1, Map.of()));
                tracks.add(ledger.addTrack(new TrackSpec("p" + v, "pose", FrameRange.of(0, 100), 0)));
            }
            for (long track : tracks) {
                List<FrameResult> rows = new ArrayList<>();
                for (int frame = 0; frame < 100; frame++) {
                    rows.add(new FrameResult(track, frame, frame == 7 ? "text " + track : POSE));
                }
                ledger.storeResults(rows);
                ledger.storeResults(rows.subList(0, 70)); // stored again: every frame is there, nothing is added
            }
            for (long track : tracks) {
                List<FrameResult> read = new ArrayList<>();
                ledger.readResults(track, FrameRange.of(0, 100), read::add);
                assertEquals(100, read.size());
                assertEquals("text " + track, read.get(7).payload());
                assertEquals(POSE, read.get(99).payload());
            }
        }
        try (Connection c = PgTestServer.connect(); Statement s = c.createStatement()) {
            int partitionsUsed = 0;
            long rows = 0;
            long frames = 0;
            for (int i = 0; i < 4; i++) {
                try (ResultSet count = s.executeQuery("SELECT count(*), COALESCE(SUM(COALESCE(frames, 1)), 0) FROM " + prefix
                        + "results_p" + i)) {
                    count.next();
                    rows += count.getLong(1);
                    frames += count.getLong(2);
                    partitionsUsed += count.getLong(1) > 0 ? 1 : 0;
                }
            }
            assertEquals(600, frames);
            assertEquals(12, rows, "each track's 100 frames in two blocks, 64 and 36 frames");
            assertTrue(partitionsUsed >= 2, "six tracks spread over the partitions: " + partitionsUsed);
        }
    }

    private void upgradeWithOldRows(DataSource data, String prefix, Supplier<WorkLedger> open) throws Exception {
        assertEquals(0, new SchemaMigrator(data, null, prefix, Clock.systemUTC()).migrate(5));
        String results = prefix + "results";
        try (Connection c = data.getConnection(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO " + results + " (track_id, frame, payload) VALUES (?, ?, ?)")) {
            for (int frame = 0; frame < 100; frame += 2) { // even frames: stored by version 5, as text
                insert.setLong(1, 424242);
                insert.setLong(2, frame);
                insert.setString(3, frame == 10 ? "a host's own \"result\" $(x)\n<script>" : OLD_JSON);
                insert.executeUpdate();
            }
        }
        try (WorkLedger ledger = open.get()) {
            ledger.registerVideo(new Video("upgraded", "/corpus/upgraded.mp4", 200, 25, 1, Map.of()));
            long track = ledger.addTrack(new TrackSpec("upgraded", "pose", FrameRange.of(0, 200), 0));
            try (Connection c = data.getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE " + results + " SET track_id = " + track + " WHERE track_id = 424242");
            }
            List<FrameResult> odd = new ArrayList<>();
            for (int frame = 1; frame < 100; frame += 2) {
                odd.add(new FrameResult(track, frame, frame == 11 ? "not JSON at all" : POSE));
            }
            ledger.storeResults(odd.subList(0, 5)); // row by row
            ledger.storeResults(odd); // 50 rows: row by row on both databases
            List<FrameResult> copied = new ArrayList<>();
            for (int frame = 100; frame < 200; frame++) {
                copied.add(new FrameResult(track, frame, POSE));
            }
            ledger.storeResults(copied); // 100 rows: the binary COPY path on PostgreSQL
            ledger.storeResults(copied.subList(40, 80)); // again: inside a block, nothing is added
            ledger.storeResults(List.of(new FrameResult(track, 0, POSE))); // frame 0 is stored: the first payload wins

            List<FrameResult> read = new ArrayList<>();
            ledger.readResults(track, FrameRange.of(0, 200), read::add);
            assertEquals(200, read.size(), () -> read.stream().map(r -> r.frame() + "").toList().toString());
            for (int frame = 0; frame < 200; frame++) {
                FrameResult result = read.get(frame);
                assertEquals(frame, result.frame());
                String expected = frame >= 100 ? POSE : frame % 2 == 0 ? (frame == 10 ? "a host's own \"result\" $(x)\n<script>" : OLD_JSON)
                        : frame == 11 ? "not JSON at all" : POSE;
                assertEquals(expected, result.payload(), "frame " + frame);
            }
            try (Connection c = data.getConnection(); Statement s = c.createStatement();
                    ResultSet rows = s.executeQuery("SELECT frame, payload, data FROM " + results + " WHERE frame IN (2, 3) ORDER BY frame")) {
                assertTrue(rows.next());
                assertNotNull(rows.getString(2), "an old row keeps its text");
                assertNull(rows.getBytes(3));
                assertTrue(rows.next());
                assertNull(rows.getString(2), "a new row has no text");
                assertEquals(StoredResults.POSE_PREDICTED, rows.getBytes(3)[0], "in the sequence form, predicted from nothing");
            }
            try (Connection c = data.getConnection(); Statement s = c.createStatement();
                    ResultSet rows = s.executeQuery("SELECT frame, frames FROM " + results + " WHERE frame >= 100 ORDER BY frame")) {
                assertTrue(rows.next());
                assertEquals(List.of(100L, 28), List.of(rows.getLong(1), rows.getInt(2)), "frames 100-127: up to a multiple of 64");
                assertTrue(rows.next());
                assertEquals(List.of(128L, 64), List.of(rows.getLong(1), rows.getInt(2)), "frames 128-191 in one block");
                assertTrue(rows.next());
                assertEquals(List.of(192L, 8), List.of(rows.getLong(1), rows.getInt(2)), "frames 192-199");
                assertTrue(!rows.next());
            }
            try (Connection c = data.getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE " + results + " SET data = X'63' WHERE frame = 3".replace("X'63'",
                        data instanceof JdbcDataSource ? "X'63'" : "'\\x63'::bytea"));
                s.executeUpdate("UPDATE " + results + " SET frames = 63 WHERE frame = 128");
            }
            JugglerException block = org.junit.jupiter.api.Assertions.assertThrows(JugglerException.class,
                    () -> ledger.readResults(track, FrameRange.of(170, 171), r -> { }));
            assertTrue(block.getMessage().contains("frames 128-190") && block.getMessage().contains("holds 64 frames where its row says 63")
                    && !block.isTransient(), block.getMessage());
            JugglerException damaged = org.junit.jupiter.api.Assertions.assertThrows(JugglerException.class,
                    () -> ledger.readResults(track, FrameRange.of(3, 4), r -> { }));
            assertTrue(damaged.getMessage().contains("frame 3") && damaged.getMessage().contains("tag 99")
                    && !damaged.isTransient(), damaged.getMessage());
        }
    }
}
