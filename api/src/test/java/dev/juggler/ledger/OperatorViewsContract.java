package dev.juggler.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The contract of a ledger's operator views and operator writes: the console's filters, counts, failure
 * reasons, attempt history, throughput and re-scheduling. Subclass it like {@link WorkLedgerContract}.
 *
 * <p>Shipped in the api test-jar so that hosts can check their own implementations the same way.
 */
public abstract class OperatorViewsContract extends LedgerFixture {

    protected static final String XSS = "<img src=x onerror=alert(1)>";
    protected static final String DECODE = "cannot decode frame 17 of '/data/b.mp4'";

    /** Four tracks, one per derived state: a DONE, b FAILED, {@link #XSS} LEASED, d PENDING. */
    private record Corpus(long done, long failed, long leased, long pending, Instant afterDone) {
    }

    private Corpus corpus() {
        register("a", Map.of("camera", "north", "region", "west"));
        register("b", Map.of("camera", "south"));
        register(XSS, Map.of("camera", "north", "Ort", "Zürich"));
        register("d", Map.of());
        long a = ledger.addTrack(new TrackSpec("a", "pose", FrameRange.of(0, 100), 3));
        long b = ledger.addTrack(new TrackSpec("b", "pose", FrameRange.of(0, 100), 2));
        long x = ledger.addTrack(new TrackSpec(XSS, "pose", FrameRange.of(0, 100), 1));
        long d = ledger.addTrack(new TrackSpec("d", "objects", FrameRange.of(0, 100), 0));
        clock.advance(Duration.ofMinutes(1));
        ledger.complete(claimOrFail(100), 100);
        clock.advance(Duration.ofMinutes(1));
        Instant afterDone = clock.instant();
        ledger.fail(claimOrFail(100), 0, DECODE, true);
        ledger.claim(ClaimRequest.of("w", 40, LEASE).withJobId("job-1")).orElseThrow();
        return new Corpus(a, b, x, d, afterDone);
    }

    private void register(String id, Map<String, String> tags) {
        ledger.registerVideo(video(id, 100, tags));
        ledger.markStaged(id, "/ws/x");
    }

    private void failWhole(Lease lease, String reason) {
        ledger.fail(lease, lease.range().from(), reason, true);
    }

    private List<Long> trackIds(TrackQuery query) {
        List<Long> ids = ledger.reader().tracks(query).stream().map(TrackView::trackId).toList();
        assertEquals(ids.size(), ledger.reader().countTracks(query.page(0, 10_000)), "count of " + query);
        return ids;
    }

    private List<Long> chunkIds(ChunkQuery query) {
        List<Long> ids = ledger.reader().chunks(query).stream().map(ChunkView::chunkId).toList();
        assertEquals(ids.size(), ledger.reader().countChunks(query.page(0, 10_000)), "count of " + query);
        return ids;
    }

    @Test
    void trackFiltersCombineAndCountsMatchThePages() {
        Corpus c = corpus();
        TrackQuery all = TrackQuery.firstPage(100);
        assertEquals(List.of(c.done), trackIds(all.inState(ChunkState.DONE)));
        assertEquals(List.of(c.failed), trackIds(all.inState(ChunkState.FAILED)));
        assertEquals(List.of(c.leased), trackIds(all.inState(ChunkState.LEASED)));
        assertEquals(List.of(c.pending), trackIds(all.inState(ChunkState.PENDING)));
        assertEquals(List.of(c.done, c.leased), trackIds(all.withTag("camera", "north")));
        assertEquals(List.of(c.leased), trackIds(all.withTag("camera", "north").withTag("Ort", "Zürich")));
        assertEquals(List.of(), trackIds(all.withTag("camera", "north").withTag("Ort", "Bern")));
        assertEquals(List.of(c.failed), trackIds(all.withReason("DECODE frame*of")));
        assertEquals(List.of(c.failed), trackIds(all.withReason("'/data/b.mp4'")), "quotes are text");
        for (String hostile : List.of("' OR 1=1 --", "%", "_", "\\", "[a-z]", "(")) {
            assertEquals(List.of(), trackIds(all.withReason(hostile)), hostile + " only filters");
        }
        assertEquals(List.of(c.failed, c.leased), trackIds(all.within(new TimeWindow(Optional.of(c.afterDone), Optional.empty()))));
        assertEquals(List.of(c.done, c.pending), trackIds(all.within(new TimeWindow(Optional.empty(), Optional.of(c.afterDone)))),
                "the tracks with a change before: a done, d created; b and the XSS one changed since");
        assertEquals(List.of(c.pending), trackIds(all.ofAnalysis("objects")));
        assertEquals(List.of(c.leased), trackIds(all.ofVideo(XSS)));
        assertEquals(List.of(c.pending, c.leased, c.failed, c.done), trackIds(all.sortedBy(TrackQuery.Sort.ID, true)));
        List<Long> byVideoDesc = new java.util.ArrayList<>(trackIds(all.sortedBy(TrackQuery.Sort.VIDEO, true)));
        byVideoDesc.remove(c.leased); // where '<' sorts depends on the database's collation
        assertEquals(List.of(c.pending, c.failed, c.done), byVideoDesc);
        assertEquals(List.of(c.done, c.failed, c.leased, c.pending), trackIds(all.sortedBy(TrackQuery.Sort.PRIORITY_DESC, false)));
        assertEquals(List.of(c.failed, c.leased), ledger.reader().tracks(all.page(1, 2)).stream().map(TrackView::trackId).toList());
        assertEquals(4, ledger.reader().countTracks(all.page(1, 2)), "a count ignores paging");
        TrackView leased = ledger.reader().track(c.leased).orElseThrow();
        assertEquals(new TrackView(c.leased, XSS, "pose", FrameRange.of(0, 100), 1, 0, 0, 40, ChunkState.LEASED), leased);
        assertEquals(100, ledger.reader().track(c.done).orElseThrow().framesDone());
        assertEquals(Optional.empty(), ledger.reader().track(c.pending + 1000));
    }

    @Test
    void chunkFiltersCombineAndCountsMatchThePages() {
        Corpus c = corpus();
        ChunkQuery all = new ChunkQuery(Optional.empty(), Optional.empty(), 0, 100);
        List<ChunkView> ofXss = ledger.reader().chunks(all.ofVideo(XSS));
        assertEquals(List.of(ChunkState.LEASED, ChunkState.PENDING), ofXss.stream().map(ChunkView::state).toList());
        assertEquals(Optional.of("job-1"), ofXss.get(0).jobId());
        assertEquals(1, chunkIds(all.inState(ChunkState.FAILED)).size());
        assertEquals(3, chunkIds(all.withTag("camera", "north")).size(), "a's done chunk and the two of the XSS video");
        assertEquals(1, chunkIds(all.withReason("CANNOT decode")).size(), "case does not matter");
        assertEquals(0, chunkIds(all.withReason("' OR '1'='1")).size());
        assertEquals(3, chunkIds(all.within(new TimeWindow(Optional.of(c.afterDone), Optional.empty()))).size(),
                "the failure, the lease and the rest split off by its claim");
        List<ChunkView> byAttempts = ledger.reader().chunks(all.sortedBy(ChunkQuery.Sort.ATTEMPTS_DESC));
        assertEquals(c.failed, byAttempts.get(0).trackId());
        List<ChunkView> byTrackDesc = ledger.reader().chunks(all.sortedBy(ChunkQuery.Sort.TRACK_FRAME, true));
        assertEquals(c.pending, byTrackDesc.get(0).trackId());
        assertEquals(5, ledger.reader().countChunks(all));
    }

    @Test
    void videoTagsAndTagKeysListWhatIsRegistered() {
        corpus();
        Map<String, Map<String, String>> tags = ledger.reader().videoTags(List.of("a", XSS, "d", "unknown"));
        assertEquals(Map.of("a", Map.of("camera", "north", "region", "west"), XSS, Map.of("camera", "north", "Ort", "Zürich")), tags);
        assertEquals(List.of("Ort", "camera", "region"), ledger.reader().tagKeys());
        assertEquals(Map.of(), ledger.reader().videoTags(List.of()));
    }

    @Test
    void failureReasonsCountChunksFramesAndTracksPerExactReason() {
        Video one = stagedVideo("one", 300);
        Video two = stagedVideo("two", 300);
        long first = wholeTrack(one, "pose", 1);
        long second = wholeTrack(two, "pose", 0);
        Instant start = clock.instant();
        failWhole(claimOrFail(100), "out of memory");
        clock.advance(Duration.ofMinutes(5));
        failWhole(claimOrFail(50), "out of memory");
        failWhole(claimOrFail(150), "disk full");
        clock.advance(Duration.ofMinutes(5));
        failWhole(claimOrFail(20), "out of memory");
        List<ReasonCount> reasons = ledger.reader().failureReasons(10);
        assertEquals(List.of("out of memory", "disk full"), reasons.stream().map(ReasonCount::reason).toList());
        ReasonCount oom = reasons.get(0);
        assertEquals(3, oom.chunks());
        assertEquals(170, oom.frames());
        assertEquals(2, oom.tracks());
        assertEquals(start, oom.firstSeen());
        assertEquals(start.plus(Duration.ofMinutes(10)), oom.lastSeen());
        assertEquals(List.of(first, second), oom.exampleTracks());
        assertEquals(1, ledger.reader().failureReasons(1).size());
    }

    @Test
    void theHistoryKeepsEveryAttemptAcrossAReschedule() {
        long track = wholeTrack(stagedVideo("h", 100), "pose", 0);
        for (int attempt = 1; attempt <= DEFAULT_MAX_ATTEMPTS; attempt++) {
            clock.advance(Duration.ofSeconds(10));
            ledger.fail(claimOrFail(100), 0, "model crashed, attempt " + attempt, false);
        }
        RescheduleOutcome dry = ledger.reschedule(RescheduleFilter.track(track), true);
        assertEquals(new RescheduleOutcome(1, 0, 0, 100, true), dry);
        assertEquals(List.of(FrameRange.of(0, 100)), rangesIn(track, ChunkState.FAILED), "a dry run changes nothing");
        RescheduleOutcome done = ledger.reschedule(RescheduleFilter.track(track), false);
        assertEquals(new RescheduleOutcome(1, 1, 0, 100, false), done);
        assertEquals(List.of(FrameRange.of(0, 100)), rangesIn(track, ChunkState.PENDING));
        assertEquals(new RescheduleOutcome(0, 0, 0, 0, false), ledger.reschedule(RescheduleFilter.track(track), false),
                "repeating it finds nothing");
        List<ChunkEvent> history = ledger.reader().history(track, 100);
        assertEquals(List.of(ChunkEvent.Kind.RETRIED, ChunkEvent.Kind.RETRIED, ChunkEvent.Kind.FAILED, ChunkEvent.Kind.RESCHEDULED),
                history.stream().map(ChunkEvent::kind).toList());
        assertEquals(List.of(1, 2, 3, 3), history.stream().map(ChunkEvent::attempt).toList());
        assertEquals(Optional.of("model crashed, attempt 2"), history.get(1).reason());
        assertEquals(Optional.of("model crashed, attempt 3"), history.get(3).reason(), "the failure the re-schedule ended");
        assertTrue(history.get(0).at().isBefore(history.get(1).at()));
        assertEquals(2, ledger.reader().history(track, 2).size());
        Lease again = claimOrFail(100);
        assertEquals(1, again.attempt(), "a fresh attempt budget");
    }

    @Test
    void expiredAndRevokedLeasesEnterTheHistoryWithTheirJob() {
        long track = wholeTrack(stagedVideo("e", 100), "pose", 0);
        Lease lease = ledger.claim(ClaimRequest.of("w", 100, LEASE).withJobId("job-7")).orElseThrow();
        ledger.heartbeat(lease, 30);
        clock.advance(LEASE.plusSeconds(1));
        assertEquals(1, ledger.reapExpired());
        ChunkEvent expired = ledger.reader().history(track, 10).get(0);
        assertEquals(ChunkEvent.Kind.RETRIED, expired.kind());
        assertEquals(FrameRange.of(30, 100), expired.range(), "only the frames not done");
        assertEquals(Optional.of("job-7"), expired.jobId());
        assertEquals(Optional.of("lease expired"), expired.reason());
    }

    @Test
    void setAsideWorkIsSkippedUnlessTheFilterNamesItsReason() {
        long track = wholeTrack(stagedVideo("aside", 100), "pose", 0);
        long other = wholeTrack(stagedVideo("broken", 100), "pose", 0);
        assertEquals(1, ledger.setAside("aside", "camera replaced"));
        ledger.fail(claimOrFail(100), 0, "bad header", true);
        RescheduleOutcome everything = ledger.reschedule(RescheduleFilter.all(), false);
        assertEquals(new RescheduleOutcome(2, 1, 1, 100, false), everything);
        assertEquals(List.of(FrameRange.of(0, 100)), rangesIn(track, ChunkState.FAILED), "set aside stays aside");
        assertEquals(List.of(FrameRange.of(0, 100)), rangesIn(other, ChunkState.PENDING));
        assertEquals(ChunkEvent.Kind.SET_ASIDE, ledger.reader().history(track, 10).get(0).kind());
        RescheduleOutcome named = ledger.reschedule(RescheduleFilter.all().andReasonIn(Set.of("set aside: camera replaced")), false);
        assertEquals(new RescheduleOutcome(1, 1, 0, 100, false), named);
        assertEquals(List.of(ChunkEvent.Kind.SET_ASIDE, ChunkEvent.Kind.RESCHEDULED),
                ledger.reader().history(track, 10).stream().map(ChunkEvent::kind).toList());
    }

    @Test
    void rescheduleFiltersByAnalysisTagAndTime() {
        register("t1", Map.of("camera", "north"));
        register("t2", Map.of("camera", "south"));
        long north = ledger.addTrack(new TrackSpec("t1", "pose", FrameRange.of(0, 10), 1));
        long south = ledger.addTrack(new TrackSpec("t2", "objects", FrameRange.of(0, 10), 0));
        ledger.fail(claimOrFail(10), 0, "x", true);
        clock.advance(Duration.ofHours(2));
        Instant later = clock.instant();
        ledger.fail(claimOrFail(10), 0, "x", true);
        assertEquals(0, ledger.reschedule(RescheduleFilter.all().andAnalysis("pose").andTag("camera", "south"), true).matched());
        assertEquals(1, ledger.reschedule(RescheduleFilter.all().andAnalysis("objects"), true).matched());
        RescheduleOutcome recent = ledger.reschedule(RescheduleFilter.all().within(new TimeWindow(Optional.of(later), Optional.empty())),
                false);
        assertEquals(1, recent.rescheduled());
        assertEquals(List.of(FrameRange.of(0, 10)), rangesIn(south, ChunkState.PENDING));
        assertEquals(List.of(FrameRange.of(0, 10)), rangesIn(north, ChunkState.FAILED));
    }

    @Test
    void throughputCountsFramesDoneAndJobsRunningPerBucket() {
        Instant start = clock.instant();
        wholeTrack(stagedVideo("tp", 300), "pose", 0);
        JobRecords records = ledger.jobRecords();
        long submission = records.recordSubmission(new SubmissionIntent("run", "h", 1, start));
        records.recordSubmitted(submission, List.of("j1"), start);
        clock.advance(Duration.ofMinutes(10));
        records.recordState(new JobStatus("j1", "w", JobState.RUNNING, "RUNNING", Optional.empty(), OptionalInt.empty()),
                clock.instant());
        ledger.complete(claimOrFail(100), 100);
        clock.advance(Duration.ofMinutes(60));
        Lease second = claimOrFail(50);
        ledger.complete(second, second.range().to());
        records.recordState(new JobStatus("j1", "w", JobState.COMPLETED, "COMPLETED", Optional.empty(), OptionalInt.of(0)),
                clock.instant());
        clock.advance(Duration.ofMinutes(80));
        List<ThroughputPoint> points = ledger.reader().throughput(start, Duration.ofHours(1));
        assertEquals(3, points.size(), "2.5 hours in buckets of 1 hour");
        assertEquals(List.of(100L, 50L, 0L), points.stream().map(ThroughputPoint::framesDone).toList());
        assertEquals(List.of(1L, 1L, 0L), points.stream().map(ThroughputPoint::jobsRunning).toList());
        assertEquals(start.plus(Duration.ofHours(2)), points.get(2).start());
        assertEquals(1, ledger.reader().countJobs(JobQuery.firstPage(10).inState(JobState.COMPLETED)));
        assertEquals(0, ledger.reader().countJobs(JobQuery.firstPage(10).inState(JobState.RUNNING)));
    }

    @Test
    void progressCountsTracksByDerivedState() {
        corpus();
        Progress progress = ledger.reader().progress();
        assertEquals(List.of(1L, 1L, 1L, 1L), List.of(progress.tracksDone(), progress.tracksFailed(), progress.tracksRunning(),
                progress.tracksPending()));
    }
}
