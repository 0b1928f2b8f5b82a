package dev.juggler.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.openpose.OpenPoseDocument;
import dev.juggler.inference.openpose.OpenPoseJson;
import dev.juggler.inference.openpose.OpenPosePerson;
import dev.juggler.inference.pose.Person;
import dev.juggler.inference.pose.PoseFrame;
import dev.juggler.inference.testing.OpenPoseShapes;
import dev.juggler.jdbc.JdbcLedger;
import dev.juggler.ledger.FrameResult;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What Juggler's own OpenPose writer produces is stored by the ledger in the compact form (tag 16 in the
 * {@code data} column, docs/storage.md) and read back byte for byte: every shape of {@link OpenPoseShapes},
 * body-only frames as the pose analyses write them, and documents with every one of OpenPose 1.3's arrays
 * filled (which also pins the encoder's array order to the writer's). Seeded; a failure names the frame.
 */
class CompactResultsWriterTest {

    private static final long SEED = Long.getLong("juggler.test.seed", 77L);

    @TempDir
    Path dir;

    @Test
    void everythingTheWriterWritesIsStoredCompactlyAndReadBackExactly() throws Exception {
        OpenPoseShapes shapes = new OpenPoseShapes(SEED);
        Random random = new Random(SEED);
        List<String> documents = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            for (OpenPoseShapes.Shape shape : OpenPoseShapes.Shape.values()) {
                documents.add(shapes.json(shape));
            }
            documents.add(OpenPoseJson.toJson(bodyOnly(random)));
            documents.add(OpenPoseJson.toJson(everyArray(random)));
        }
        String url = JdbcLedger.h2FileUrl(dir.resolve("ledger"));
        List<FrameResult> read = new ArrayList<>();
        try (WorkLedger ledger = JdbcLedger.builder().url(url).build()) {
            ledger.registerVideo(new Video("v", "/corpus/v.mp4", documents.size(), 25, 1, Map.of()));
            long track = ledger.addTrack(new TrackSpec("v", "openpose", FrameRange.of(0, documents.size()), 0));
            List<FrameResult> results = new ArrayList<>();
            for (int frame = 0; frame < documents.size(); frame++) {
                results.add(new FrameResult(track, frame, documents.get(frame)));
            }
            ledger.storeResults(results);
            ledger.readResults(track, FrameRange.of(0, documents.size()), read::add);
        }
        assertEquals(documents.size(), read.size());
        for (int frame = 0; frame < documents.size(); frame++) {
            assertEquals(documents.get(frame), read.get(frame).payload(), "seed " + SEED + ", frame " + frame);
        }
        long stored = 0;
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT frame, data FROM jg_results ORDER BY frame")) {
            while (rows.next()) {
                byte[] data = rows.getBytes(2);
                assertEquals(16, data[0], "frame " + rows.getLong(1) + " was not stored compactly: " + documents.get((int) rows.getLong(1)));
                stored += data.length;
            }
        }
        long text = documents.stream().mapToLong(String::length).sum();
        assertTrue(stored * 3 < text, "stored " + stored + " bytes for " + text + " of JSON");
    }

    private static PoseFrame bodyOnly(Random random) {
        List<Person> people = new ArrayList<>();
        for (int p = random.nextInt(4); p > 0; p--) {
            float[] pose = new float[75];
            for (int k = 0; k < 25; k++) {
                if (random.nextInt(5) > 0) {
                    pose[3 * k] = random.nextFloat() * 1920;
                    pose[3 * k + 1] = random.nextFloat() * 1080;
                    pose[3 * k + 2] = random.nextFloat();
                }
            }
            people.add(new Person(random.nextBoolean() ? Person.UNTRACKED : random.nextInt(100), pose));
        }
        return new PoseFrame(people);
    }

    private static OpenPoseDocument everyArray(Random random) {
        return new OpenPoseDocument(Optional.of(OpenPoseJson.VERSION), List.of(new OpenPosePerson(random.nextInt(1000), values(random, 75),
                values(random, 210), values(random, 63), values(random, 63), values(random, 100), values(random, 280), values(random, 84),
                values(random, 84))), Optional.empty());
    }

    private static float[] values(Random random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4));
        }
        return values;
    }
}
