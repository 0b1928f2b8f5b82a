package dev.juggler.samples.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The normalisation behind failure groups, with fixed examples and seeded random variations. */
class FailureGroupsTest {

    private static final List<String> DIRS = List.of("/data", "/other", "/var/tmp/juggler-slurm", "/mnt/a b", "./rel",
            "../up", "~/videos", "/data/Île de France", "/x/$(id)", "/srv/100% done");
    private static final List<String> FILES = List.of("x.mp4", "y.avi", "session 1.mkv", "cam-2.MOV", "a.b.c.webm",
            "été_7.mp4", "frame.json");

    @Test
    void theIssuesExampleFallsInOneGroup() {
        String a = FailureGroups.normalize("cannot decode frame 1234 of /data/a b/x.mp4");
        String b = FailureGroups.normalize("cannot decode frame 77 of /other/y.avi");
        assertEquals("cannot decode frame <n> of <path>", a);
        assertEquals(a, b);
    }

    @Test
    void varyingPartsAreTakenOutAndWordsKept() {
        assertEquals("job <n> on node<n> timed out after <duration>", FailureGroups.normalize("job 4711 on node042 timed out after 3h"));
        assertEquals("lease <hex> lost", FailureGroups.normalize("lease 9f8e7d6c5b4a lost"));
        assertEquals("video truncated at frame <n>: <path> (the stream ended before frame <n>)", FailureGroups.normalize(
                "video truncated at frame 100: /ws/broken cut.mp4.v.mp4 (the stream ended before frame 100)"),
                "a staged copy's suffix belongs to its name");
        assertEquals("cannot resume <path>", FailureGroups.normalize("cannot resume /ws/a.mp4.part"));
        assertEquals("lease <id> lost", FailureGroups.normalize("lease 123e4567-e89b-12d3-a456-426614174000 lost"));
        assertEquals("fetch <url> failed: <n>", FailureGroups.normalize("fetch https://cdn.example.org/a?b=1 failed: 404"));
        assertEquals("unknown codec <str>", FailureGroups.normalize("unknown codec 'h264'"));
        assertEquals("unknown codec <str>", FailureGroups.normalize("unknown codec \"hevc main 10\""));
        assertEquals("segfault at <hex>", FailureGroups.normalize("segfault at 0x7ffd1234"));
        assertEquals("cannot open <file>: no such file", FailureGroups.normalize("cannot open clip_17.mp4: no such file"));
        assertEquals("open <path>: permission denied", FailureGroups.normalize("open /data/x y/z.avi: permission denied"));
        assertEquals("connect <addr> refused at <time>", FailureGroups.normalize("connect 10.0.0.7:5432 refused at 2026-01-31T12:00:00Z"));
        assertEquals("java.io.IOException: broken pipe", FailureGroups.normalize("java.io.IOException: broken pipe"));
        assertEquals("<n>/<n> and/or <n> / <n>", FailureGroups.normalize("3/4 and/or 5 / 6"));
        assertEquals("failed (see <path>) twice", FailureGroups.normalize("failed (see /a/b c/d.mp4) twice"));
        assertEquals("", FailureGroups.normalize(""));
        assertEquals("set aside: by an operator", FailureGroups.normalize("set aside: by an operator"));
    }

    @Test
    void randomVariationsOfOneMessageFallInOneGroup() {
        long seed = System.nanoTime();
        System.out.println("FailureGroupsTest seed = " + seed);
        Random random = new Random(seed);
        List<String> templates = List.of("cannot decode frame %N of %P", "worker %H lost its lease %X after %D",
                "OpenPose exited with %N reading %P (%Q)", "GET %U answered %N in %D", "chunk %X of %P failed at %T",
                "out of memory: %N MB requested on %H for %F");
        for (int round = 0; round < 300; round++) {
            String template = templates.get(random.nextInt(templates.size()));
            String one = fill(template, random);
            String two = fill(template, random);
            String p1 = FailureGroups.normalize(one);
            assertEquals(p1, FailureGroups.normalize(two), "seed " + seed + ": " + one + " | " + two);
            assertEquals(p1, FailureGroups.normalize(p1), "seed " + seed + ": normalising is idempotent: " + one);
            for (String word : template.split(" ")) {
                if (!word.contains("%")) {
                    assertTrue(p1.contains(word), "seed " + seed + ": the word " + word + " is kept in " + p1);
                }
            }
        }
        // Different messages stay apart.
        Set<String> patterns = new java.util.HashSet<>();
        for (String template : templates) {
            patterns.add(FailureGroups.normalize(fill(template, random)));
        }
        assertEquals(templates.size(), patterns.size(), "seed " + seed + ": " + patterns);
    }

    private static String fill(String template, Random r) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c != '%') {
                s.append(c);
                continue;
            }
            char kind = template.charAt(++i);
            s.append(switch (kind) {
                case 'N' -> Long.toString(r.nextInt(3) == 0 ? r.nextLong() & 0xffffffffL : r.nextInt(100_000));
                case 'P' -> DIRS.get(r.nextInt(DIRS.size())) + "/" + (r.nextBoolean() ? "sub" + r.nextInt(99) + "/" : "")
                        + FILES.get(r.nextInt(FILES.size()));
                case 'F' -> FILES.get(r.nextInt(FILES.size())).replace(" ", "_");
                case 'H' -> "node" + String.format("%03d", r.nextInt(200));
                case 'X' -> Long.toHexString(r.nextLong() | 0x1000_0000_0000_0000L).replaceFirst("^[0-9]", "a") + r.nextInt(10);
                case 'D' -> List.of(r.nextInt(500) + "ms", r.nextInt(60) + "s", r.nextInt(12) + "h", r.nextInt(90) + " minutes",
                        "PT" + r.nextInt(9) + "M").get(r.nextInt(5));
                case 'U' -> "https://host" + r.nextInt(9) + ".example.org/v1/models/" + r.nextInt(999) + "?q=" + r.nextInt();
                case 'Q' -> "'" + List.of("a b", "$(id)", "<script>", "ünï").get(r.nextInt(4)) + r.nextInt(9) + "'";
                case 'T' -> Instant.ofEpochSecond(r.nextInt(2_000_000_000)).toString();
                default -> throw new IllegalArgumentException("placeholder %" + kind);
            });
        }
        return s.toString();
    }

    @Test
    void idsAreStableAndGroupsAreFoundByIdOrNumber() {
        String id = FailureGroups.idOf("cannot decode frame <n> of <path>");
        assertEquals(8, id.length());
        assertEquals(id, FailureGroups.idOf("cannot decode frame <n> of <path>"));
        assertNotEquals(id, FailureGroups.idOf("cannot decode frame <n>"));
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        FailureGroup a = new FailureGroup(id, "cannot decode frame <n> of <path>", 2, 160, 2, t, t, List.of(1L), Set.of("x"));
        FailureGroup b = new FailureGroup("0badc0de", "other", 1, 10, 1, t, t, List.of(2L), Set.of("y"));
        List<FailureGroup> groups = List.of(a, b);
        assertEquals(a, FailureGroups.find(groups, "1").orElseThrow());
        assertEquals(b, FailureGroups.find(groups, " 2 ").orElseThrow());
        assertEquals(b, FailureGroups.find(groups, "0BADC0DE").orElseThrow());
        assertEquals(a, FailureGroups.find(groups, id).orElseThrow());
        assertFalse(FailureGroups.find(groups, "3").isPresent());
        assertFalse(FailureGroups.find(groups, "' OR 1=1 --").isPresent());
        assertEquals(Set.of("x"), FailureGroups.filterOf(a).reasons().orElseThrow());
    }
}
