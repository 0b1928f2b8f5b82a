package dev.juggler.samples.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.clean.CleanSettings;
import dev.juggler.inference.openpose.OpenPoseDocument;
import dev.juggler.inference.openpose.OpenPoseJson;
import dev.juggler.inference.openpose.OpenPosePerson;
import dev.juggler.inference.pose.Person;
import dev.juggler.inference.pose.PoseFrame;
import dev.juggler.jdbc.JdbcLedger;
import dev.juggler.ledger.ClaimRequest;
import dev.juggler.ledger.FrameResult;
import dev.juggler.ledger.Lease;
import dev.juggler.ledger.TrackDerivation;
import dev.juggler.ledger.TrackQuery;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.TrackView;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.JugglerCli;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code juggler clean} run as a person would, against an H2 file ledger with a hostile video id: one person
 * walking through 60 frames at 25 fps, frames 20 to 24 never analysed and frame 40 stored as garbage; and a second
 * video, registered without a frame rate, whose id becomes the same file name once made portable.
 */
class CleanCommandTest {

    static final String HOSTILE = "a \"b\" $(c)\n<script>";
    static final String NO_FPS = "a 'b' $(c)\n<script>";
    static final int FRAMES = 60;
    static final Set<Long> MISSING = Set.of(20L, 21L, 22L, 23L, 24L);
    static final long GARBAGE = 40;
    /** Frames the cleaned walk has: every stored frame but the unreadable one. */
    static final int CLEANED = FRAMES - MISSING.size() - 1;

    @TempDir
    Path temp;

    long walk;
    long still;

    record Run(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private Path ledgerDir() {
        return temp.resolve("ledger");
    }

    private WorkLedger openLedger() {
        return JdbcLedger.builder().url(JdbcLedger.h2FileUrl(ledgerDir().resolve("juggler"))).build();
    }

    /** The command with the ledger options after its name, run in this JVM. */
    private Run clean(String... args) {
        return cli("clean", args);
    }

    private Run cli(String command, String... args) {
        List<String> full = new ArrayList<>(List.of(command, "--ledger", ledgerDir().toString()));
        full.addAll(Arrays.asList(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = JugglerCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(full.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeEach
    void seed() {
        try (WorkLedger ledger = openLedger()) {
            ledger.registerVideo(new Video(HOSTILE, "/videos/" + HOSTILE + ".mp4", FRAMES, 25, 1_000_000, Map.of()));
            walk = ledger.addTrack(new TrackSpec(HOSTILE, "pose", FrameRange.of(0, FRAMES), 2));
            List<FrameResult> results = new ArrayList<>();
            for (long f = 0; f < FRAMES; f++) {
                if (!MISSING.contains(f)) {
                    results.add(new FrameResult(walk, f, f == GARBAGE ? "{\"people\": [ not json" : walking(f)));
                }
            }
            ledger.storeResults(results);
            ledger.markStaged(HOSTILE, "/workspace/walk.mp4");
            Lease lease = ledger.claim(ClaimRequest.of("worker-1", FRAMES, Duration.ofHours(1))).orElseThrow();
            assertEquals(walk, lease.trackId());
            ledger.complete(lease, FRAMES);

            ledger.registerVideo(new Video(NO_FPS, "/videos/still.mp4", 10, 0, 1_000, Map.of()));
            still = ledger.addTrack(new TrackSpec(NO_FPS, "pose", FrameRange.of(0, 10), 1));
            List<FrameResult> standing = new ArrayList<>();
            for (long f = 0; f < 10; f++) {
                standing.add(new FrameResult(still, f, walking(0)));
            }
            ledger.storeResults(standing);
        }
    }

    /**
     * One person facing the camera, walking right at 3 px per frame, body about 230 px high, with a little jitter; the
     * right wrist is missing in frame 10 and the nose jumps away in frame 30.
     */
    static String walking(long frame) {
        float[][] offsets = {{0, -30}, {0, 0}, {-25, 0}, {-30, 40}, {-32, 80}, {25, 0}, {30, 40}, {32, 80}, {0, 90}, {-15, 90},
            {-17, 140}, {-18, 190}, {15, 90}, {17, 140}, {18, 190}, {-6, -36}, {6, -36}, {-12, -32}, {12, -32}, {25, 200},
            {28, 198}, {15, 195}, {-25, 200}, {-28, 198}, {-15, 195}};
        float[] pose = new float[3 * offsets.length];
        for (int k = 0; k < offsets.length; k++) {
            pose[3 * k] = 100 + 3 * frame + offsets[k][0] + (float) Math.sin(frame * 1.7 + k);
            pose[3 * k + 1] = 120 + offsets[k][1] + (float) Math.cos(frame * 2.3 + k);
            pose[3 * k + 2] = 0.8f;
        }
        if (frame == 10) {
            pose[3 * 4 + 2] = 0; // the right wrist not found: a point to fill
        }
        if (frame == 30) {
            pose[0] += 400; // the nose far off for one frame: an outlier
        }
        return OpenPoseJson.toJson(PoseFrame.of(Person.of(pose)));
    }

    private static Map<Long, String> results(WorkLedger ledger, long track) {
        Map<Long, String> all = new TreeMap<>();
        ledger.readResults(track, FrameRange.of(0, FRAMES), r -> all.put(r.frame(), r.payload()));
        return all;
    }

    private List<TrackView> cleanedTracks(WorkLedger ledger) {
        return ledger.reader().tracks(TrackQuery.firstPage(100).ofAnalysis(CleanSettings.cleanedName("pose")));
    }

    private static long derivedId(Run run) {
        Matcher m = Pattern.compile("-> track (\\d+) pose\\+clean: ").matcher(run.out());
        assertTrue(m.find(), run.all());
        return Long.parseLong(m.group(1));
    }

    @Test
    void cleansATrackIntoADerivedTrackWithItsSettingsAndLeavesTheSourceAlone() {
        Map<Long, String> before;
        try (WorkLedger ledger = openLedger()) {
            before = results(ledger, walk);
        }
        Run run = clean("--track", Long.toString(walk), "--max-gap", "3", "--smoothing", "one-euro", "--beta", "0.7");
        assertEquals(0, run.code(), run.all());
        long derived = derivedId(run);
        assertTrue(run.out().startsWith("track " + walk + " \"a \\\"b\\\" $(c)\\n<script>\" pose -> track " + derived + " pose+clean: "
                + CLEANED + " frames, 1 identities, "), run.out());
        assertTrue(run.out().contains(", 2 breaks at missing frames, 1 unreadable results\n"), run.out());
        Matcher counts = Pattern.compile(" (\\d+) outliers or mixed-up points rejected, (\\d+) points filled, ").matcher(run.out());
        assertTrue(counts.find() && Long.parseLong(counts.group(1)) >= 1 && Long.parseLong(counts.group(2)) >= 2,
                "the nose's jump is rejected; it and the wrist are filled: " + run.out());
        assertTrue(run.out().contains("  export it as OpenPose JSON: juggler export --track " + derived + " --out DIR\n"), run.out());
        assertFalse(run.out().contains("\n<script>"), "the id's newline is shown escaped: " + run.out());

        try (WorkLedger ledger = openLedger()) {
            CleanSettings expected = CleanSettings.builder().maxGap(3).smoothing(CleanSettings.Smoothing.ONE_EURO).beta(0.7).build();
            assertEquals(new TrackDerivation(walk, expected.toParameters()), ledger.derivation(derived).orElseThrow());
            assertEquals(before, results(ledger, walk), "the source's results are unchanged");
            Map<Long, String> cleaned = results(ledger, derived);
            assertEquals(CLEANED, cleaned.size());
            assertFalse(cleaned.containsKey(GARBAGE) || cleaned.keySet().stream().anyMatch(MISSING::contains), cleaned.keySet().toString());
            Set<Integer> ids = cleaned.values().stream().flatMap(json -> OpenPoseJson.readDocument(json, "test").people().stream())
                    .map(OpenPosePerson::personId).collect(Collectors.toSet());
            assertEquals(1, ids.size(), ids.toString());
            assertTrue(ids.iterator().next() >= 0, "a tracked person id: " + ids);
            TrackView view = ledger.reader().track(derived).orElseThrow();
            assertEquals(CLEANED, view.framesDone());
            assertEquals(HOSTILE, view.videoId());
        }
    }

    @Test
    void aDryRunWritesNothingAndSaysWhatItWould() {
        Path dir = temp.resolve("csv");
        Run run = clean("--analysis", "pose", "--state", "DONE", "--dry-run", "--csv", dir.toString());
        assertEquals(0, run.code(), run.all());
        assertTrue(run.out().contains(" pose -> pose+clean (dry run, nothing written): would write " + CLEANED + " frames, 1 identities, "),
                run.out());
        assertTrue(run.out().contains("points filled, 2 breaks at missing frames, 1 unreadable results\n"), run.out());
        assertFalse(run.out().contains("juggler export --track"), run.out());
        assertTrue(run.out().endsWith("Dry run: would clean 1 track(s). Nothing was written to the ledger.\n"), run.out());
        assertTrue(Files.isRegularFile(dir.resolve("a_b_c_script.pose-clean." + walk + ".csv")), "--csv asked for the CSV: " + run.out());
        try (WorkLedger ledger = openLedger()) {
            assertEquals(List.of(), cleanedTracks(ledger));
            assertEquals(2, ledger.reader().countTracks(TrackQuery.firstPage(100)));
        }
    }

    @Test
    void csvHasAHeaderAndOneRowPerFrameAndPersonUnderPortableDistinctNames() throws Exception {
        Path dir = temp.resolve("csv out");
        Run run = clean("--analysis", "pose", "--csv", dir.toString(), "--fps", "30");
        assertEquals(0, run.code(), run.all());
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.sorted().toList();
        }
        assertEquals(List.of("a_b_c_script.pose-clean." + walk + ".csv", "a_b_c_script.pose-clean." + still + ".csv").stream().sorted()
                .toList(), files.stream().map(f -> f.getFileName().toString()).toList(), "no temporary file is left either");
        List<String> lines = Files.readAllLines(dir.resolve("a_b_c_script.pose-clean." + walk + ".csv"), StandardCharsets.UTF_8);
        assertTrue(lines.get(0).startsWith("frame,time_s,person_id,Nose_x,Nose_y,Nose_c,Neck_x,"), lines.get(0));
        assertTrue(lines.get(0).endsWith(",filled"), lines.get(0));
        assertEquals(1 + CLEANED, lines.size(), "a header and one row per frame and person");
        assertTrue(lines.get(2).startsWith("1,0.0400,"), "the video's own 25 fps, not --fps: " + lines.get(2));
        List<String> stillLines = Files.readAllLines(dir.resolve("a_b_c_script.pose-clean." + still + ".csv"), StandardCharsets.UTF_8);
        assertEquals(1 + 10, stillLines.size());
        assertTrue(stillLines.get(2).startsWith("1,0.0333,"), "--fps for the video without a frame rate: " + stillLines.get(2));
        assertTrue(run.out().contains("  CSV: \"" + dir.resolve("a_b_c_script.pose-clean." + walk + ".csv") + "\"\n"), run.out());
    }

    @Test
    void fileNamesAreSafeForAnyFileSystem() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("../../etc/passwd", "etc_passwd.pose-clean.7.csv");
        expected.put("/", "video.pose-clean.7.csv");
        expected.put("..", "video.pose-clean.7.csv");
        expected.put("<script>alert(1)</script>", "script_alert_1_script.pose-clean.7.csv");
        expected.put("NUL", "video-NUL.pose-clean.7.csv");
        expected.put("-rf x", "rf_x.pose-clean.7.csv");
        expected.put("café ü", "caf.pose-clean.7.csv");
        expected.put("x".repeat(500), "x".repeat(CleanCsvFile.MAX_VIDEO_PART) + ".pose-clean.7.csv");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            TrackView track = new TrackView(7, e.getKey(), "pose", FrameRange.of(0, 1), 0, 0, 0, 0, dev.juggler.ledger.ChunkState.DONE);
            assertEquals(e.getValue(), CleanCsvFile.fileName(track), e.getKey());
        }
        TrackView odd = new TrackView(7, "v", "po/se $(x)", FrameRange.of(0, 1), 0, 0, 0, 0, dev.juggler.ledger.ChunkState.DONE);
        assertEquals("v.po_se_x_-clean.7.csv", CleanCsvFile.fileName(odd));
    }

    @Test
    void theDerivedTrackExportsAsOpenPoseJson() throws Exception {
        Run run = clean("--track", Long.toString(walk));
        assertEquals(0, run.code(), run.all());
        long derived = derivedId(run);
        Path out = temp.resolve("json");
        Run export = cli("export", "--track", Long.toString(derived), "--out", out.toString());
        assertEquals(0, export.code(), export.all());
        List<Path> files;
        try (Stream<Path> list = Files.walk(out)) {
            files = list.filter(f -> f.getFileName().toString().endsWith("_keypoints.json")).sorted().toList();
        }
        assertEquals(CLEANED, files.size(), export.all());
        assertTrue(files.get(0).getParent().getFileName().toString().endsWith(".pose+clean"), files.get(0).toString());
        OpenPoseDocument first = OpenPoseJson.readDocument(files.get(0));
        assertEquals(1, first.people().size());
        assertTrue(first.people().get(0).personId() >= 0);
    }

    @Test
    void badOptionValuesAreUsageErrorsNamingTheOptionBeforeTheLedgerIsOpened() {
        Map<List<String>, String> cases = new LinkedHashMap<>();
        cases.put(List.of("--track", "1", "--max-gap", "-1"), "--max-gap = -1: must be in 0..1000");
        cases.put(List.of("--track", "1", "--keep-alive", "999999999"), "--keep-alive = ");
        cases.put(List.of("--track", "1", "--max-speed", "0"), "--max-speed = 0.0");
        cases.put(List.of("--track", "1", "--max-bone-change", "NaN"), "--max-bone-change = NaN");
        cases.put(List.of("--track", "1", "--min-confidence", "2"), "--min-confidence = 2.0");
        cases.put(List.of("--track", "1", "--smoothing", "wobbly"), "--smoothing = wobbly: must be butterworth, one-euro or none");
        cases.put(List.of("--track", "1", "--order", "9"), "--order = 9");
        cases.put(List.of("--track", "1", "--cutoff", "0"), "--cutoff = 0.0");
        cases.put(List.of("--track", "1", "--smoothing", "one-euro", "--min-cutoff", "-1"), "--min-cutoff = -1.0");
        cases.put(List.of("--track", "1", "--smoothing", "one-euro", "--beta", "-2"), "--beta = -2.0");
        cases.put(List.of("--track", "1", "--smoothing", "one-euro", "--cutoff", "3"), "--cutoff does not apply to --smoothing one-euro");
        cases.put(List.of("--track", "1", "--smoothing", "none", "--no-confidence-weights"),
                "--no-confidence-weights does not apply to --smoothing none");
        cases.put(List.of("--track", "1", "--fps", "0"), "--fps = 0.0");
        cases.put(List.of("--track", "1", "--max-gap", "many"), "--max-gap");
        cases.put(List.of(), "--track ID, or filters such as --analysis pose --state DONE");
        cases.put(List.of("--track", "1", "--analysis", "pose"), "give --track IDs or filters (--analysis), not both");
        cases.put(List.of("--analysis", "pose", "--state", "SOMETIMES"), "--state");
        for (Map.Entry<List<String>, String> c : cases.entrySet()) {
            List<String> args = new ArrayList<>(List.of("clean", "--ledger", "jdbc:postgresql://127.0.0.1:1/juggler", "--ledger-user", "x"));
            args.addAll(c.getKey());
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cli = JugglerCli.commandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            int code = cli.execute(args.toArray(String[]::new));
            assertEquals(2, code, c.getKey() + ": a usage error, not the unreachable ledger (3):\n" + out + err);
            assertTrue(err.toString().contains(c.getValue()), c.getKey() + ":\n" + err);
            assertFalse(err.toString().contains("\tat "), "no stack trace:\n" + err);
        }
    }

    @Test
    void unknownAndCleanedTracksAreRefusedAndTheOthersGoOn() {
        long derived = derivedId(clean("--track", Long.toString(walk)));
        Run run = clean("--track", "999", "--track", Long.toString(derived), "--track", Long.toString(walk));
        assertEquals(1, run.code(), run.all());
        assertTrue(run.out().contains("track 999: no such track\n"), run.out());
        assertTrue(run.out().contains("track " + derived + " \"a \\\"b\\\" $(c)\\n<script>\" pose+clean: not cleaned, it is derived from track "
                + walk + "; clean its source instead\n"), run.out());
        assertEquals(derived, derivedId(run), "cleaning again replaces the same derived track");
        assertTrue(run.out().endsWith("Cleaned 1 track(s), 2 failed.\n"), run.out());

        Run byFilter = clean("--analysis", "pose+clean");
        assertEquals(0, byFilter.code(), byFilter.all());
        assertTrue(byFilter.out().contains("pose+clean: skipped, it is derived from track " + walk + "\n"), byFilter.out());
        assertTrue(byFilter.out().endsWith("Cleaned 0 track(s), 1 skipped (cleaned tracks).\n"), byFilter.out());
        try (WorkLedger ledger = openLedger()) {
            assertEquals(1, cleanedTracks(ledger).size(), "nothing derived from a derived track");
        }
    }

    @Test
    void aVideoWithoutAFrameRateNeedsFpsAndTheOtherTracksGoOn() {
        Run run = clean("--analysis", "pose");
        assertEquals(1, run.code(), run.all());
        assertTrue(run.out().contains("track " + still + " \"a 'b' $(c)\\n<script>\" pose: the frame rate of video \"a 'b' $(c)\\n<script>\""
                + " is unknown; give --fps\n"), run.out());
        assertTrue(run.out().contains("track " + walk + " \"a \\\"b\\\" $(c)\\n<script>\" pose -> track "), run.out());
        assertTrue(run.out().endsWith("Cleaned 1 track(s), 1 failed.\n"), run.out());

        Run withFps = clean("--analysis", "pose", "--fps", "30");
        assertEquals(0, withFps.code(), withFps.all());
        try (WorkLedger ledger = openLedger()) {
            assertEquals(2, cleanedTracks(ledger).size());
        }
    }

    @Test
    void aCutoffAboveHalfTheFrameRateFailsThatTrackAndLeavesNoDerivedTrack() {
        Run run = clean("--track", Long.toString(walk), "--cutoff", "20");
        assertEquals(1, run.code(), run.all());
        assertTrue(run.out().contains(" pose: --cutoff = 20.0: must be above ") && run.out().contains("(12.5 Hz) (the video has 25.0 fps)"),
                run.out());
        try (WorkLedger ledger = openLedger()) {
            assertEquals(List.of(), cleanedTracks(ledger));
        }
    }

    @Test
    void theToolCleansAsARealProcess() throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), JugglerCli.class.getName(), "clean", "--ledger", ledgerDir().toString(),
                "--analysis", "pose", "--state", "DONE", "--smoothing", "none"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains(" pose -> track ") && out.contains("Cleaned 1 track(s).\n"), out);
        try (WorkLedger ledger = openLedger()) {
            List<TrackView> cleaned = cleanedTracks(ledger);
            assertEquals(1, cleaned.size());
            assertTrue(ledger.derivation(cleaned.get(0).trackId()).orElseThrow().parameters().contains("smoothing=none"));
        }
    }
}
