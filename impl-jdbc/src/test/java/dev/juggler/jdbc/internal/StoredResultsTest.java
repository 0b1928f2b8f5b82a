package dev.juggler.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The stored result encoding: exact round trips of canonical OpenPose documents in the compact form, of
 * everything else as text, and typed errors for damaged bytes. Randomized cases are seeded; a failure
 * names its seed.
 */
class StoredResultsTest {

    private static final long SEED = Long.getLong("juggler.test.seed", 20261205L);

    @Test
    void canonicalDocumentsRoundTripInTheCompactForm() {
        for (int i = 0; i < 2_000; i++) {
            long seed = SEED + i;
            String json = document(new Random(seed));
            byte[] stored = StoredResults.encode(json);
            assertEquals(StoredResults.POSE, stored[0], () -> "seed " + seed + ": not compact: " + json);
            assertEquals(json, StoredResults.decode(stored), "seed " + seed);
        }
    }

    @Test
    void compactFormIsAFractionOfTheText() {
        Random random = new Random(SEED);
        long text = 0;
        long compact = 0;
        for (int i = 0; i < 500; i++) {
            String json = document(random);
            text += json.length();
            compact += StoredResults.encode(json).length;
        }
        // %g numbers of about 8 characters plus a comma become 2-3 bytes: far below half in every run
        assertTrue(compact * 2 < text, "compact " + compact + " vs text " + text);
    }

    @Test
    void edgeNumbersStayExact() {
        for (String number : List.of("0", "1", "-1", "0.5", "1e-05", "-1.5e-05", "1.23457e+06", "999999", "1e+38", "3.40282e+38",
                "1.17549e-38", "0.0001", "0.000123457", "100000", "123457", "-0.000999")) {
            String json = "{\"version\":1.3,\"people\":[{\"person_id\":[-1],\"pose_keypoints_2d\":[" + number + ",2," + number
                    + "],\"face_keypoints_2d\":[],\"hand_left_keypoints_2d\":[],\"hand_right_keypoints_2d\":[],\"pose_keypoints_3d\":[],"
                    + "\"face_keypoints_3d\":[],\"hand_left_keypoints_3d\":[],\"hand_right_keypoints_3d\":[]}]}";
            byte[] stored = StoredResults.encode(json);
            assertEquals(StoredResults.POSE, stored[0], number);
            assertEquals(json, StoredResults.decode(stored), number);
        }
    }

    @Test
    void anythingElseIsStoredAsTextAndComesBackExactly() {
        String person = "{\"person_id\":[-1],\"pose_keypoints_2d\":[1,2,0.5],\"face_keypoints_2d\":[],\"hand_left_keypoints_2d\":[],"
                + "\"hand_right_keypoints_2d\":[],\"pose_keypoints_3d\":[],\"face_keypoints_3d\":[],\"hand_left_keypoints_3d\":[],"
                + "\"hand_right_keypoints_3d\":[]}";
        List<String> others = List.of("", "x", "{}", "{\"version\":1.3,\"people\":[]}\n", "{\"version\":1.2,\"people\":[]}",
                "{\"version\":1.3,\"people\":[" + person.replace("[1,2,0.5]", "[-0,2,0.5]") + "]}",
                "{\"version\":1.3,\"people\":[" + person.replace("[1,2,0.5]", "[1.50,2,0.5]") + "]}",
                "{\"version\":1.3,\"people\":[" + person.replace("[1,2,0.5]", "[1,2]") + "]}",
                "{\"version\":1.3,\"people\":[" + person.replace("[-1]", "[007]") + "]}",
                "{\"version\":1.3,\"people\":[" + person.replace("[-1]", "[-1,2]") + "]}",
                "{\"version\":1.3,\"people\":[" + person + "],\"part_candidates\":[{\"0\":[1,2,0.5]}]}",
                "{\"version\":1.3,\"people\":[" + person + ", " + person + "]}",
                "{\"version\": 1.3, \"people\": []}", "\"a\" $(rm -rf /) <script>alert(1)</script>\n\t\\ ü 東京 🎉",
                "{\"version\":1.3,\"people\":[" + person.replace("0.5", "1e999") + "]}",
                "{\"version\":1.3,\"people\":[" + person.replace("0.5", "12345678901234567890123") + "]}",
                "a host's own result: ".repeat(200));
        for (String text : others) {
            byte[] stored = StoredResults.encode(text);
            assertTrue(stored[0] == StoredResults.TEXT || stored[0] == StoredResults.TEXT_DEFLATE, text);
            assertEquals(text, StoredResults.decode(stored), text);
        }
        assertEquals(StoredResults.TEXT_DEFLATE, StoredResults.encode("a host's own result: ".repeat(200))[0]);
    }

    @Test
    void damagedTextOfCanonicalDocumentsStillRoundTrips() {
        String alphabet = "0123456789.,-e+[]{}\":ab ";
        for (int i = 0; i < 3_000; i++) {
            long seed = SEED * 31 + i;
            Random random = new Random(seed);
            StringBuilder json = new StringBuilder(document(random));
            for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
                int at = random.nextInt(json.length());
                switch (random.nextInt(3)) {
                    case 0 -> json.deleteCharAt(at);
                    case 1 -> json.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    default -> json.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            String text = json.toString();
            assertEquals(text, StoredResults.decode(StoredResults.encode(text)), "seed " + seed);
        }
    }

    @Test
    void damagedStoredBytesGiveATypedError() {
        Random random = new Random(SEED);
        int typed = 0;
        for (int i = 0; i < 3_000; i++) {
            byte[] stored = StoredResults.encode(document(random));
            byte[] damaged = i % 2 == 0 ? java.util.Arrays.copyOf(stored, random.nextInt(stored.length))
                    : flip(stored, random);
            if (damaged.length > 0) {
                damaged[0] = StoredResults.POSE;
            }
            try {
                StoredResults.decode(damaged); // a flipped mantissa bit still decodes: to other numbers
            } catch (IllegalArgumentException e) {
                typed++;
                assertTrue(e.getMessage().startsWith("stored result"), e.getMessage());
            }
        }
        assertTrue(typed > 1_000, "truncations must be caught: " + typed);
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> StoredResults.decode(new byte[] {99, 1}));
        assertTrue(unknown.getMessage().contains("tag 99"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StoredResults.decode(new byte[0]));
        byte[] bomb = StoredResults.encode("x".repeat(4096));
        assertThrows(IllegalArgumentException.class, () -> StoredResults.decode(java.util.Arrays.copyOf(bomb, bomb.length - 3)));
        assertEquals("ü", StoredResults.decode(("\u0001ü").getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] flip(byte[] stored, Random random) {
        byte[] copy = stored.clone();
        int at = 1 + random.nextInt(copy.length - 1);
        copy[at] ^= (byte) (1 << random.nextInt(8));
        return copy;
    }

    /** A random document in OpenPose 1.3's layout with %g numbers: 0-4 people, body, sometimes face and hands, 3D. */
    static String document(Random random) {
        StringBuilder json = new StringBuilder("{\"version\":1.3,\"people\":[");
        int people = random.nextInt(5);
        for (int p = 0; p < people; p++) {
            json.append(p == 0 ? "" : ",").append("{\"person_id\":[").append(random.nextInt(4) == 0 ? random.nextInt(1000) : -1).append(']');
            boolean full = random.nextBoolean();
            int[] sizes = {25, full ? 70 : 0, full ? 21 : 0, full ? 21 : 0, random.nextInt(8) == 0 ? 25 : 0, 0, 0, 0};
            float cx = 50 + random.nextFloat() * 1800;
            float cy = 50 + random.nextFloat() * 1000;
            for (int f = 0; f < 8; f++) {
                json.append(",\"").append(CompactPose.FIELDS.get(f)).append("\":[");
                int group = f < 4 ? 3 : 4;
                for (int k = 0; k < sizes[f]; k++) {
                    for (int c = 0; c < group; c++) {
                        if (k > 0 || c > 0) {
                            json.append(',');
                        }
                        boolean missing = random.nextInt(6) == 0;
                        float value = missing ? 0 : c == 0 ? cx + (float) random.nextGaussian() * 80
                                : c == 1 ? cy + (float) random.nextGaussian() * 120 : c == 2 ? random.nextFloat() : (float) random.nextGaussian();
                        json.append(g6(value));
                    }
                }
                json.append(']');
            }
            json.append('}');
        }
        return json.append("]}").toString();
    }

    /** {@code %g} with 6 significant digits and trailing zeros removed, as C writes a float. */
    static String g6(float value) {
        if (value == 0) {
            return "0";
        }
        String text = String.format(Locale.ROOT, "%.6g", (double) value);
        int exponent = text.indexOf('e');
        String mantissa = exponent < 0 ? text : text.substring(0, exponent);
        if (mantissa.contains(".")) {
            mantissa = mantissa.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return exponent < 0 ? mantissa : mantissa + text.substring(exponent);
    }
}
