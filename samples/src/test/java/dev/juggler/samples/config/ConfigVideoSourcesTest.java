package dev.juggler.samples.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigVideoSourcesTest {

    @TempDir
    Path dir;

    private JugglerConfig parse(String videos) {
        return JugglerConfig.parse("ledger: {url: 'jdbc:h2:file:l'}\nworker: {analysis: marker-pose}\nvideos:\n" + videos,
                dir, "t.yaml", Map.of());
    }

    private void touch(String... names) throws Exception {
        for (String n : names) {
            Path p = dir.resolve(n);
            Files.createDirectories(p.getParent());
            Files.writeString(p, "x");
        }
    }

    @Test
    void naturalOrder() {
        List<String> names = new ArrayList<>(List.of("cam10.mp4", "cam2.mp4", "cam1.mp4", "Cam3.mp4", "cam02.mp4", "a/b1", "a/b01"));
        names.sort(dev.juggler.inference.video.ImageFolders.NATURAL_ORDER);
        assertEquals(List.of("a/b01", "a/b1", "cam1.mp4", "cam02.mp4", "cam2.mp4", "Cam3.mp4", "cam10.mp4"), names);
    }

    @Test
    void tagsFromNamedGroupsAndIdsRelativeToTheRoot() throws Exception {
        touch("v/2011/FRA16_B1_20110215T1400.mp4", "v/2011/FRA16_B10_x.mp4", "v/GER3_C2_20120101T0900.MP4",
                "v/.hidden.mp4", "v/notes.txt");
        JugglerConfig c = parse("""
                  - folder: v
                    recursive: true
                    tags: '(?<region>[A-Z]+)(?<film>\\d+)_(?<perspective>[A-Z]\\d)_(?<recording>\\d{8}T\\d{4})'
                    priority: 5
                """);
        VideoCandidate.ScanResult scan = c.videoSources().scan();
        assertEquals(List.of("2011/FRA16_B1_20110215T1400.mp4", "2011/FRA16_B10_x.mp4", "GER3_C2_20120101T0900.MP4"),
                scan.candidates().stream().map(VideoCandidate::id).toList());
        assertEquals(Map.of("region", "FRA", "film", "16", "perspective", "B1", "recording", "20110215T1400"),
                scan.candidates().get(0).tags());
        assertEquals(Map.of(), scan.candidates().get(1).tags());
        assertEquals(5, scan.candidates().get(0).priority());
        assertEquals(List.of("marker-pose"), scan.candidates().get(0).analyses());
    }

    @Test
    void idTemplatesUseTags() throws Exception {
        touch("v/FRA16_B1_20110215T1400.mp4", "v/other.mp4");
        JugglerConfig c = parse("""
                  - folder: v
                    tags: '(?<region>[A-Z]+)(?<film>\\d+)_(?<perspective>[A-Z]\\d)'
                    id: '{region}{film}-{perspective}'
                """);
        VideoCandidate.ScanResult scan = c.videoSources().scan();
        assertEquals(List.of("FRA16-B1"), scan.candidates().stream().map(VideoCandidate::id).toList());
        assertEquals(1, scan.refused().size());
        assertTrue(scan.refused().get(0).reason().contains("gives no id"), scan.refused().toString());
    }

    @Test
    void globSources() throws Exception {
        touch("g/a/x1.mp4", "g/b/x2.mp4", "g/b/deep/x3.mp4", "g/y.avi");
        JugglerConfig c = parse("  - glob: 'g/*/*.mp4'\n");
        assertEquals(List.of("a/x1.mp4", "b/x2.mp4"),
                c.videoSources().scan().candidates().stream().map(VideoCandidate::id).toList());
        assertEquals(dir.resolve("g"), c.videos().get(0).root());
    }

    @Test
    void manifestWithQuotedFields() throws Exception {
        touch("m/one, \"quoted\".mp4", "m/two.mp4", "m/multi\nline.mp4");
        Files.writeString(dir.resolve("m/list.csv"), """
                path,id,priority,Region,note
                "one, ""quoted"".mp4",first,7,FRA,"a, b"
                two.mp4,,,GER,
                missing.mp4,,,,
                "multi
                line.mp4",,x,,
                """);
        JugglerConfig c = parse("  - manifest: m/list.csv\n    analyses: [blazepose-body25, marker-pose]\n");
        VideoCandidate.ScanResult scan = c.videoSources().scan();
        assertEquals(List.of("first", "two.mp4"), scan.candidates().stream().map(VideoCandidate::id).toList());
        VideoCandidate first = scan.candidates().get(0);
        assertEquals(Map.of("Region", "FRA", "note", "a, b"), first.tags());
        assertEquals(7, first.priority());
        assertEquals(dir.resolve("m/one, \"quoted\".mp4"), first.file());
        assertEquals(List.of("blazepose-body25", "marker-pose"), first.analyses());
        assertEquals(0, scan.candidates().get(1).priority());
        assertEquals(2, scan.refused().size(), scan.refused().toString());
        assertTrue(scan.refused().get(1).display().startsWith("\"list.csv line 5\": priority x"), scan.refused().toString());
    }

    @Test
    void imageFolderSources() throws Exception {
        touch("data/seq10/img1.jpg", "data/seq10/img2.JPG", "data/seq2/f 1.png", "data/seq2/deeper/x.bmp",
                "data/.cache/a.jpg", "data/no images/readme.txt", "data/top.webp");
        JugglerConfig flat = parse("  - images: data/seq2\n    fps: 30000/1001\n");
        VideoCandidate.ScanResult one = flat.videoSources().scan();
        assertEquals(List.of("seq2"), one.candidates().stream().map(VideoCandidate::id).toList());
        assertEquals(dir.resolve("data/seq2"), one.candidates().get(0).file());
        assertEquals(Map.of("fps", "30000/1001"), one.candidates().get(0).tags());

        // Recursive: every folder that directly holds images, in natural order; hidden folders skipped.
        JugglerConfig deep = parse("  - images: data\n    recursive: true\n    tags: 'seq(?<seq>\\d+)'\n");
        VideoCandidate.ScanResult all = deep.videoSources().scan();
        assertEquals(List.of("data", "data/seq2", "data/seq2/deeper", "data/seq10"),
                all.candidates().stream().map(VideoCandidate::id).toList());
        assertEquals(Map.of("seq", "2"), all.candidates().get(1).tags());
        assertEquals(List.of(), all.refused());
        assertTrue(EffectiveYaml.write(deep).contains("images: "), EffectiveYaml.write(deep));

        VideoCandidate.ScanResult none = parse("  - images: 'data/no images'\n").videoSources().scan();
        assertEquals(List.of(), none.candidates());
        assertTrue(none.refused().get(0).reason().startsWith("holds no image files (jpg, jpeg"), none.refused().toString());
    }

    @Test
    void manifestPathsMayNameImageFolders() throws Exception {
        touch("m/frames a/1.png", "m/clip.mp4");
        Files.writeString(dir.resolve("m/list.csv"), "path,id,fps\nframes a,A,50\nclip.mp4,B,\nnowhere,C,\n");
        VideoCandidate.ScanResult scan = parse("  - manifest: m/list.csv\n").videoSources().scan();
        assertEquals(List.of("A", "B"), scan.candidates().stream().map(VideoCandidate::id).toList());
        assertEquals(Map.of("fps", "50"), scan.candidates().get(0).tags());
        assertTrue(scan.refused().get(0).reason().startsWith("is neither a file nor an image folder"), scan.refused().toString());
    }

    @Test
    void imageSourceErrorsAreReported() throws Exception {
        touch("i/1.jpg");
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> parse("""
                  - images: i
                    fps: fast
                    include: '*.png'
                  - folder: i
                    fps: 25
                """));
        List<String> p = e.problems().stream().map(ConfigProblem::format).toList();
        assertEquals(3, p.size(), p.toString());
        assertTrue(p.get(0).contains("videos[0].fps: `fast` is not a frame rate"), p.get(0));
        assertTrue(p.get(1).contains("videos[0].include: is not used here: include applies to folder: and glob:"), p.get(1));
        assertTrue(p.get(2).contains("videos[1].fps: is not used here: fps applies only to images:"), p.get(2));
    }

    @Test
    void csvParser() {
        List<Csv.Row> rows = Csv.parse("\uFEFFa,b\r\n\"x,\"\"y\"\"\",\"l1\nl2\"\n\n,\n");
        assertEquals(List.of("a", "b"), rows.get(0).fields());
        assertEquals(List.of("x,\"y\"", "l1\nl2"), rows.get(1).fields());
        assertEquals(List.of("", ""), rows.get(2).fields());
        assertEquals(5, rows.get(2).line());
    }

    @Test
    void sourceErrorsAreReported() {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> parse("""
                  - folder: nowhere
                    tags: '(?<a>x'
                    analyses: [openpose]
                  - glob: '*.mp4'
                    manifest: x.csv
                    id: '{nope}'
                """));
        List<String> p = e.problems().stream().map(ConfigProblem::format).toList();
        assertEquals(5, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("t.yaml:4:13: videos[0].folder: " + dir.resolve("nowhere") + " is not a folder"), p.get(0));
        assertTrue(p.get(1).startsWith("t.yaml:5:11: videos[0].tags: is not a regular expression"), p.get(1));
        assertTrue(p.get(2).startsWith("t.yaml:6:15: videos[0].analyses: `openpose` is not an analysis"), p.get(2));
        assertTrue(p.get(3).startsWith("t.yaml:7:5: videos[1]: has glob and manifest"), p.get(3));
    }

    @Test
    void hostileNamesAreShownEscaped() {
        assertEquals("\"a b\\n\\\"c\\\" $(id) <script>\\x1b\\u202e\"", Escape.quoted("a b\n\"c\" $(id) <script>\u001b\u202e"));
        assertEquals("plain/name-1.mp4", Escape.quoted("plain/name-1.mp4"));
    }
}
