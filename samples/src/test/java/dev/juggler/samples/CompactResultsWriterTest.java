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
 * What Juggler's own OpenPose writer produces is stored by the ledger in the compact form (tag 16, or 17
 * predicted from the frame before, in blocks of frames: docs/storage.md) and read back byte for byte: every
 * shape of {@link OpenPoseShapes}, body-only frames as the pose analyses write them, documents with every one
 * of OpenPose 1.3's arrays filled (which also pins the encoder's array order to the writer's), and the
 * consecutive frames of a shot, most of them predicted. Seeded; a failure names the frame.
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
        long stored = storeAndReadBack(documents, "mixed");
        long text = documents.stream().mapToLong(String::length).sum();
        assertTrue(stored * 3 < text, "stored " + stored + " bytes for " + text + " of JSON");
    }

    @Test
    void aShotsConsecutiveFramesArePredictedFromEachOtherAndReadBackExactly() throws Exception {
        OpenPoseShapes.Scene scene = new OpenPoseShapes(SEED).scene(OpenPoseShapes.Shape.FULL_TWO);
        List<String> documents = new ArrayList<>();
        for (int frame = 0; frame < 640; frame++) {
            documents.add(scene.json());
        }
        long alone = storeAndReadBack(documents.subList(0, 1), "alone");
        long stored = storeAndReadBack(documents, "shot");
        long text = documents.stream().mapToLong(String::length).sum();
        assertTrue(stored * 4 < text, "stored " + stored + " bytes for " + text + " of JSON");
        assertTrue(stored < alone * documents.size() * 0.9, "stored " + stored + " bytes, a frame alone " + alone);
    }

    /** Stores the documents as consecutive frames of a fresh H2 ledger, checks they read back exactly, returns the stored bytes. */
    private long storeAndReadBack(List<String> documents, String name) throws Exception {
        String url = JdbcLedger.h2FileUrl(dir.resolve(name));
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
        int predicted = 0;
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT frame, frames, data FROM jg_results ORDER BY frame")) {
            while (rows.next()) {
                byte[] data = rows.getBytes(3);
                for (int tag : entryTags(rows.getInt(2), data)) {
                    assertTrue(tag == 16 || tag == 17, "a frame from " + rows.getLong(1) + " was not stored compactly: tag " + tag);
                    predicted += tag == 17 ? 1 : 0;
                }
                stored += data.length;
            }
        }
        if (name.equals("shot")) {
            assertTrue(predicted > documents.size() * 0.8, predicted + " of " + documents.size() + " frames predicted");
        }
        return stored;
    }

    /** The encoding tag of each frame in a row: the row's own for one frame, else each frame's in the block (docs/storage.md). */
    private static List<Integer> entryTags(int frames, byte[] data) {
        if (frames == 0) {
            return List.of((int) data[0]);
        }
        assertEquals(32, data[0], "a block");
        List<Integer> tags = new ArrayList<>();
        int[] at = {1};
        assertEquals(frames, varint(data, at));
        for (int i = 0; i < frames; i++) {
            int length = varint(data, at);
            tags.add((int) data[at[0]]);
            at[0] += length;
        }
        assertEquals(data.length, at[0], "the block ends after its last frame");
        return tags;
    }

    private static int varint(byte[] data, int[] at) {
        int value = 0;
        for (int shift = 0; ; shift += 7) {
            int b = data[at[0]++] & 0xFF;
            value |= (b & 0x7F) << shift;
            if (b < 0x80) {
                return value;
            }
        }
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
