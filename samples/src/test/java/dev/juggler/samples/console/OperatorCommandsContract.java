package dev.juggler.samples.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import dev.juggler.ledger.ChunkEvent;
import dev.juggler.ledger.ChunkQuery;
import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.ClaimRequest;
import dev.juggler.ledger.FrameResult;
import dev.juggler.ledger.JobRecords;
import dev.juggler.ledger.Lease;
import dev.juggler.ledger.Progress;
import dev.juggler.ledger.RunReport;
import dev.juggler.ledger.StageState;
import dev.juggler.ledger.SubmissionIntent;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.JugglerCli;
import dev.juggler.video.Video;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every operator command run as a person would, in this JVM, against a seeded ledger with hostile and unicode
 * ids and tags: DONE, FAILED (two causes, three reasons), RUNNING and PENDING tracks, job records and run reports.
 * Subclasses give the ledger (H2 file, PostgreSQL).
 */
abstract class OperatorCommandsContract {

    static final String HOSTILE = "<img src=x onerror=alert(1)>";
    static final String SQL = "quote ' OR 1=1 --";
    static final String EVIL = "evil\n\u001b[31mred";
    static final String DECODE_A = "cannot decode frame 40 of /data/a b/x.mp4";
    static final String DECODE_B = "cannot decode frame 7 of /other/y.avi";
    static final String GPU = "GPU memory at 100% on node_042 after 3h";

    @TempDir
    Path temp;

    /** Track ids by video id. */
    final Map<String, Long> tracks = new LinkedHashMap<>();
    Instant seededAt;

    /** A ledger for seeding and checking, creating its tables (the commands never do). */
    abstract WorkLedger openLedger();

    /** The ledger options of the commands. */
    abstract List<String> ledgerArgs();

    record Run(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    Run cli(String... args) {
        List<String> full = new ArrayList<>(Arrays.asList(args));
        full.addAll(1, ledgerArgs());
        return raw(full.toArray(String[]::new));
    }

    static Run raw(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = JugglerCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeEach
    void seed() {
        seededAt = Instant.now();
        try (WorkLedger ledger = openLedger()) {
            video(ledger, "walk one", "/videos/walk one.mp4", 5, true, Map.of("camera", "left", "session", "s1", "note",
                    "=cmd|' /C calc'!A0"));
            video(ledger, HOSTILE, "/videos/" + HOSTILE + ".mp4", 4, true, Map.of("camera", "right", "région", "Île-de-France ✓"));
            video(ledger, SQL, "/videos/q.avi", 3, true, Map.of("camera", "100%_x"));
            video(ledger, EVIL, "/videos/evil.mp4", 2, true, Map.of("camera", "left"));
            video(ledger, "plain", "/videos/plain.mp4", 1, true, Map.of("camera", "left"));
            video(ledger, "pending video", "/videos/pending.mp4", 0, false, Map.of());
            // Claims go by priority: walk one, HOSTILE, SQL, EVIL, plain.
            Lease walk = claim(ledger, 100, "walk one");
            ledger.storeResults(results(tracks.get("walk one"), 0, 100));
            ledger.complete(walk, 100);
            Lease hostile = claim(ledger, 100, HOSTILE);
            ledger.storeResults(results(tracks.get(HOSTILE), 0, 40));
            ledger.fail(hostile, 40, DECODE_A, true);
            ledger.fail(claim(ledger, 100, SQL), 0, DECODE_B, true);
            ledger.fail(claim(ledger, 100, EVIL), 0, GPU, true);
            claim(ledger, 30, "plain");

            JobRecords jobs = ledger.jobRecords();
            long first = jobs.recordSubmission(new SubmissionIntent("run-a", "spec-1", 1, seededAt.minusSeconds(600)));
            jobs.recordSubmitted(first, List.of("job-6"), seededAt.minusSeconds(600));
            jobs.settle(status("job-6", JobState.FAILED, "FAILED", Optional.of("NonZeroExitCode"), OptionalInt.of(3)),
                    seededAt.minusSeconds(300));
            long second = jobs.recordSubmission(new SubmissionIntent("run-a", "spec-1", 2, seededAt.minusSeconds(60)));
            jobs.recordSubmitted(second, List.of("job-7", "job-8"), seededAt.minusSeconds(60));
            jobs.recordState(status("job-7", JobState.RUNNING, "RUNNING", Optional.empty(), OptionalInt.empty()), seededAt);
            jobs.recordState(status("job-8", JobState.PENDING, "PENDING", Optional.of("Priority"), OptionalInt.empty()), seededAt);
            jobs.recordRunReport(new RunReport("run-a", seededAt, 4, 2, 1_200_000_000L, 5_000_000_000L, 1,
                    Optional.of(seededAt.minusSeconds(600)), seededAt.plusSeconds(60),
                    List.of("stage: <script>alert(1)</script>\nforged line"), List.of("staging 1 video")));
            Instant old = seededAt.minus(Duration.ofHours(2));
            jobs.recordRunReport(new RunReport("run-old", old, 9, 9, 0, 0, 0, Optional.empty(), old.plusSeconds(60), List.of(),
                    List.of()));
        }
    }

    private void video(WorkLedger ledger, String id, String location, int priority, boolean staged, Map<String, String> tags) {
        Video v = new Video(id, location, 100, 25, 1_000_000, tags);
        ledger.registerVideo(v);
        tracks.put(id, ledger.addTrack(new TrackSpec(id, "pose", v.allFrames(), priority)));
        if (staged) {
            ledger.markStaged(id, location);
        }
    }

    private Lease claim(WorkLedger ledger, long frames, String expectedVideo) {
        Lease lease = ledger.claim(ClaimRequest.of("worker-1", frames, Duration.ofHours(1)).withJobId("job-7")).orElseThrow();
        assertEquals(expectedVideo, lease.videoId());
        return lease;
    }

    private static List<FrameResult> results(long track, int from, int to) {
        List<FrameResult> r = new ArrayList<>();
        for (int f = from; f < to; f++) {
            r.add(new FrameResult(track, f, "{\"version\":1.3,\"people\":[]}"));
        }
        return r;
    }

    private static JobStatus status(String id, JobState state, String nativeState, Optional<String> reason, OptionalInt exit) {
        return new JobStatus(id, "juggler-worker", state, nativeState, reason, exit);
    }

    static List<String> dataLines(Run run) {
        List<String> lines = run.out().lines().toList();
        return lines.subList(1, lines.size() - 1); // without the header and the footer
    }

    static void assertNoRawControl(Run run) {
        assertFalse(run.all().contains("\u001b"), "no raw escape character reaches the terminal:\n" + run.all());
    }

    @Test
    void statusShowsThePanelAsTextAndJson() throws IOException {
        Run text = cli("status");
        assertEquals(0, text.code(), text.all());
        String out = text.out();
        assertTrue(out.contains("Jobs queued:      4\n"), out);
        assertTrue(out.contains("Jobs running:     2\n"), out);
        assertTrue(out.contains("Tracks completed: 1 of 6\n"), out);
        assertTrue(out.contains("Tracks failed:    3\n"), out);
        assertTrue(out.contains("Tracks running:   1\n"), out);
        assertTrue(out.contains("Tracks pending:   1\n"), out);
        assertTrue(out.contains("Frames done:      140 of 600 (23.3 %); 30 running, 260 failed, 170 pending"), out);
        assertTrue(out.contains("Workspace:      1.2 GB of 5.0 GB (24 %)"), out);
        assertTrue(out.contains("CLUSTER UNREACHABLE since " + TimeText.format(seededAt.minusSeconds(600))), out);
        assertTrue(out.contains("  Problem:        stage: <script>alert(1)</script>"), out);
        assertFalse(out.contains("\nforged line"), "a newline in a problem cannot forge a line: " + out);
        assertTrue(out.contains("Juggler run-old: NOT REPORTING since " + TimeText.format(seededAt.minus(Duration.ofHours(2)))), out);
        assertNoRawControl(text);

        Run json = cli("status", "--format", "json");
        assertEquals(0, json.code(), json.all());
        JsonNode s = new ObjectMapper().readTree(json.out());
        try (WorkLedger ledger = openLedger()) {
            Progress p = ledger.reader().progress();
            assertEquals(p.tracksDone(), s.get("tracks").get("done").asLong());
            assertEquals(p.tracksFailed(), s.get("tracks").get("failed").asLong());
            assertEquals(p.frames().doneFrames(), s.get("frames").get("done").asLong());
            assertEquals(p.frames().totalFrames(), s.get("frames").get("total").asLong());
        }
        assertEquals(4, s.get("jobs").get("queued").asLong());
        assertEquals(2, s.get("runs").size());
        try (WorkLedger ledger = openLedger()) {
            assertEquals(ledger.reader().runReports().get(0).problems().get(0), s.get("runs").get(0).get("problems").get(0).asText());
        }
        assertFalse(s.get("runs").get(1).get("reporting").asBoolean());
    }

    @Test
    void tracksFilterSortPageAndChooseColumns() {
        Run all = cli("tracks");
        assertEquals(0, all.code(), all.all());
        assertEquals(6, dataLines(all).size(), all.out());
        assertTrue(all.out().contains(HOSTILE), all.out());
        assertTrue(all.out().contains("evil\\n\\x1b[31mred"), all.out());
        assertTrue(all.out().endsWith("rows 1–6 of 6\n"), all.out());
        assertNoRawControl(all);

        assertEquals(3, dataLines(cli("tracks", "--state", "failed")).size());
        assertEquals(1, dataLines(cli("tracks", "--state", "running")).size());
        Run left = cli("tracks", "--tag", "camera=left", "--columns", "video,tag:camera,state");
        assertEquals(3, dataLines(left).size(), left.out());
        assertTrue(left.out().startsWith("Video"), left.out());
        Run unicode = cli("tracks", "--tag", "région=Île-de-France ✓", "--format", "csv", "--columns", "video,tag:région");
        assertEquals("video,tag:région\r\n" + HOSTILE + ",Île-de-France ✓\r\n", unicode.out());
        assertEquals(2, dataLines(cli("tracks", "--tag", "camera=left", "--tag", "session=s1", "--state", "DONE")).size() + 1);

        Run page = cli("tracks", "--limit", "2", "--sort", "-track");
        assertEquals(2, dataLines(page).size(), page.out());
        assertTrue(page.out().endsWith("rows 1–2 of 6 (next: --offset 2)\n"), page.out());
        assertTrue(dataLines(page).get(0).strip().startsWith(Long.toString(tracks.get("pending video"))), page.out());
        Run last = cli("tracks", "--limit", "2", "--offset", "4");
        assertTrue(last.out().endsWith("rows 5–6 of 6\n"), last.out());
        Run since = cli("tracks", "--since", "1h", "--state", "FAILED");
        assertEquals(3, dataLines(since).size(), since.out());
        assertEquals("no matching rows\n", lastLine(cli("tracks", "--until", "2020-01-01")));

        Run priority = cli("tracks", "--sort", "priority", "--columns", "video", "--format", "csv");
        assertTrue(priority.out().startsWith("video\r\npending video\r\nplain\r\n"), priority.out());
    }

    @Test
    void sqlMetacharactersOnlyFilter() {
        assertEquals(0, dataLines(cli("tracks", "--video", "' OR 1=1 --")).size());
        assertEquals(1, dataLines(cli("tracks", "--video", SQL)).size());
        assertEquals(0, dataLines(cli("tracks", "--reason", "' OR 1=1 --")).size());
        Run percent = cli("tracks", "--reason", "%", "--columns", "video", "--format", "csv");
        assertEquals("video\r\n\"evil\nred\"\r\n".replace("\nred", "\n\\x1b[31mred"), percent.out(), "only the reason with a %");
        assertEquals(1, dataLines(cli("chunks", "--reason", "node_0")).size(), "_ is literal");
        assertEquals(0, dataLines(cli("chunks", "--reason", "node%0")).size(), "% is literal");
        assertEquals(1, dataLines(cli("chunks", "--reason", "DECODE*mp4")).size(), "* is a wildcard, case-insensitive");
        assertEquals(0, dataLines(cli("tracks", "--tag", "camera=100%")).size());
        assertEquals(1, dataLines(cli("tracks", "--tag", "camera=100%_x")).size());
        assertEquals(0, dataLines(cli("tracks", "--tag", "camera=%")).size());
        assertEquals(0, dataLines(cli("tracks", "--analysis", "pose' OR '1'='1")).size());
        Run reschedule = cli("reschedule", "--video", "' OR 1=1 --", "--yes");
        assertEquals(0, reschedule.code(), reschedule.all());
        assertTrue(reschedule.out().contains("matched 0 / rescheduled 0 / skipped 0"), reschedule.out());
        try (WorkLedger ledger = openLedger()) {
            assertEquals(3, ledger.reader().countChunks(ChunkQuery.inState(ChunkState.FAILED, 10)));
            assertEquals(6, ledger.reader().countTracks(dev.juggler.ledger.TrackQuery.firstPage(10)));
        }
    }

    @Test
    void csvAndJsonExportAndStreamEveryRow() throws IOException {
        Run csv = cli("tracks", "--format", "csv", "--columns", "track,video,tag:note", "--sort", "track");
        List<String> rows = csv.out().lines().toList();
        assertEquals("track,video,tag:note", rows.get(0));
        assertEquals(tracks.get("walk one") + ",walk one,'=cmd|' /C calc'!A0", rows.get(1), "a formula is defused");
        Run streamed = cli("chunks", "--all", "--limit", "1", "--format", "csv");
        assertEquals(0, streamed.code(), streamed.all());
        try (WorkLedger ledger = openLedger()) {
            long chunks = ledger.reader().countChunks(new ChunkQuery(Optional.empty(), Optional.empty(), 0, 1));
            assertEquals(8, chunks);
            assertEquals(chunks + 1, streamed.out().split("\r\n").length, "the header and every chunk: " + streamed.out());
        }
        Run json = cli("tracks", "--all", "--format", "json");
        JsonNode array = new ObjectMapper().readTree(json.out());
        assertEquals(6, array.size());
        List<String> ids = new ArrayList<>();
        array.forEach(o -> ids.add(o.get("video").asText()));
        assertTrue(ids.contains(HOSTILE) && ids.contains(EVIL) && ids.contains(SQL), ids.toString());
        assertEquals(100, array.get(0).get("frames").asLong());
        Run table = cli("tracks", "--all");
        assertTrue(table.out().endsWith("6 tracks\n"), table.out());
    }

    static String lastLine(Run run) {
        List<String> lines = run.out().lines().toList();
        return lines.get(lines.size() - 1) + "\n";
    }

    @Test
    void chunksAndJobs() {
        Run failed = cli("chunks", "--state", "FAILED", "--sort", "-updated", "--columns", "track,from,to,reason", "--format", "csv");
        assertEquals(0, failed.code(), failed.all());
        assertEquals(4, failed.out().split("\r\n").length, failed.out());
        assertTrue(failed.out().contains(DECODE_A) && failed.out().contains(GPU), failed.out());
        Run ofTrack = cli("chunks", "--track", Long.toString(tracks.get(HOSTILE)), "--format", "csv", "--columns", "state,from,to");
        assertEquals("state,from,to\r\nDONE,0,40\r\nFAILED,40,100\r\n", ofTrack.out());
        Run leased = cli("chunks", "--state", "leased", "--format", "json");
        assertTrue(leased.out().contains("\"job\":\"job-7\"") && leased.out().contains("\"owner\":\"worker-1\""), leased.out());

        Run jobs = cli("jobs");
        assertEquals(0, jobs.code(), jobs.all());
        assertEquals(3, dataLines(jobs).size(), jobs.out());
        assertTrue(dataLines(jobs).get(2).startsWith("job-6"), "newest first: " + jobs.out());
        Run failedJobs = cli("jobs", "--state", "failed", "--format", "csv", "--columns", "job,state,reason,exit,settled");
        assertTrue(failedJobs.out().startsWith("job,state,reason,exit,settled\r\njob-6,FAILED,NonZeroExitCode,3,20"), failedJobs.out());
        assertEquals(1, dataLines(cli("jobs", "--run", "run-a", "--state", "RUNNING")).size());
        assertEquals(0, dataLines(cli("jobs", "--run", "' OR 1=1 --")).size());
    }

    @Test
    void failuresGroupAndRescheduleDryRunActAndRepeat() throws IOException {
        Run failures = cli("failures");
        assertEquals(0, failures.code(), failures.all());
        List<String> lines = failures.out().lines().toList();
        assertTrue(lines.get(1).contains("cannot decode frame <n> of <path>"), failures.out());
        assertTrue(lines.get(1).matches("\\s*1\\s+[0-9a-f]{8}\\s+2\\s+160\\s+2\\s.*"), failures.out());
        assertTrue(lines.get(2).contains("GPU memory at <n>% on node_<n> after <duration>"), failures.out());
        assertTrue(failures.out().contains("2 group(s), 3 failed range(s), 260 frames."), failures.out());
        JsonNode groups = new ObjectMapper().readTree(cli("failures", "--format", "json").out());
        String id = groups.get(0).get("id").asText();
        assertEquals(FailureGroups.idOf("cannot decode frame <n> of <path>"), id);

        Run refused = cli("reschedule");
        assertEquals(2, refused.code(), refused.all());
        assertTrue(refused.err().contains("or --all-failures"), refused.all());

        Run dry = cli("reschedule", "--group", "1");
        assertEquals(0, dry.code(), dry.all());
        assertTrue(dry.out().contains("2 ranges (160 frames) would be re-scheduled; run again with --group " + id + " --yes"),
                dry.out());
        assertEquals(3, failedChunks());
        Run byNumber = cli("reschedule", "--group", "1", "--yes");
        assertEquals(1, byNumber.code(), byNumber.all());
        assertTrue(byNumber.out().contains("re-schedule it by its id: --group " + id + " --yes"), byNumber.out());
        assertEquals(3, failedChunks(), "a number is not acted on");

        Run act = cli("reschedule", "--group", id, "--yes");
        assertEquals(0, act.code(), act.all());
        assertTrue(act.out().contains("matched 2 / rescheduled 2 / skipped 0"), act.out());
        assertEquals(1, failedChunks());
        try (WorkLedger ledger = openLedger()) {
            List<ChunkEvent.Kind> history = ledger.reader().history(tracks.get(HOSTILE), 10).stream().map(ChunkEvent::kind).toList();
            assertEquals(List.of(ChunkEvent.Kind.FAILED, ChunkEvent.Kind.RESCHEDULED), history, "the attempt history is kept");
        }
        Run gone = cli("reschedule", "--group", id, "--yes");
        assertEquals(1, gone.code(), gone.all());
        assertTrue(gone.out().contains("no failure group " + id), gone.out());

        Run byFilter = cli("reschedule", "--reason", "gpu memory", "--tag", "camera=left", "--since", "1h", "--yes");
        assertTrue(byFilter.out().contains("matched 1 / rescheduled 1 / skipped 0"), byFilter.all());
        Run again = cli("reschedule", "--reason", "gpu memory", "--tag", "camera=left", "--since", "1h", "--yes");
        assertEquals(0, again.code(), again.all());
        assertTrue(again.out().contains("matched 0 / rescheduled 0 / skipped 0"), again.out());
        assertEquals(0, failedChunks());
        assertEquals("no failed ranges\n", lastLine(cli("failures")));
    }

    private long failedChunks() {
        try (WorkLedger ledger = openLedger()) {
            return ledger.reader().countChunks(ChunkQuery.inState(ChunkState.FAILED, 10));
        }
    }

    @Test
    void exportWritesOpenPoseFoldersAndResumes() throws IOException {
        Path out = temp.resolve("export out");
        Run first = cli("export", "--out", out.toString());
        assertEquals(0, first.code(), first.all());
        assertTrue(first.out().contains("Exported 6 track(s)"), first.out());
        assertTrue(first.out().contains("140 file(s) written, 0 already there"), first.out());
        Path walk = out.resolve("walk one.pose");
        assertEquals(100, count(walk));
        assertTrue(Files.readString(walk.resolve("walk one_000000000099_keypoints.json")).startsWith("{\"version\":1.3"));
        assertEquals(40, count(out.resolve(HOSTILE + ".pose")));

        Files.delete(walk.resolve("walk one_000000000007_keypoints.json"));
        Files.delete(walk.resolve("walk one_000000000050_keypoints.json"));
        Files.writeString(walk.resolve(".walk one_000000000051_keypoints.json12345.tmp"), "{\"vers"); // an interrupted write
        Run resumed = cli("export", "--out", out.toString());
        assertTrue(resumed.out().contains("2 file(s) written, 138 already there (skipped)"), resumed.out());
        assertEquals(100, count(walk), "the left-over temporary file is gone");

        Run one = cli("export", "--out", temp.resolve("one").toString(), "--track", Long.toString(tracks.get(HOSTILE)), "--track",
                "999999");
        assertEquals(1, one.code(), one.all());
        assertTrue(one.out().contains("track 999999: no such track"), one.out());
        assertEquals(40, count(temp.resolve("one").resolve(HOSTILE + ".pose")));
        Run filtered = cli("export", "--out", temp.resolve("left").toString(), "--tag", "camera=left", "--state", "DONE");
        assertTrue(filtered.out().contains("Exported 1 track(s)"), filtered.out());
        Run mixed = cli("export", "--out", temp.resolve("x").toString(), "--track", "1", "--state", "DONE");
        assertEquals(2, mixed.code(), mixed.all());
    }

    private static long count(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }

    @Test
    void usageErrorsAreClearAndExitTwo() {
        Run noLedger = raw("status");
        assertEquals(2, noLedger.code(), noLedger.all());
        assertTrue(noLedger.err().contains("give the ledger: --config FILE (the run's config) or --ledger URL|PATH"), noLedger.all());
        Run badSort = cli("tracks", "--sort", "frames");
        assertEquals(2, badSort.code(), badSort.all());
        assertTrue(badSort.err().contains("--sort = frames: the tracks view cannot be sorted by that (prefix - to reverse); "
                + "allowed: track, video, analysis, priority"), badSort.all());
        Run badState = cli("chunks", "--state", "$(rm -rf /)\n");
        assertEquals(2, badState.code(), badState.all());
        assertTrue(badState.err().contains("--state = \"$(rm -rf /)\\n\": not a state of the chunks view; "
                + "allowed: PENDING, LEASED, DONE, FAILED"),
                badState.all());
        Run badFormat = cli("tracks", "--format", "xml");
        assertEquals(2, badFormat.code(), badFormat.all());
        assertTrue(badFormat.err().contains("--format = xml: not a format of this command; allowed: table, csv, json"), badFormat.all());
        Run badTime = cli("reschedule", "--since", "last tuesday");
        assertEquals(2, badTime.code(), badTime.all());
        assertTrue(badTime.err().contains("--since = \"last tuesday\": not a time"), badTime.all());
    }
}
