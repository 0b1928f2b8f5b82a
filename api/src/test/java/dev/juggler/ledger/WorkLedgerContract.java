package dev.juggler.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.juggler.NotFoundException;
import dev.juggler.testing.MutableClock;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link WorkLedger} implementation must keep. Subclass it, implement
 * {@link #newLedger(Clock)} to return a fresh, empty ledger that takes its time from the given clock,
 * and run it with JUnit 5. Assumes the implementation's default of 3 attempts before frames fail.
 *
 * <p>Shipped in the api test-jar so that hosts can check their own implementations the same way.
 */
public abstract class WorkLedgerContract extends LedgerFixture {

    // --- job records -------------------------------------------------------------------------------

    @Test
    void jobRecordsCountTheFramesDoneUnderEachJobsLeases() {
        long track = wholeTrack(stagedVideo("jobs-v", 300), "pose", 0);
        JobRecords records = ledger.jobRecords();
        long submission = records.recordSubmission(new SubmissionIntent("run", "hash", 2, clock.instant()));
        records.recordSubmitted(submission, List.of("j1", "j2"), clock.instant());
        clock.advance(Duration.ofSeconds(1));
        Lease first = ledger.claim(ClaimRequest.of("w1", 100, LEASE).withJobId("j1")).orElseThrow();
        ledger.complete(first, 100);
        Lease second = ledger.claim(ClaimRequest.of("w1", 100, LEASE).withJobId("j1")).orElseThrow();
        ledger.heartbeat(second, 160);
        Lease third = ledger.claim(ClaimRequest.of("w2", 50, LEASE).withJobId("j2")).orElseThrow();
        ledger.fail(third, 220, "decoder crashed", false);
        assertEquals(1, ledger.revokeJob("j1", "job j1 ended")); // its checkpoint (60 frames) counts as done
        clock.advance(Duration.ofSeconds(1));
        assertTrue(records.settle(new dev.juggler.cluster.JobStatus("j1", "w", dev.juggler.cluster.JobState.TIMEOUT, "TIMEOUT",
                Optional.empty(), java.util.OptionalInt.empty()), clock.instant()));
        Map<String, Long> frames = ledger.reader().jobs(JobQuery.firstPage(10)).stream()
                .collect(Collectors.toMap(JobRecord::jobId, JobRecord::framesDone));
        assertEquals(Map.of("j1", 160L, "j2", 20L), frames);
        assertEquals(List.of(FrameRange.of(0, 100), FrameRange.of(100, 160), FrameRange.of(200, 220)), rangesIn(track, ChunkState.DONE));
        assertTrue(ledger.reader().chunks(ChunkQuery.ofTrack(track, 100)).stream()
                .filter(c -> c.state() == ChunkState.DONE).allMatch(c -> c.jobId().isEmpty()), "done chunks show no job");
    }

    // --- catalogue ---------------------------------------------------------------------------------

    @Test
    void trackTableFiltersByDerivedStateAndChunkTableSortsByLastChange() {
        long done = wholeTrack(stagedVideo("state-done", 100), "pose", 0);
        long pending = wholeTrack(stagedVideo("state-pending", 100), "pose", 0);
        long leased = wholeTrack(stagedVideo("state-leased", 100), "pose", 0);
        Lease whole = claimOrFail(100);
        assertEquals(done, whole.trackId());
        ledger.complete(whole, 100);
        clock.advance(Duration.ofSeconds(1));
        Lease head = claimOrFail(40);
        assertEquals(pending, head.trackId());
        ledger.fail(head, 10, "decoder crashed", true);
        clock.advance(Duration.ofSeconds(1));
        Lease part = claimOrFail(60);
        assertEquals(pending, part.trackId(), "the pending rest of the second track comes next");
        ledger.complete(part, 100);
        clock.advance(Duration.ofSeconds(1));
        Lease running = claimOrFail(10);
        assertEquals(leased, running.trackId());

        TrackQuery all = TrackQuery.firstPage(10);
        assertEquals(List.of(done), trackIds(ledger.reader().tracks(all.inState(ChunkState.DONE))));
        assertEquals(List.of(pending), trackIds(ledger.reader().tracks(all.inState(ChunkState.FAILED))));
        assertEquals(List.of(leased), trackIds(ledger.reader().tracks(all.inState(ChunkState.LEASED))));
        assertEquals(List.of(), trackIds(ledger.reader().tracks(all.inState(ChunkState.PENDING))));
        assertEquals(List.of(done), trackIds(ledger.reader().tracks(TrackQuery.firstPage(1))));
        assertEquals(List.of(pending), trackIds(ledger.reader().tracks(TrackQuery.firstPage(1).nextPage())));

        List<ChunkView> recent = ledger.reader().chunks(new ChunkQuery(Optional.empty(), Optional.empty(), 0, 10)
                .sortedBy(ChunkQuery.Sort.UPDATED_DESC));
        // The last claim changed two chunks at once: the leased head and the pending rest split off it.
        assertEquals(leased, recent.get(0).trackId(), recent.toString());
        assertEquals(leased, recent.get(1).trackId(), recent.toString());
        assertEquals(java.util.Set.of(ChunkState.LEASED, ChunkState.PENDING),
                java.util.Set.of(recent.get(0).state(), recent.get(1).state()), recent.toString());
        for (int i = 1; i < recent.size(); i++) {
            assertFalse(recent.get(i).updatedAt().isAfter(recent.get(i - 1).updatedAt()), recent.toString());
        }
    }

    private static List<Long> trackIds(List<TrackView> tracks) {
        return tracks.stream().map(TrackView::trackId).toList();
    }

    @Test
    void progressMeasuresThroughputOverTheLastHourAndAnEta() {
        Video video = stagedVideo("rate", 1_000);
        wholeTrack(video, "pose", 0);
        clock.advance(Duration.ofSeconds(30));
        ledger.complete(claimOrFail(300), 300);
        clock.advance(Duration.ofSeconds(30));

        Progress progress = ledger.reader().progress();
        // The track is one minute old, so the window is that minute, not a whole hour.
        assertEquals(5.0, progress.framesPerSecond(), 1e-9, progress.toString());
        assertEquals(Optional.of(Duration.ofSeconds(140)), progress.eta(), "700 frames left at 5 frames/s");

        clock.advance(Duration.ofHours(2));
        Progress later = ledger.reader().progress();
        assertEquals(0.0, later.framesPerSecond(), 1e-9, "nothing was done in the last hour");
        assertEquals(Optional.empty(), later.eta());
    }

    @Test
    void registerVideoRoundTripsAndReRegisteringKeepsStageState() {
        Video original = video("cam-1", 500, Map.of("session", "s01", "camera", "1"));
        ledger.registerVideo(original);
        VideoRecord record = ledger.video("cam-1").orElseThrow();
        assertEquals(original, record.video());
        assertEquals(StageState.NOT_STAGED, record.stageState());
        assertEquals(Optional.empty(), record.stagedLocation());

        ledger.markStaged("cam-1", "/ws/cam-1.mp4");
        Video updated = new Video("cam-1", "/elsewhere/cam-1.mp4", 500, 30.0, 42, Map.of("session", "s02"));
        ledger.registerVideo(updated);
        VideoRecord after = ledger.video("cam-1").orElseThrow();
        assertEquals(updated, after.video(), "metadata and tags are replaced");
        assertEquals(StageState.STAGED, after.stageState(), "stage state is kept");
        assertEquals(Optional.of("/ws/cam-1.mp4"), after.stagedLocation());
        assertEquals(Optional.empty(), ledger.video("no-such-video"));
    }

    @Test
    void addTrackIsIdempotentPerVideoAndAnalysis() {
        Video video = stagedVideo("v", 100);
        long first = wholeTrack(video, "pose", 0);
        long again = ledger.addTrack(new TrackSpec("v", "pose", FrameRange.of(0, 50), 9));
        assertEquals(first, again);
        assertEquals(List.of(FrameRange.of(0, 100)), rangesIn(first, ChunkState.PENDING), "nothing changed");
        long other = wholeTrack(video, "detect", 0);
        assertNotEquals(first, other);
        assertEquals(2, ledger.reader().tracks(TrackQuery.firstPage(10)).size());
    }

    @Test
    void addTrackRejectsUnknownVideoAndRangeOutsideTheVideo() {
        assertThrows(NotFoundException.class, () -> ledger.addTrack(new TrackSpec("missing", "pose", FrameRange.of(0, 1), 0)));
        stagedVideo("v", 100);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ledger.addTrack(new TrackSpec("v", "pose", FrameRange.of(50, 101), 0)));
        assertTrue(e.getMessage().contains("101") || e.getMessage().contains("100"), e.getMessage());
        assertEquals(0, ledger.reader().tracks(TrackQuery.firstPage(10)).size(), "no track was added");
    }

    // --- claims ------------------------------------------------------------------------------------

    @Test
    void claimsOnlyChunksOfStagedVideos() {
        Video video = video("v", 100, Map.of());
        ledger.registerVideo(video);
        wholeTrack(video, "pose", 0);
        assertEquals(Optional.empty(), claim(10), "not staged yet");
        ledger.markStaging("v");
        assertEquals(Optional.empty(), claim(10), "staging is not staged");
        ledger.markStaged("v", "/ws/v.mp4");
        Lease lease = claimOrFail(10);
        assertEquals("/ws/v.mp4", lease.videoLocation());
        assertEquals("v", lease.videoId());
        assertEquals("pose", lease.analysis());
        assertEquals(1, lease.attempt());
        assertEquals(clock.instant().plus(LEASE), lease.expiresAt());
    }

    @Test
    void aClaimableChunkFarDownTheClaimOrderIsFoundAndNoneMeansNone() {
        // 300 older videos that are not staged, and staged tracks of another analysis, come first in the claim order.
        for (int i = 0; i < 300; i++) {
            Video waiting = video("waiting-" + i, 10, Map.of());
            ledger.registerVideo(waiting);
            wholeTrack(waiting, "pose", 0);
        }
        for (int i = 0; i < 100; i++) {
            wholeTrack(stagedVideo("other-" + i, 10), "objects", 0);
        }
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Optional.empty(), ledger.claim(ClaimRequest.of("w", 10, LEASE).forAnalysis("pose")), "nothing staged for pose");
        wholeTrack(stagedVideo("last", 10), "pose", 0);
        Lease lease = ledger.claim(ClaimRequest.of("w", 10, LEASE).forAnalysis("pose")).orElseThrow();
        assertEquals("last", lease.videoId());
        assertEquals(Optional.empty(), ledger.claim(ClaimRequest.of("w", 10, LEASE).forAnalysis("pose")), "and now none is left");
    }

    @Test
    void claimLeasesOnlyTheHeadOfALongChunk() {
        Video video = stagedVideo("v", 100);
        long track = wholeTrack(video, "pose", 0);
        Lease first = claimOrFail(30);
        assertEquals(FrameRange.of(0, 30), first.range());
        assertEquals(List.of(FrameRange.of(0, 30)), rangesIn(track, ChunkState.LEASED));
        assertEquals(List.of(FrameRange.of(30, 100)), rangesIn(track, ChunkState.PENDING));
        Lease second = claimOrFail(30);
        assertEquals(FrameRange.of(30, 60), second.range());
        assertNotEquals(first.token(), second.token());
        Lease rest = claimOrFail(1000);
        assertEquals(FrameRange.of(60, 100), rest.range());
        assertEquals(Optional.empty(), claim(10), "everything is leased");
        assertPartition(track, video.allFrames(), "after three claims");
    }

    @Test
    void claimsHighestPriorityFirstThenOldestTrack() {
        Video a = stagedVideo("a", 10);
        Video b = stagedVideo("b", 10);
        Video c = stagedVideo("c", 10);
        long low = wholeTrack(a, "pose", 0);
        long olderHigh = wholeTrack(b, "pose", 5);
        long newerHigh = wholeTrack(c, "pose", 5);
        assertEquals(olderHigh, claimOrFail(100).trackId());
        assertEquals(newerHigh, claimOrFail(100).trackId());
        assertEquals(low, claimOrFail(100).trackId());
    }

    @Test
    void claimCanBeRestrictedToOneAnalysis() {
        Video video = stagedVideo("v", 10);
        wholeTrack(video, "pose", 9);
        long detect = wholeTrack(video, "detect", 0);
        Lease lease = ledger.claim(ClaimRequest.of("w", 100, LEASE).forAnalysis("detect")).orElseThrow();
        assertEquals(detect, lease.trackId());
        assertEquals(Optional.empty(), ledger.claim(ClaimRequest.of("w", 100, LEASE).forAnalysis("detect")));
        assertEquals(Optional.empty(), ledger.claim(ClaimRequest.of("w", 100, LEASE).forAnalysis("nothing-like-this")));
    }

    // --- heartbeat, complete, fail -----------------------------------------------------------------

    @Test
    void heartbeatExtendsTheLeaseAndRecordsTheCheckpoint() {
        Video video = stagedVideo("v", 100);
        long track = wholeTrack(video, "pose", 0);
        Lease lease = claimOrFail(50);
        clock.advance(Duration.ofMinutes(3));
        Lease extended = ledger.heartbeat(lease, 20);
        assertEquals(clock.instant().plus(LEASE), extended.expiresAt());
        assertEquals(lease.token(), extended.token());
        ChunkView view = chunks(track).stream().filter(c -> c.state() == ChunkState.LEASED).findFirst().orElseThrow();
        assertEquals(20, view.checkpoint());
        assertEquals(Optional.of(extended.expiresAt()), view.leaseExpiresAt());
        assertEquals(Optional.of("worker-1"), view.leaseOwner());
        assertThrows(IllegalArgumentException.class, () -> ledger.heartbeat(lease, 51));
        assertThrows(IllegalArgumentException.class, () -> ledger.heartbeat(lease, -1));
    }

    @Test
    void callsWithAStaleOrForgedTokenAreRefused() {
        Video video = stagedVideo("v", 100);
        wholeTrack(video, "pose", 0);
        Lease lease = claimOrFail(50);
        Lease forged = new Lease(lease.chunkId(), "not-the-token", lease.trackId(), lease.analysis(), lease.videoId(),
                lease.videoLocation(), lease.range(), lease.expiresAt(), lease.attempt());
        assertThrows(LeaseLostException.class, () -> ledger.heartbeat(forged, 10));
        assertThrows(LeaseLostException.class, () -> ledger.complete(forged, 50));
        assertThrows(LeaseLostException.class, () -> ledger.fail(forged, 0, "x", true));
        // the right token on a widened range: a checkpoint past the chunk's end must never be recorded
        Lease widened = new Lease(lease.chunkId(), lease.token(), lease.trackId(), lease.analysis(), lease.videoId(),
                lease.videoLocation(), FrameRange.of(lease.range().from(), 100), lease.expiresAt(), lease.attempt());
        assertThrows(LeaseLostException.class, () -> ledger.heartbeat(widened, 80));
        assertThrows(LeaseLostException.class, () -> ledger.complete(widened, 100));
        ledger.complete(lease, 50);
        LeaseLostException lost = assertThrows(LeaseLostException.class, () -> ledger.heartbeat(lease, 50));
        assertEquals(lease.chunkId(), lost.chunkId());
        assertThrows(LeaseLostException.class, () -> ledger.complete(lease, 50));
        Lease unknown = new Lease(987_654_321L, "t", 1, "pose", "v", "/ws/v", FrameRange.of(0, 1), lease.expiresAt(), 1);
        assertThrows(LeaseLostException.class, () -> ledger.complete(unknown, 1));
    }

    @Test
    void completeEarlyReturnsTheRestAsANewPendingChunk() {
        Video video = stagedVideo("v", 100);
        long track = wholeTrack(video, "pose", 0);
        Lease lease = claimOrFail(60);
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> ledger.complete(lease, 61));
        assertTrue(bad.getMessage().contains("61"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ledger.complete(lease, -1));
        ledger.complete(lease, 25);
        assertEquals(List.of(FrameRange.of(0, 25)), rangesIn(track, ChunkState.DONE));
        assertEquals(List.of(FrameRange.of(25, 60), FrameRange.of(60, 100)), rangesIn(track, ChunkState.PENDING));
        assertPartition(track, video.allFrames(), "after early complete");
        Lease rest = claimOrFail(1000);
        assertEquals(FrameRange.of(25, 60), rest.range(), "the returned rest is claimed before later frames");
        assertEquals(1, rest.attempt(), "completing early is not a failed attempt");
        ledger.complete(rest, rest.range().to());
        ledger.complete(claimOrFail(1000), 100);
        assertEquals(List.of(FrameRange.of(0, 25), FrameRange.of(25, 60), FrameRange.of(60, 100)), rangesIn(track, ChunkState.DONE));
        TrackView view = ledger.reader().tracks(TrackQuery.firstPage(1)).get(0);
        assertEquals(ChunkState.DONE, view.state());
        assertEquals(100, view.framesDone());
    }

    @Test
    void damagedFramesBecomeFailedOneFrameRangesAndTheRestIsDone() {
        Video video = stagedVideo("v", 100);
        long track = wholeTrack(video, "pose", 0);
        Lease lease = claimOrFail(60);
        assertThrows(IllegalArgumentException.class,
                () -> ledger.complete(lease, 50, List.of(new DamagedFrame(55, "after the done mark"))));
        assertThrows(IllegalArgumentException.class, () -> ledger.complete(lease, 50,
                List.of(new DamagedFrame(7, "twice"), new DamagedFrame(7, "twice"))));
        ledger.complete(lease, 50, List.of(new DamagedFrame(20, "header damaged"), new DamagedFrame(0, "no picture"),
                new DamagedFrame(21, "header damaged"), new DamagedFrame(30, "ac-tex damaged")));
        assertEquals(List.of(FrameRange.of(1, 20), FrameRange.of(22, 30), FrameRange.of(31, 50)), rangesIn(track, ChunkState.DONE));
        assertEquals(List.of(FrameRange.of(0, 1), FrameRange.of(20, 22), FrameRange.of(30, 31)), rangesIn(track, ChunkState.FAILED),
                "one range per run of damaged frames with one reason");
        assertEquals(List.of(FrameRange.of(50, 60), FrameRange.of(60, 100)), rangesIn(track, ChunkState.PENDING));
        assertPartition(track, video.allFrames(), "after completing with damaged frames");
        assertEquals(Optional.of("header damaged"), chunks(track).stream().filter(c -> c.range().equals(FrameRange.of(20, 22)))
                .findFirst().orElseThrow().failureReason());
        assertEquals(3, ledger.reader().history(track, 10).stream().filter(e -> e.kind() == ChunkEvent.Kind.FAILED).count(),
                "each damaged range is in the history");
        assertThrows(LeaseLostException.class, () -> ledger.complete(lease, 50, List.of(new DamagedFrame(1, "x"))));
        TrackView view = ledger.reader().tracks(TrackQuery.firstPage(1)).get(0);
        assertEquals(46, view.framesDone());
        assertEquals(3, ledger.reschedule(RescheduleFilter.track(track)), "damaged frames are re-scheduled like any failure");
        assertEquals(List.of(), rangesIn(track, ChunkState.FAILED));
    }

    @Test
    void completeWithNothingDoneReturnsTheWholeChunk() {
        Video video = stagedVideo("v", 10);
        long track = wholeTrack(video, "pose", 0);
        Lease lease = claimOrFail(10);
        ledger.complete(lease, 0);
        assertEquals(List.of(FrameRange.of(0, 10)), rangesIn(track, ChunkState.PENDING));
        assertEquals(List.of(), rangesIn(track, ChunkState.DONE));
    }

    @Test
    void failCountsAttemptsUntilTheChunkFails() {
        Video video = stagedVideo("v", 100);
        long track = wholeTrack(video, "pose", 0);
        Lease lease = claimOrFail(100);
        ledger.fail(lease, 10, "decoder crashed", false);
        assertEquals(List.of(FrameRange.of(0, 10)), rangesIn(track, ChunkState.DONE));
        for (int attempt = 2; attempt <= DEFAULT_MAX_ATTEMPTS; attempt++) {
            Lease again = claimOrFail(100);
            assertEquals(FrameRange.of(10, 100), again.range());
            assertEquals(attempt, again.attempt());
            ledger.fail(again, 10, "decoder crashed " + attempt, false);
        }
        assertEquals(Optional.empty(), claim(100), "attempts exhausted");
        List<ChunkView> failed = ledger.reader().chunks(ChunkQuery.inState(ChunkState.FAILED, 10));
        assertEquals(1, failed.size());
        assertEquals(FrameRange.of(10, 100), failed.get(0).range());
        assertEquals(Optional.of("decoder crashed " + DEFAULT_MAX_ATTEMPTS), failed.get(0).failureReason());
        assertEquals(DEFAULT_MAX_ATTEMPTS, failed.get(0).attempts());
        TrackView view = ledger.reader().tracks(TrackQuery.firstPage(1)).get(0);
        assertEquals(ChunkState.FAILED, view.state());
        assertEquals(90, view.framesFailed());
        assertEquals(10, view.framesDone());
    }

    @Test
    void permanentFailureFailsAtOnceAndKeepsALongReason() {
        Video video = stagedVideo("v", 100);
        long track = wholeTrack(video, "pose", 0);
        Lease lease = claimOrFail(100);
        String longReason = "corrupt file: " + "x".repeat(10_000);
        ledger.fail(lease, 40, longReason, true);
        assertEquals(List.of(FrameRange.of(0, 40)), rangesIn(track, ChunkState.DONE));
        assertEquals(List.of(FrameRange.of(40, 100)), rangesIn(track, ChunkState.FAILED));
        String stored = chunks(track).stream().filter(c -> c.state() == ChunkState.FAILED).findFirst().orElseThrow()
                .failureReason().orElseThrow();
        assertTrue(stored.startsWith("corrupt file: xxx"), stored.substring(0, 30));
        assertEquals(Optional.empty(), claim(100));
        assertThrows(LeaseLostException.class, () -> ledger.complete(lease, 100));
    }

    // --- reaping and revoking ----------------------------------------------------------------------

    @Test
    void expiredLeasesAreReapedFromTheirCheckpoint() {
        Video video = stagedVideo("v", 100);
        long track = wholeTrack(video, "pose", 0);
        Lease lease = ledger.claim(ClaimRequest.of("w", 50, Duration.ofMinutes(1))).orElseThrow();
        ledger.heartbeat(lease, 20);
        clock.advance(Duration.ofSeconds(59));
        assertEquals(0, ledger.reapExpired(), "not expired yet");
        clock.advance(Duration.ofSeconds(2));
        assertEquals(1, ledger.reapExpired());
        assertEquals(0, ledger.reapExpired(), "reaping is done once");
        assertEquals(List.of(FrameRange.of(0, 20)), rangesIn(track, ChunkState.DONE));
        assertEquals(List.of(FrameRange.of(20, 50), FrameRange.of(50, 100)), rangesIn(track, ChunkState.PENDING));
        assertThrows(LeaseLostException.class, () -> ledger.heartbeat(lease, 30));
        assertThrows(LeaseLostException.class, () -> ledger.complete(lease, 50));
        assertPartition(track, video.allFrames(), "after reap");
        Lease next = claimOrFail(30);
        assertEquals(FrameRange.of(20, 50), next.range());
        assertEquals(2, next.attempt());
    }

    @Test
    void aHeartbeatOutlivesTheClaimsExpiryAndIsNoStateChange() {
        Video video = stagedVideo("v", 100);
        long track = wholeTrack(video, "pose", 0);
        Lease lease = ledger.claim(ClaimRequest.of("w", 50, Duration.ofMinutes(1))).orElseThrow();
        Instant claimed = chunks(track).stream().filter(c -> c.state() == ChunkState.LEASED).findFirst().orElseThrow().updatedAt();
        clock.advance(Duration.ofSeconds(50));
        Lease extended = ledger.heartbeat(lease, 20);
        clock.advance(Duration.ofSeconds(20));
        assertEquals(0, ledger.reapExpired(), "the claim's expiry has passed, the heartbeat's has not");
        ChunkView view = chunks(track).stream().filter(c -> c.state() == ChunkState.LEASED).findFirst().orElseThrow();
        assertEquals(Optional.of(extended.expiresAt()), view.leaseExpiresAt());
        assertEquals(20, view.checkpoint());
        assertEquals(claimed, view.updatedAt(), "a heartbeat is not a state change");
        clock.advance(Duration.ofSeconds(41));
        assertEquals(1, ledger.reapExpired());
        assertEquals(List.of(FrameRange.of(0, 20)), rangesIn(track, ChunkState.DONE));
    }

    @Test
    void aLeaseIsNeverBothExtendedAndReaped() throws Exception {
        int rounds = 60;
        long track = wholeTrack(stagedVideo("v", rounds), "pose", 0);
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < rounds; round++) {
                Lease lease = ledger.claim(ClaimRequest.of("w", 1, Duration.ofMinutes(1))).orElseThrow();
                clock.advance(Duration.ofMinutes(1)); // due: a heartbeat now and the reaper race for it
                java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
                java.util.concurrent.Future<Boolean> beat = threads.submit(() -> {
                    start.await();
                    try {
                        ledger.heartbeat(lease, lease.range().from());
                        return true;
                    } catch (LeaseLostException lost) {
                        return false;
                    }
                });
                java.util.concurrent.Future<Integer> reap = threads.submit(() -> {
                    start.await();
                    return ledger.reapExpired();
                });
                start.countDown();
                boolean extended = beat.get();
                int reaped = reap.get();
                assertTrue(extended != (reaped == 1), "round " + round + ": extended " + extended + ", reaped " + reaped);
                if (extended) {
                    ledger.complete(lease, lease.range().to());
                }
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(0, chunks(track).stream().filter(c -> c.state() == ChunkState.LEASED).count());
    }

    @Test
    void aNewLeaseOnAChunkOwesNothingToAnEarlierLeasesHeartbeats() {
        Video video = stagedVideo("v", 50);
        long track = wholeTrack(video, "pose", 0);
        Lease first = ledger.claim(ClaimRequest.of("w", 50, Duration.ofMinutes(1))).orElseThrow();
        ledger.heartbeat(first, 30);
        clock.advance(Duration.ofSeconds(50));
        ledger.heartbeat(first, 40);
        ledger.fail(first, 0, "crashed before it stored anything", false); // the same chunk is PENDING again
        Lease second = ledger.claim(ClaimRequest.of("w", 50, Duration.ofMinutes(2))).orElseThrow();
        assertEquals(first.chunkId(), second.chunkId(), "the same chunk, leased again");
        ChunkView view = chunks(track).get(0);
        assertEquals(0, view.checkpoint(), "not the first lease's checkpoint");
        assertEquals(Optional.of(second.expiresAt()), view.leaseExpiresAt());
        clock.advance(Duration.ofSeconds(61));
        assertEquals(0, ledger.reapExpired(), "the first lease's last heartbeat has expired, this lease has not");
        Lease extended = ledger.heartbeat(second, 10);
        assertEquals(10, chunks(track).get(0).checkpoint(), "its first heartbeat sets the checkpoint, lower or not");
        clock.advance(Duration.between(clock.instant(), extended.expiresAt()).plusSeconds(1));
        assertEquals(1, ledger.reapExpired());
        assertEquals(List.of(FrameRange.of(0, 10)), rangesIn(track, ChunkState.DONE));
        assertEquals(List.of(FrameRange.of(10, 50)), rangesIn(track, ChunkState.PENDING));
    }

    @Test
    void leasesThatKeepExpiringFail() {
        Video video = stagedVideo("v", 10);
        long track = wholeTrack(video, "pose", 0);
        for (int attempt = 1; attempt <= DEFAULT_MAX_ATTEMPTS; attempt++) {
            Lease lease = ledger.claim(ClaimRequest.of("w", 10, Duration.ofMinutes(1))).orElseThrow();
            assertEquals(attempt, lease.attempt());
            clock.advance(Duration.ofMinutes(2));
            assertEquals(1, ledger.reapExpired());
        }
        List<ChunkView> failed = ledger.reader().chunks(ChunkQuery.inState(ChunkState.FAILED, 10));
        assertEquals(1, failed.size());
        assertEquals(track, failed.get(0).trackId());
        assertTrue(failed.get(0).failureReason().orElseThrow().contains("lease expired"), failed.get(0).failureReason().toString());
        assertEquals(Optional.empty(), claim(10));
    }

    @Test
    void revokeJobReturnsOnlyThatJobsLeases() {
        Video video = stagedVideo("v", 100);
        long track = wholeTrack(video, "pose", 0);
        Lease ofJob1 = ledger.claim(ClaimRequest.of("w1", 30, LEASE).withJobId("job-1")).orElseThrow();
        Lease ofJob2 = ledger.claim(ClaimRequest.of("w2", 30, LEASE).withJobId("job-2")).orElseThrow();
        ledger.heartbeat(ofJob1, 10);
        assertEquals(0, ledger.revokeJob("job-unknown", "gone"));
        assertEquals(1, ledger.revokeJob("job-1", "job ended: TIMEOUT"));
        assertThrows(LeaseLostException.class, () -> ledger.complete(ofJob1, 30));
        ledger.complete(ofJob2, ofJob2.range().to());
        assertEquals(List.of(FrameRange.of(0, 10), FrameRange.of(30, 60)), rangesIn(track, ChunkState.DONE));
        assertEquals(List.of(FrameRange.of(10, 30), FrameRange.of(60, 100)), rangesIn(track, ChunkState.PENDING));
        Lease again = claimOrFail(100);
        assertEquals(FrameRange.of(10, 30), again.range());
        assertEquals(2, again.attempt(), "a revoked lease counts as an attempt");
    }

    // --- reschedule --------------------------------------------------------------------------------

    @Test
    void rescheduleByTrackTagAndReason() {
        Video north = video("north", 10, Map.of("region", "north"));
        Video south = video("south", 10, Map.of("region", "south"));
        for (Video v : List.of(north, south)) {
            ledger.registerVideo(v);
            ledger.markStaged(v.id(), "/ws/" + v.id());
        }
        long northPose = wholeTrack(north, "pose", 0);
        long northDetect = wholeTrack(north, "detect", 0);
        long southPose = wholeTrack(south, "pose", 0);
        Map<Long, String> reasons = Map.of(northPose, "CUDA out of memory", northDetect, "model missing", southPose,
                "CUDA out of memory");
        for (int i = 0; i < 3; i++) {
            Lease lease = claimOrFail(100);
            ledger.fail(lease, lease.range().from(), reasons.get(lease.trackId()), true);
        }
        assertEquals(3, ledger.reader().chunks(ChunkQuery.inState(ChunkState.FAILED, 10)).size());

        assertEquals(0, ledger.reschedule(RescheduleFilter.all().andReason("no such reason")));
        assertEquals(1, ledger.reschedule(RescheduleFilter.track(northDetect)));
        assertEquals(List.of(FrameRange.of(0, 10)), rangesIn(northDetect, ChunkState.PENDING));
        assertEquals(1, ledger.reschedule(RescheduleFilter.all().andTag("region", "south").andReason("out of mem")));
        assertEquals(List.of(FrameRange.of(0, 10)), rangesIn(southPose, ChunkState.PENDING));
        assertEquals(0, ledger.reschedule(RescheduleFilter.all().andTag("region", "nowhere")));
        assertEquals(1, ledger.reschedule(RescheduleFilter.all().andReason("^CUDA")));
        assertEquals(0, ledger.reschedule(RescheduleFilter.all()), "nothing failed any more");
        Lease again = claimOrFail(100);
        assertEquals(1, again.attempt(), "re-scheduled frames get fresh attempts");
    }

    @Test
    void rescheduleByVideo() {
        long one = wholeTrack(stagedVideo("one", 10), "pose", 0);
        long two = wholeTrack(stagedVideo("two", 10), "pose", 0);
        for (int i = 0; i < 2; i++) {
            Lease lease = claimOrFail(100);
            ledger.fail(lease, lease.range().from(), "broken", true);
        }
        assertEquals(0, ledger.reschedule(RescheduleFilter.video("nope")));
        assertEquals(1, ledger.reschedule(RescheduleFilter.video("two")));
        assertEquals(List.of(FrameRange.of(0, 10)), rangesIn(two, ChunkState.PENDING));
        assertEquals(List.of(FrameRange.of(0, 10)), rangesIn(one, ChunkState.FAILED), "the other video's failure stays");
        assertEquals(0, ledger.reschedule(RescheduleFilter.video("one").andReason("other reason")));
        assertEquals(1, ledger.reschedule(RescheduleFilter.video("one").andReason("^broken$")));
    }

    // --- setting aside -----------------------------------------------------------------------------

    @Test
    void setAsideFailsOnlyTheVideosPendingChunksAndTakeBackReturnsOnlyThose() {
        Video big = stagedVideo("big", 1_000);
        long pose = wholeTrack(big, "pose", 5);
        long detect = wholeTrack(big, "detect", 5);
        Video waiting = video("waiting", 100, Map.of());
        ledger.registerVideo(waiting);
        long waitingTrack = wholeTrack(waiting, "pose", 0);
        long other = wholeTrack(stagedVideo("other", 100), "pose", 0);
        Lease held = claimOrFail(100);
        assertEquals(pose, held.trackId());
        Lease broken = claimOrFail(50);
        assertEquals(pose, broken.trackId());
        ledger.fail(broken, broken.range().from(), "decoder crashed", true);
        assertEquals(List.of("waiting"), ids(ledger.videosToStage(10)));

        assertEquals(2, ledger.setAside("big", "larger than the workspace"), "the pending rest of pose, and detect");
        assertEquals(1, ledger.setAside("waiting", "larger than the workspace"));
        assertEquals(List.of(), ids(ledger.videosToStage(10)), "a video set aside is not staged");
        assertEquals(List.of(held.range()), rangesIn(pose, ChunkState.LEASED), "a leased chunk stays with its worker");
        ChunkView rest = chunks(detect).get(0);
        assertEquals(ChunkState.FAILED, rest.state());
        assertEquals(Optional.of(WorkLedger.SET_ASIDE_PREFIX + "larger than the workspace"), rest.failureReason());
        assertEquals(List.of(FrameRange.of(0, 100)), rangesIn(other, ChunkState.PENDING), "other videos are untouched");
        WorkEstimate estimate = ledger.estimate();
        assertEquals(100, estimate.claimableFrames());
        assertEquals(0, estimate.waitingFrames());
        Lease next = claimOrFail(1_000);
        assertEquals(other, next.trackId(), "set-aside chunks are not claimed");
        assertEquals(0, ledger.setAside("big", "again"), "nothing pending is left to set aside");
        assertThrows(NotFoundException.class, () -> ledger.setAside("no-such-video", "x"));
        ledger.complete(held, held.range().to());

        assertEquals(2, ledger.takeBack("big"));
        assertEquals(List.of(FrameRange.of(100, 150)), rangesIn(pose, ChunkState.FAILED), "an ordinary failure stays failed");
        assertEquals(List.of(FrameRange.of(150, 1_000)), rangesIn(pose, ChunkState.PENDING));
        assertEquals(List.of(FrameRange.of(0, 1_000)), rangesIn(detect, ChunkState.PENDING));
        assertEquals(0, ledger.takeBack("big"));
        assertEquals(List.of(), ids(ledger.videosToStage(10)), "waiting is still set aside");
        assertEquals(1, ledger.takeBack("waiting"));
        assertEquals(List.of("waiting"), ids(ledger.videosToStage(10)));
        assertEquals(List.of(FrameRange.of(0, 100)), rangesIn(waitingTrack, ChunkState.PENDING));
        assertPartition(pose, big.allFrames(), "after set aside and take back");
        assertPartition(detect, big.allFrames(), "after set aside and take back");
    }

    @Test
    void leasedFramesAreSummedPerJob() {
        wholeTrack(stagedVideo("v", 1_000), "pose", 0);
        assertEquals(Map.of(), ledger.reader().leasedFramesByJob());
        ledger.claim(ClaimRequest.of("w1", 100, LEASE).withJobId("job-1")).orElseThrow();
        ledger.claim(ClaimRequest.of("w1", 50, LEASE).withJobId("job-1")).orElseThrow();
        Lease ofJob2 = ledger.claim(ClaimRequest.of("w2", 30, LEASE).withJobId("job-2")).orElseThrow();
        ledger.claim(ClaimRequest.of("w3", 20, LEASE)).orElseThrow();
        assertEquals(Map.of("job-1", 150L, "job-2", 30L), ledger.reader().leasedFramesByJob(), "leases without a job are left out");
        ledger.complete(ofJob2, ofJob2.range().to());
        assertEquals(Map.of("job-1", 150L), ledger.reader().leasedFramesByJob());
    }

    @Test
    void doneChunksKeepNoFailureReasonOfAnEarlierAttempt() {
        long track = wholeTrack(stagedVideo("v", 100), "pose", 0);
        ledger.fail(claimOrFail(100), 0, "decoder crashed", false);
        assertEquals(Optional.of("decoder crashed"), chunks(track).get(0).failureReason(), "the pending chunk tells why");
        // Completed in part: the DONE part keeps the row, the rest is a new one.
        ledger.complete(claimOrFail(100), 30);
        // Reaped from a checkpoint: likewise.
        Lease reaped = claimOrFail(100);
        ledger.heartbeat(reaped, 60);
        clock.advance(LEASE.plusSeconds(1));
        assertEquals(1, ledger.reapExpired());
        // Completed whole: one guarded update.
        Lease last = claimOrFail(100);
        assertEquals(FrameRange.of(60, 100), last.range());
        ledger.complete(last, 100);
        List<ChunkView> done = chunks(track).stream().filter(c -> c.state() == ChunkState.DONE).toList();
        assertEquals(List.of(FrameRange.of(0, 30), FrameRange.of(30, 60), FrameRange.of(60, 100)),
                done.stream().map(ChunkView::range).toList());
        for (ChunkView chunk : done) {
            assertEquals(Optional.empty(), chunk.failureReason(), "DONE chunk " + chunk.range() + " keeps a stale reason");
        }
    }

    // --- staging -----------------------------------------------------------------------------------

    @Test
    void videosToStageInPlanOrderAndVideosToPurgeWhenFinished() {
        Video first = video("first", 10, Map.of());
        Video second = video("second", 10, Map.of());
        Video third = video("third", 10, Map.of());
        Video idle = video("idle", 10, Map.of());
        for (Video v : List.of(first, second, third, idle)) {
            ledger.registerVideo(v);
        }
        wholeTrack(first, "pose", 0);
        wholeTrack(second, "pose", 7);
        wholeTrack(third, "pose", 0);
        assertEquals(List.of("second", "first", "third"), ids(ledger.videosToStage(10)), "priority, then registration order");
        assertEquals(List.of("second"), ids(ledger.videosToStage(1)));
        assertThrows(IllegalArgumentException.class, () -> ledger.videosToStage(0));

        ledger.markStaging("second");
        ledger.markStageFailed("first", "disk full");
        assertEquals(List.of("first", "third"), ids(ledger.videosToStage(10)), "staging is under way; a failure is retried");
        assertEquals(Optional.of("disk full"), ledger.video("first").orElseThrow().stageError());
        assertThrows(IllegalArgumentException.class,
                () -> ledger.markStaged("third", " "), "STAGED needs a location");
        assertThrows(IllegalArgumentException.class,
                () -> ledger.markStageFailed("third", ""), "a failure needs its reason");
        assertThrows(NotFoundException.class,
                () -> ledger.markStaging("nope"));

        ledger.markStaged("second", "/ws/second");
        assertEquals(List.of("first", "third"), ids(ledger.videosToStage(10)), "a staged video is not staged again");
        assertEquals(List.of(), ledger.videosToPurge(), "second still has pending work");
        Lease lease = claimOrFail(100);
        assertEquals("second", lease.videoId());
        assertEquals(List.of(), ledger.videosToPurge(), "second still has leased work");
        ledger.complete(lease, 10);
        assertEquals(List.of("second"), ids(ledger.videosToPurge()));
        ledger.markPurged("second");
        assertEquals(List.of(), ledger.videosToPurge());
        assertFalse(ids(ledger.videosToStage(10)).contains("second"), "purged without pending work is not staged again");
    }

    @Test
    void videosToStageKeepsThePlanOrderOverHundredsOfVideos() {
        // More videos than a store reads in one batch, with the pieces of the plan order mixed at random: the top
        // priority of a video's tracks with pending frames, then registration order; staged and idle videos left out.
        Seeded seeded = Seeded.fromProperty();
        Random random = seeded.random();
        String why = seeded.why();
        Map<String, Integer> topPriority = new LinkedHashMap<>();
        for (int v = 0; v < 260; v++) {
            String id = "plan " + v;
            Video video = video(id, 10, v % 7 == 0 ? Map.of("camera", "c" + v) : Map.of());
            ledger.registerVideo(video);
            int kind = random.nextInt(10);
            if (kind == 0) {
                continue; // no track: nothing to stage
            }
            int top = random.nextInt(5);
            wholeTrack(video, "pose", top);
            if (kind == 1) {
                int other = random.nextInt(5);
                wholeTrack(video, "face", other);
                top = Math.max(top, other);
            }
            if (kind == 2) {
                ledger.markStaged(id, "/ws/" + v);
                continue;
            }
            topPriority.put(id, top);
        }
        List<String> expected = topPriority.keySet().stream()
                .sorted(Comparator.comparing((String id) -> -topPriority.get(id))).collect(Collectors.toList());
        List<VideoRecord> plan = ledger.videosToStage(1_000);
        assertEquals(expected, ids(plan), why);
        assertEquals(expected.subList(0, 30), ids(ledger.videosToStage(30)), why);
        for (VideoRecord record : plan) {
            int v = Integer.parseInt(record.video().id().substring("plan ".length()));
            assertEquals(v % 7 == 0 ? Map.of("camera", "c" + v) : Map.of(), record.video().tags(), why);
        }
    }

    /** A seeded generator for a randomized test, and the words that let a failure be rerun. */
    private record Seeded(Random random, String why) {

        /** Seeded from {@code -Djuggler.contract.seed}, else from the clock. */
        static Seeded fromProperty() {
            long seed = Long.getLong("juggler.contract.seed", System.nanoTime());
            return new Seeded(new Random(seed), "seed " + seed + " (rerun with -Djuggler.contract.seed=" + seed + ")");
        }
    }

    private static List<String> ids(List<VideoRecord> records) {
        return records.stream().map(r -> r.video().id()).collect(Collectors.toList());
    }

    @Test
    void estimateAndProgressCountFramesByState() {
        Video staged = stagedVideo("staged", 100);
        Video waiting = video("waiting", 40, Map.of());
        ledger.registerVideo(waiting);
        long stagedTrack = wholeTrack(staged, "pose", 0);
        wholeTrack(waiting, "pose", 0);
        assertEquals(new WorkEstimate(100, 40, 0, 0, 0), ledger.estimate());
        Lease lease = claimOrFail(30);
        ledger.complete(lease, 10);
        Lease second = claimOrFail(30);
        assertEquals(FrameRange.of(10, 30), second.range());
        ledger.fail(second, 10, "bad", true);
        ledger.claim(ClaimRequest.of("w", 5, LEASE)).orElseThrow();
        WorkEstimate estimate = ledger.estimate();
        assertEquals(new WorkEstimate(65, 40, 5, 10, 20), estimate);
        assertEquals(140, estimate.totalFrames());
        assertFalse(estimate.isSettled());

        Progress progress = ledger.reader().progress();
        assertEquals(estimate, progress.frames());
        assertEquals(1, progress.tracksRunning());
        assertEquals(1, progress.tracksPending());
        assertEquals(2, progress.tracksTotal());
        TrackView view = ledger.reader().tracks(new TrackQuery(Optional.of("staged"), Optional.empty(), TrackQuery.Sort.ID, 0, 10))
                .get(0);
        assertEquals(stagedTrack, view.trackId());
        assertEquals(10, view.framesDone());
        assertEquals(20, view.framesFailed());
        assertEquals(5, view.framesLeased());
        assertEquals(ChunkState.LEASED, view.state());
    }

    @Test
    void readerFiltersSortsAndPagesTracksAndChunks() {
        for (int i = 0; i < 5; i++) {
            Video v = stagedVideo("v" + i, 10);
            wholeTrack(v, "pose", i % 3);
            wholeTrack(v, "detect", 0);
        }
        TrackQuery byPriority = new TrackQuery(Optional.empty(), Optional.of("pose"), TrackQuery.Sort.PRIORITY_DESC, 0, 2);
        List<TrackView> page1 = ledger.reader().tracks(byPriority);
        assertEquals(List.of(2, 1), page1.stream().map(TrackView::priority).collect(Collectors.toList()));
        List<TrackView> page2 = ledger.reader().tracks(new TrackQuery(Optional.empty(), Optional.of("pose"),
                TrackQuery.Sort.PRIORITY_DESC, 2, 10));
        assertEquals(List.of(1, 0, 0), page2.stream().map(TrackView::priority).collect(Collectors.toList()));
        List<TrackView> byVideo = ledger.reader().tracks(new TrackQuery(Optional.empty(), Optional.empty(), TrackQuery.Sort.VIDEO, 0,
                100));
        assertEquals(10, byVideo.size());
        assertEquals("v0", byVideo.get(0).videoId());
        assertEquals("v4", byVideo.get(9).videoId());
        assertTrue(byVideo.stream().allMatch(t -> t.state() == ChunkState.PENDING));

        Lease lease = claimOrFail(4);
        List<ChunkView> leased = ledger.reader().chunks(ChunkQuery.inState(ChunkState.LEASED, 10));
        assertEquals(1, leased.size());
        assertFalse(leased.get(0).toString().contains(lease.token()), "a chunk view never shows the lease token");
        List<ChunkView> ofTrack = chunks(lease.trackId());
        assertEquals(List.of(FrameRange.of(0, 4), FrameRange.of(4, 10)),
                ofTrack.stream().map(ChunkView::range).collect(Collectors.toList()), "ordered by first frame");
        List<ChunkView> second = ledger.reader().chunks(new ChunkQuery(Optional.of(lease.trackId()), Optional.empty(), 1, 10));
        assertEquals(List.of(FrameRange.of(4, 10)), second.stream().map(ChunkView::range).collect(Collectors.toList()));
        assertEquals(List.of(), ledger.reader().chunks(ChunkQuery.ofTrack(987_654_321L, 10)));
    }

    // --- results -----------------------------------------------------------------------------------

    @Test
    void resultsAreIdempotentAndReadInFrameOrder() {
        Video video = stagedVideo("v", 2000);
        long track = wholeTrack(video, "pose", 0);
        List<FrameResult> results = new ArrayList<>();
        for (int frame = 1999; frame >= 0; frame--) {
            results.add(new FrameResult(track, frame, "{\"version\":1.3,\"people\":[],\"frame\":" + frame + "}"));
        }
        ledger.storeResults(results);
        ledger.storeResults(results.subList(0, 500));
        ledger.storeResults(List.of());
        List<FrameResult> read = new ArrayList<>();
        ledger.readResults(track, video.allFrames(), read::add);
        assertEquals(2000, read.size(), "a frame stored twice keeps one row");
        for (int frame = 0; frame < 2000; frame++) {
            assertEquals(frame, read.get(frame).frame());
            assertEquals(track, read.get(frame).trackId());
        }
        List<Long> window = new ArrayList<>();
        ledger.readResults(track, FrameRange.of(10, 13), r -> window.add(r.frame()));
        assertEquals(List.of(10L, 11L, 12L), window);
        assertThrows(NotFoundException.class, () -> ledger.storeResults(List.of(new FrameResult(987_654_321L, 0, "{}"))));
        assertThrows(NotFoundException.class, () -> ledger.readResults(987_654_321L, FrameRange.of(0, 1), r -> { }));
    }

    /**
     * Batches as workers and re-runs write them (runs of frames, gaps, overlaps with what is stored, a frame
     * twice in one batch, two tracks in one batch), against a model in which a frame's first payload wins;
     * then reads of random ranges, many starting and ending inside runs, and of the whole track.
     */
    @Test
    void randomBatchesKeepEachFramesFirstPayloadAndAnyRangeReadsBackExactly() {
        Seeded seeded = Seeded.fromProperty();
        Random random = seeded.random();
        int length = 3_000;
        Video video = stagedVideo("v", length);
        long track = wholeTrack(video, "pose", 0);
        long other = wholeTrack(video, "other", 0);
        TreeMap<Long, String> model = new TreeMap<>();
        TreeMap<Long, String> otherModel = new TreeMap<>();
        for (int batch = 0; batch < 40; batch++) {
            List<FrameResult> results = new ArrayList<>();
            int from = random.nextInt(length);
            int count = 1 + random.nextInt(random.nextBoolean() ? 8 : 400);
            int step = random.nextInt(5) == 0 ? 1 + random.nextInt(3) : 1;
            for (int frame = from; frame < Math.min(length, from + count * step); frame += step) {
                int kind = random.nextInt(4);
                String payload = kind == 0 ? "x".repeat(random.nextInt(3_000))
                        : kind == 1 ? "{\"version\":1.3,\"people\":[],\"b\":" + batch + ",\"f\":" + frame + "}"
                        : onePerson(frame + 0.5, batch + 1);
                results.add(new FrameResult(track, frame, payload));
                if (random.nextInt(50) == 0) {
                    results.add(new FrameResult(track, frame, "the same frame again in batch " + batch));
                }
            }
            if (random.nextInt(4) == 0) {
                results.add(new FrameResult(other, random.nextInt(length), "other " + batch));
            }
            Collections.shuffle(results, random);
            for (FrameResult result : results) { // within a batch, too, the first in the list wins
                (result.trackId() == track ? model : otherModel).putIfAbsent(result.frame(), result.payload());
            }
            ledger.storeResults(results);
        }
        for (int read = 0; read < 60; read++) {
            int from = read == 0 ? 0 : random.nextInt(length);
            int to = read == 0 ? length : Math.min(length, from + 1 + random.nextInt(200));
            List<FrameResult> got = new ArrayList<>();
            ledger.readResults(track, FrameRange.of(from, to), got::add);
            List<String> expected = new ArrayList<>(model.subMap((long) from, (long) to).values());
            List<Long> expectedFrames = new ArrayList<>(model.subMap((long) from, (long) to).keySet());
            assertEquals(expectedFrames, got.stream().map(FrameResult::frame).collect(Collectors.toList()),
                    seeded.why() + ": frames of [" + from + ", " + to + ")");
            assertEquals(expected, got.stream().map(FrameResult::payload).collect(Collectors.toList()),
                    seeded.why() + ": payloads of [" + from + ", " + to + ")");
        }
        List<FrameResult> others = new ArrayList<>();
        ledger.readResults(other, FrameRange.of(0, length), others::add);
        assertEquals(new ArrayList<>(otherModel.values()), others.stream().map(FrameResult::payload).collect(Collectors.toList()),
                seeded.why());
    }

    /** An OpenPose document as Juggler writes it (so a JDBC ledger stores it in its compact form). */
    private static String onePerson(double x, int y) {
        return "{\"version\":1.3,\"people\":[{\"person_id\":[-1],\"pose_keypoints_2d\":[" + x + "," + y + ",0.25,0,0,0],"
                + "\"face_keypoints_2d\":[],\"hand_left_keypoints_2d\":[],\"hand_right_keypoints_2d\":[],\"pose_keypoints_3d\":[],"
                + "\"face_keypoints_3d\":[],\"hand_left_keypoints_3d\":[],\"hand_right_keypoints_3d\":[]}]}";
    }

    // --- hostile input -----------------------------------------------------------------------------

    @Test
    void hostileAndUnicodeTextRoundTrips() {
        List<String> hostile = List.of("'; DROP TABLE x; --", "$(touch /tmp/x)", "Ünïcødé-视频-🎥", "a\"b\\c%_*?", "tab\tnew\nline");
        List<Long> tracks = new ArrayList<>();
        for (String text : hostile) {
            Video video = new Video(text, "/corpus/" + text, 10, 25, 1, Map.of(text, text, "plain", text));
            ledger.registerVideo(video);
            assertEquals(video, ledger.video(text).orElseThrow().video(), text);
            ledger.markStaged(text, "/ws/" + text);
            tracks.add(ledger.addTrack(new TrackSpec(text, text, FrameRange.of(0, 10), 0)));
        }
        assertEquals(hostile.size(), tracks.stream().distinct().count());
        Map<Long, String> textOfTrack = new HashMap<>();
        for (int i = 0; i < hostile.size(); i++) {
            textOfTrack.put(tracks.get(i), hostile.get(i));
        }
        for (int i = 0; i < hostile.size(); i++) {
            Lease lease = ledger.claim(new ClaimRequest(hostile.get(i), Optional.of(hostile.get(i)), 10, LEASE, Optional.empty()))
                    .orElseThrow();
            String text = textOfTrack.get(lease.trackId());
            assertEquals(text, lease.videoId());
            assertEquals(text, lease.analysis());
            assertEquals("/ws/" + text, lease.videoLocation());
            ledger.storeResults(List.of(new FrameResult(lease.trackId(), 0, text)));
            List<String> payloads = new ArrayList<>();
            ledger.readResults(lease.trackId(), FrameRange.of(0, 1), r -> payloads.add(r.payload()));
            assertEquals(List.of(text), payloads);
            ledger.fail(lease, 0, text, true);
        }
        for (String text : hostile) {
            assertEquals(1, ledger.reschedule(RescheduleFilter.all().andTag(text, text).andReason(java.util.regex.Pattern.quote(text))),
                    text);
        }
        assertEquals(hostile.size(), ledger.reader().progress().tracksPending(), "all re-scheduled tracks are pending again");
        assertEquals(0, ledger.revokeJob("'; DROP TABLE x; --", "$(touch /tmp/x)"));
        assertEquals(hostile.size(), ledger.reader().tracks(TrackQuery.firstPage(100)).size(), "tables are still there");
        assertTrue(ledger.video("' OR '1'='1").isEmpty());
    }

    @Test
    void unknownIdsAreReportedAsNotFound() {
        assertThrows(NotFoundException.class,
                () -> ledger.markStaged("ghost", "/ws/ghost"));
        assertThrows(NotFoundException.class, () -> ledger.addTrack(new TrackSpec("ghost", "pose", FrameRange.of(0, 0), 0)));
        assertEquals(Optional.empty(), ledger.video("ghost"));
        assertEquals(0, ledger.reschedule(RescheduleFilter.track(987_654_321L)));
        assertEquals(new WorkEstimate(0, 0, 0, 0, 0), ledger.estimate());
        assertEquals(0, ledger.reader().progress().tracksTotal());
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        Video video = stagedVideo("v", 100);
        long track = wholeTrack(video, "pose", 0);
        Lease a = claimOrFail(40);
        Lease b = claimOrFail(40);
        List<ChunkView> before = chunks(track);

        // a token from another lease, on this lease's chunk, and this lease's token with another range
        Lease swapped = new Lease(a.chunkId(), b.token(), a.trackId(), a.analysis(), a.videoId(), a.videoLocation(), a.range(),
                a.expiresAt(), a.attempt());
        assertThrows(LeaseLostException.class, () -> ledger.complete(swapped, a.range().to()));
        assertThrows(LeaseLostException.class, () -> ledger.heartbeat(swapped, a.range().from()));
        assertThrows(LeaseLostException.class, () -> ledger.fail(swapped, a.range().from(), "x", true));
        Lease widened = new Lease(a.chunkId(), a.token(), a.trackId(), a.analysis(), a.videoId(), a.videoLocation(),
                FrameRange.of(a.range().from(), 100), a.expiresAt(), a.attempt());
        assertThrows(LeaseLostException.class, () -> ledger.complete(widened, 100), "a lease cannot be stretched over other frames");

        // out-of-range frame numbers
        assertThrows(IllegalArgumentException.class, () -> ledger.complete(a, a.range().to() + 1));
        assertThrows(IllegalArgumentException.class, () -> ledger.complete(a, a.range().from() - 1));
        assertThrows(IllegalArgumentException.class, () -> ledger.fail(a, a.range().to() + 5, "x", false));
        assertThrows(IllegalArgumentException.class, () -> ledger.heartbeat(b, Long.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> ledger.addTrack(new TrackSpec("v", "pose2", FrameRange.of(50, 101), 0)));
        assertThrows(IllegalArgumentException.class, () -> ledger.videosToStage(0));
        assertThrows(IllegalArgumentException.class, () -> ledger.videosToStage(-3));
        assertThrows(IllegalArgumentException.class,
                () -> ledger.markStaged("v", ""), "STAGED needs a location");
        assertThrows(NullPointerException.class, () -> ledger.markStaged("v", null));
        assertThrows(NotFoundException.class, () -> ledger.markPurged("nope"));

        // negative sizes never reach the ledger: the value types refuse them
        assertThrows(IllegalArgumentException.class, () -> ClaimRequest.of("w", 0, LEASE));
        assertThrows(IllegalArgumentException.class, () -> ClaimRequest.of("w", -5, LEASE));
        assertThrows(IllegalArgumentException.class, () -> ClaimRequest.of("w", 5, Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> FrameRange.of(-1, 10));
        assertThrows(IllegalArgumentException.class, () -> FrameRange.of(10, 9));
        assertThrows(IllegalArgumentException.class, () -> new FrameResult(track, -1, "{}"));
        assertThrows(IllegalArgumentException.class, () -> new Video("w", "/corpus/w", -1, 25, 0, Map.of()));

        // unknown ids
        assertThrows(NotFoundException.class, () -> ledger.storeResults(List.of(new FrameResult(track, 0, "{}"),
                new FrameResult(987_654_321L, 0, "{}"))));
        assertEquals(0, ledger.revokeJob("no-such-job", "gone"));
        List<FrameResult> none = new ArrayList<>();
        ledger.readResults(track, FrameRange.of(0, 100), none::add);
        assertEquals(List.of(), none, "a refused batch stores nothing, not even its valid rows");

        assertEquals(before, chunks(track), "refused calls changed nothing");
        ledger.complete(a, a.range().to());
        ledger.complete(b, b.range().to());
        assertEquals(List.of(FrameRange.of(0, 40), FrameRange.of(40, 80)), rangesIn(track, ChunkState.DONE));
    }

    // --- randomized --------------------------------------------------------------------------------

    @Test
    void randomizedOperationsKeepTheInvariants() {
        Seeded seeded = Seeded.fromProperty();
        Random random = seeded.random();
        String why = seeded.why();
        Map<Long, FrameRange> trackRanges = new HashMap<>();
        int videos = 2 + random.nextInt(3);
        for (int v = 0; v < videos; v++) {
            Video video = stagedVideo("rv" + v, 20 + random.nextInt(300));
            int tracks = 1 + random.nextInt(2);
            for (int t = 0; t < tracks; t++) {
                long from = random.nextInt(10);
                FrameRange range = FrameRange.of(from, from + 1 + random.nextInt((int) (video.frameCount() - from)));
                long id = ledger.addTrack(new TrackSpec(video.id(), "a" + t, range, random.nextInt(3)));
                trackRanges.put(id, range);
            }
        }
        List<Lease> live = new ArrayList<>();
        List<Lease> ended = new ArrayList<>();
        for (int step = 0; step < 2000; step++) {
            int op = random.nextInt(10);
            if (op <= 2 || live.isEmpty()) {
                Optional<Lease> lease = ledger.claim(ClaimRequest.of("w" + random.nextInt(3), 1 + random.nextInt(60),
                        Duration.ofSeconds(30 + random.nextInt(60))));
                lease.ifPresent(live::add);
                if (lease.isEmpty() && live.isEmpty()) {
                    if (ledger.reschedule(RescheduleFilter.all()) == 0 && ledger.estimate().isSettled()) {
                        break;
                    }
                }
            } else if (op == 3) {
                Lease lease = live.get(random.nextInt(live.size()));
                long checkpoint = lease.range().from() + random.nextInt((int) lease.range().length() + 1);
                live.set(live.indexOf(lease), ledger.heartbeat(lease, checkpoint));
            } else if (op <= 6) {
                Lease lease = live.remove(random.nextInt(live.size()));
                long doneUntil = random.nextInt(3) == 0 ? lease.range().from() + random.nextInt((int) lease.range().length() + 1)
                        : lease.range().to();
                ledger.complete(lease, doneUntil);
                ended.add(lease);
            } else if (op == 7) {
                Lease lease = live.remove(random.nextInt(live.size()));
                ledger.fail(lease, lease.range().from() + random.nextInt((int) lease.range().length() + 1), "random failure",
                        random.nextInt(5) == 0);
                ended.add(lease);
            } else if (op == 8) {
                clock.advance(Duration.ofSeconds(random.nextInt(50)));
                int reaped = ledger.reapExpired();
                if (reaped > 0) {
                    List<Long> leasedNow = ledger.reader().chunks(ChunkQuery.inState(ChunkState.LEASED, 10_000)).stream()
                            .map(ChunkView::chunkId).collect(Collectors.toList());
                    List<Lease> gone = live.stream().filter(l -> !leasedNow.contains(l.chunkId())).collect(Collectors.toList());
                    assertEquals(reaped, gone.size(), why + ": reaped count at step " + step);
                    live.removeAll(gone);
                    ended.addAll(gone);
                }
            } else if (!ended.isEmpty()) {
                Lease stale = ended.get(random.nextInt(ended.size()));
                try {
                    if (random.nextBoolean()) {
                        ledger.complete(stale, stale.range().to());
                    } else {
                        ledger.heartbeat(stale, stale.range().from());
                    }
                    fail(why + ": a stale lease was accepted at step " + step + ": " + stale);
                } catch (LeaseLostException expected) {
                    // the only acceptable outcome
                }
            }
            if (step % 50 == 0) {
                for (Map.Entry<Long, FrameRange> track : trackRanges.entrySet()) {
                    assertPartition(track.getKey(), track.getValue(), why + ", step " + step);
                }
            }
        }
        // Drain: finish everything that is left, re-scheduling failures, until the ledger is settled and all done.
        for (Lease lease : live) {
            ledger.complete(lease, lease.range().to());
        }
        for (int round = 0; round < 10_000; round++) {
            Optional<Lease> lease = claim(1 + round % 97);
            if (lease.isPresent()) {
                ledger.complete(lease.get(), lease.get().range().to());
            } else if (ledger.reschedule(RescheduleFilter.all()) == 0) {
                break;
            }
        }
        assertTrue(ledger.estimate().isSettled(), why + ": " + ledger.estimate());
        assertEquals(0, ledger.estimate().failedFrames(), why);
        for (Map.Entry<Long, FrameRange> track : trackRanges.entrySet()) {
            List<FrameRange> done = rangesIn(track.getKey(), ChunkState.DONE);
            long next = track.getValue().from();
            for (FrameRange range : done) {
                assertEquals(next, range.from(), why + ": DONE chunks of track " + track.getKey() + " must be disjoint and gap-free: "
                        + done);
                next = range.to();
            }
            assertEquals(track.getValue().to(), next, why + ": DONE chunks must cover track " + track.getKey() + " exactly: " + done);
        }
        assertEquals(trackRanges.size(), ledger.reader().progress().tracksDone(), why);
    }
}
