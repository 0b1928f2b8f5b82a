package dev.juggler.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.ledger.FrameResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Blocks of frames: how a track's frames are cut into rows, exact round trips of each frame's stored form,
 * and typed errors for a damaged block. Randomized cases are seeded; a failure names its seed.
 */
class ResultBlocksTest {

    private static final long SEED = Long.getLong("juggler.test.seed", 20261207L);

    @Test
    void runsOfConsecutiveFramesBecomeBlocksAndLoneFramesStayRows() {
        NavigableMap<Long, String> frames = new TreeMap<>();
        for (long frame = 0; frame < 150; frame++) {
            frames.put(frame, "f" + frame);
        }
        frames.put(200L, "alone");
        frames.put(202L, "a");
        frames.put(203L, "b");
        for (long frame = 250; frame < 260; frame++) {
            frames.put(frame, "at a multiple of 64 a new block starts: " + frame);
        }
        List<ResultBlocks.Row> rows = rows(7, frames);
        assertEquals(List.of("0+64", "64+64", "128+22", "200+1", "202+2", "250+6", "256+4"),
                rows.stream().map(r -> r.frame() + "+" + r.frames()).toList());
        assertTrue(rows.stream().allMatch(r -> r.trackId() == 7));
        assertEquals("alone", StoredResults.decode(rows.get(3).data()), "a lone frame is a plain stored form");
        assertEquals(ResultBlocks.BLOCK, rows.get(4).data()[0]);
        assertEquals(frames.subMap(0L, 64L).values().stream().toList(), payloads(rows.get(0), 0));
        assertEquals(frames.subMap(140L, 150L).values().stream().toList(), payloads(rows.get(2), 12));
    }

    @Test
    void aBlockStopsBeforeItPassesItsByteLimit() {
        Random random = new Random(SEED);
        NavigableMap<Long, String> frames = new TreeMap<>();
        for (long frame = 0; frame < 5; frame++) {
            frames.put(frame, incompressible(random, ResultBlocks.MAX_BYTES * 2 / 5)); // 3 pass the limit, 2 do not
        }
        frames.put(5L, incompressible(random, ResultBlocks.MAX_BYTES * 2));
        List<ResultBlocks.Row> rows = rows(1, frames);
        assertEquals(List.of("0+2", "2+2", "4+1", "5+1"), rows.stream().map(r -> r.frame() + "+" + r.frames()).toList());
        assertEquals(List.of(frames.get(2L), frames.get(3L)), payloads(rows.get(1), 0));
    }

    /**
     * Sequences as a pose path writes them (people moving a little from frame to frame, keypoints lost and
     * found, people coming, going and changing places in the list, face and hands some frames only) and
     * awkward numbers, through blocks with prediction and back, read from the first, the second, the last and a random frame of each block on.
     */
    @Test
    void poseSequencesComeBackExactlyFromAnyFrameOfTheirBlocks() {
        long predictedFrames = 0;
        for (int i = 0; i < 60; i++) {
            long seed = SEED + i;
            Random random = new Random(seed);
            NavigableMap<Long, String> frames = new TreeMap<>();
            Scene scene = new Scene(random);
            long start = random.nextInt(200);
            for (long frame = start; frame < start + 150; frame++) {
                frames.put(frame, random.nextInt(40) == 0 ? "not a pose " + frame : scene.next());
            }
            for (ResultBlocks.Row row : rows(3, frames)) {
                List<String> expected = frames.subMap(row.frame(), row.frame() + row.frames()).values().stream().toList();
                if (row.frames() == 1) {
                    assertEquals(expected.get(0), StoredResults.decode(row.data()), "seed " + seed);
                    continue;
                }
                for (int from : new int[] {0, 1, random.nextInt(row.frames()), row.frames() - 1}) {
                    assertEquals(expected.subList(from, expected.size()), payloads(row, from),
                            "seed " + seed + ", block at " + row.frame() + ", read from frame " + from);
                }
                int[] predicted = {0};
                ResultBlocks.forEach(row.data(), row.frames(), (index, bytes, from, to) -> {
                    predicted[0] += bytes[from] == StoredResults.POSE_PREDICTED ? 1 : 0;
                });
                predictedFrames += predicted[0];
            }
        }
        assertTrue(predictedFrames > 60 * 100, "most frames are predicted from the one before: " + predictedFrames);
    }

    /** Cut short or with a bit flipped anywhere, a block reads as other numbers or fails with a typed error, never otherwise. */
    @Test
    void aDamagedPoseBlockFailsTypedOrReadsOtherNumbers() {
        Random random = new Random(SEED);
        int typed = 0;
        for (int i = 0; i < 400; i++) {
            Scene scene = new Scene(random);
            NavigableMap<Long, String> frames = new TreeMap<>();
            for (long frame = 0; frame < 20; frame++) {
                frames.put(frame, scene.next());
            }
            ResultBlocks.Row row = rows(1, frames).get(0);
            byte[] damaged = row.data().clone();
            if (i % 2 == 0) {
                damaged = Arrays.copyOf(damaged, 1 + random.nextInt(damaged.length - 1));
            } else {
                int at = 1 + random.nextInt(damaged.length - 1);
                damaged[at] ^= (byte) (1 << random.nextInt(8));
            }
            try {
                ResultBlocks.payloads(damaged, row.frames(), random.nextInt(row.frames()), (index, payload) -> { });
            } catch (IllegalArgumentException e) {
                typed++;
            }
        }
        assertTrue(typed >= 200, "every block cut short fails: " + typed);
    }

    @Test
    void predictionMakesAMovingPersonsFramesSmaller() {
        Random random = new Random(SEED);
        Scene scene = new Scene(random);
        scene.wildNumbers = false;
        NavigableMap<Long, String> frames = new TreeMap<>();
        long plain = 0;
        for (long frame = 0; frame < 64; frame++) {
            frames.put(frame, scene.next());
            plain += StoredResults.encode(frames.get(frame)).length;
        }
        int block = rows(1, frames).get(0).data().length;
        System.out.printf("a moving person's 64 frames: %d bytes in a block, %d encoded alone%n", block, plain);
        assertTrue(block < plain * 0.9, "block " + block + " bytes vs " + plain + " bytes of frames encoded alone");
    }

    private static List<ResultBlocks.Row> rows(long trackId, NavigableMap<Long, String> payloads) {
        List<FrameResult> frames = new ArrayList<>();
        payloads.forEach((frame, payload) -> frames.add(new FrameResult(trackId, frame, payload)));
        return ResultBlocks.rows(trackId, frames);
    }

    private static List<String> payloads(ResultBlocks.Row row, int from) {
        List<String> payloads = new ArrayList<>();
        ResultBlocks.payloads(row.data(), row.frames(), from, (index, payload) -> {
            assertEquals(from + payloads.size(), index);
            payloads.add(payload);
        });
        return payloads;
    }

    private static String incompressible(Random random, int bytes) {
        byte[] raw = new byte[bytes];
        random.nextBytes(raw);
        return Base64.getEncoder().encodeToString(raw);
    }

    /** People in OpenPose's layout who move a little from frame to frame. Not thread-safe. */
    private static final class Scene {
        private static final List<String> WILD = List.of("1e-05", "-1.5e-05", "1.23457e+06", "999999", "1e+38", "3.40282e+38",
                "1.17549e-38", "0.0001", "0.000123457", "100000", "-0.000999", "0");
        private final Random random;
        private final List<float[][]> people = new ArrayList<>();
        boolean wildNumbers = true;

        Scene(Random random) {
            this.random = random;
            for (int p = 1 + random.nextInt(3); p > 0; p--) {
                people.add(person());
            }
        }

        private float[][] person() {
            boolean full = random.nextBoolean();
            int[] sizes = {25, full ? 70 : 0, full ? 21 : 0, full ? 21 : 0, random.nextInt(8) == 0 ? 25 : 0, 0, 0, 0};
            float cx = 50 + random.nextFloat() * 1800;
            float cy = 50 + random.nextFloat() * 900;
            float[][] arrays = new float[8][];
            for (int f = 0; f < 8; f++) {
                int group = f < 4 ? 3 : 4;
                arrays[f] = new float[sizes[f] * group];
                for (int k = 0; k < arrays[f].length; k++) {
                    int c = k % group;
                    arrays[f][k] = c == 0 ? cx + (float) random.nextGaussian() * 80 : c == 1 ? cy + (float) random.nextGaussian() * 120
                            : c == 2 ? random.nextFloat() : (float) random.nextGaussian();
                }
            }
            return arrays;
        }

        String next() {
            if (random.nextInt(30) == 0 && people.size() < 5) {
                people.add(random.nextInt(people.size() + 1), person());
            }
            if (random.nextInt(30) == 0 && !people.isEmpty()) {
                people.remove(random.nextInt(people.size()));
            }
            if (random.nextInt(10) == 0) {
                Collections.shuffle(people, random);
            }
            StringBuilder json = new StringBuilder("{\"version\":1.3,\"people\":[");
            for (int p = 0; p < people.size(); p++) {
                float[][] arrays = people.get(p);
                json.append(p == 0 ? "" : ",").append("{\"person_id\":[-1]");
                for (int f = 0; f < 8; f++) {
                    int group = f < 4 ? 3 : 4;
                    json.append(",\"").append(CompactPose.FIELDS.get(f)).append("\":[");
                    boolean lostArray = f > 0 && random.nextInt(20) == 0;
                    boolean lostKeypoint = false;
                    for (int k = 0; k < arrays[f].length; k++) {
                        int c = k % group;
                        arrays[f][k] += c < 2 ? (float) random.nextGaussian() * 1.5f : c == 2 ? (float) random.nextGaussian() * 0.02f : 0;
                        lostKeypoint = c == 0 ? random.nextInt(12) == 0 : lostKeypoint; // OpenPose writes 0,0,0
                        boolean lost = lostArray || lostKeypoint || (wildNumbers && random.nextInt(50) == 0);
                        json.append(k == 0 ? "" : ",").append(lost ? "0" : wildNumbers && random.nextInt(200) == 0
                                ? WILD.get(random.nextInt(WILD.size())) : StoredResultsTest.g6(arrays[f][k]));
                    }
                    json.append(']');
                }
                json.append('}');
            }
            return json.append("]}").toString();
        }
    }

    @Test
    void everyFramesStoredFormComesBackExactly() {
        for (int i = 0; i < 200; i++) {
            long seed = SEED + i;
            Random random = new Random(seed);
            int count = 2 + random.nextInt(ResultBlocks.MAX_FRAMES - 1);
            List<byte[]> entries = new ArrayList<>();
            for (int k = 0; k < count; k++) {
                byte[] entry = new byte[1 + random.nextInt(random.nextBoolean() ? 10 : 3_000)];
                random.nextBytes(entry);
                entries.add(entry);
            }
            byte[] block = ResultBlocks.encode(entries);
            List<byte[]> back = new ArrayList<>();
            ResultBlocks.forEach(block, count, (index, bytes, from, to) -> {
                assertEquals(back.size(), index);
                back.add(Arrays.copyOfRange(bytes, from, to));
            });
            assertEquals(count, back.size(), "seed " + seed);
            for (int k = 0; k < count; k++) {
                assertArrayEquals(entries.get(k), back.get(k), "seed " + seed + ", frame " + k);
            }
        }
    }

    @Test
    void aDamagedBlockIsATypedErrorWithItsReason() {
        byte[] block = ResultBlocks.encode(List.of(StoredResults.encode("one"), StoredResults.encode("two"), StoredResults.encode("three")));
        assertDamaged(Arrays.copyOf(block, block.length - 1), 3, "ends early");
        assertDamaged(Arrays.copyOf(block, block.length + 1), 3, "bytes after its last frame");
        assertDamaged(block, 4, "holds 3 frames where its row says 4");
        assertDamaged(StoredResults.encode("not a block"), 3, "tag 1, not 32");
        assertDamaged(new byte[0], 3, "tag none");
        byte[] tooMany = block.clone();
        tooMany[1] = (byte) (ResultBlocks.MAX_FRAMES + 1);
        assertDamaged(tooMany, ResultBlocks.MAX_FRAMES + 1, "exceeds " + ResultBlocks.MAX_FRAMES);
        assertThrows(IllegalArgumentException.class, () -> ResultBlocks.encode(List.of(new byte[1])));
    }

    private static void assertDamaged(byte[] block, int frames, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResultBlocks.forEach(block, frames, (index, bytes, from, to) -> { }));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}
