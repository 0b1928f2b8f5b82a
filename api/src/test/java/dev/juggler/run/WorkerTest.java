package dev.juggler.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import dev.juggler.ledger.ClaimRequest;
import dev.juggler.ledger.InMemoryWorkLedger;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.FrameResult;
import dev.juggler.ledger.Lease;
import dev.juggler.pipeline.FramePipeline;
import dev.juggler.pipeline.PipelineReport;
import dev.juggler.pipeline.PipelineRequest;
import dev.juggler.pipeline.StageStats;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import dev.juggler.video.VideoException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The worker's own decisions (what to claim, what to report back), against the in-memory ledger and a scripted pipeline. */
class WorkerTest {

    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    /**
     * The in-memory ledger, recording what the worker asks of it; a lease can be made to be revoked (its job
     * ended) when a heartbeat reaches a checkpoint.
     */
    static final class RecordingLedger extends InMemoryWorkLedger {
        final List<Long> storedAtHeartbeat = new ArrayList<>();
        final List<ClaimRequest> claims = new ArrayList<>();
        final List<String> calls = new ArrayList<>();
        final List<FrameResult> stored = new ArrayList<>();
        long revokeAfterCheckpoint = Long.MAX_VALUE;
        private int videos;

        RecordingLedger() {
            this(DEFAULT_MAX_ATTEMPTS);
        }

        RecordingLedger(int maxAttempts) {
            super(Clock.fixed(NOW, ZoneOffset.UTC), maxAttempts);
        }

        /** Adds work: a track over frames {@code [from, to)} of a new staged video, one pending chunk. */
        void offer(long from, long to) {
            String id = "v" + ++videos;
            registerVideo(new Video(id, "/src/" + id, to, 25, to, Map.of()));
            markStaged(id, "/ws/" + id + ".mp4");
            addTrack(new TrackSpec(id, "a", FrameRange.of(from, to), 0));
        }

        @Override
        public Optional<Lease> claim(ClaimRequest request) {
            claims.add(request);
            return super.claim(request);
        }

        @Override
        public Lease heartbeat(Lease lease, long checkpoint) {
            storedAtHeartbeat.add((long) stored.size());
            calls.add("heartbeat " + lease.chunkId() + " " + checkpoint);
            if (checkpoint >= revokeAfterCheckpoint) {
                revokeJob(claims.get(claims.size() - 1).jobId().orElseThrow(), "job ended");
            }
            return super.heartbeat(lease, checkpoint);
        }

        @Override
        public void complete(Lease lease, long doneUntil) {
            calls.add("complete " + lease.chunkId() + " " + doneUntil);
            super.complete(lease, doneUntil);
        }

        @Override
        public void fail(Lease lease, long doneUntil, String reason, boolean permanent) {
            calls.add("fail " + lease.chunkId() + " " + doneUntil + " " + permanent + " " + reason);
            super.fail(lease, doneUntil, reason, permanent);
        }

        @Override
        public void storeResults(List<FrameResult> results) {
            stored.addAll(results);
            super.storeResults(results);
        }
    }

    /** Delivers every frame (reporting each one done) or breaks at a given frame; takes 1 s per 100 frames. */
    static final class ScriptedPipeline implements FramePipeline {
        long breakAt = -1;

        @Override
        public PipelineReport run(PipelineRequest request) {
            long frame = request.range().from();
            for (; frame < request.range().to(); frame++) {
                if (frame == breakAt || request.stopRequested().getAsBoolean()) {
                    break;
                }
                request.sink().accept(new FrameResult(request.trackId(), frame, "{}"));
                // Every frame is reported done; the worker's checkpointing sink (every 10) decides the rest.
                if (frame + 1 < request.range().to() && !request.checkpoints().onCheckpoint(frame + 1)) {
                    frame++;
                    break;
                }
            }
            request.sink().flush();
            Optional<dev.juggler.JugglerException> failure = frame == breakAt
                    ? Optional.of(new VideoException("/ws/v.mp4", VideoException.Kind.DAMAGED, frame, "bad packet", null))
                    : Optional.empty();
            long done = frame - request.range().from();
            return new PipelineReport(request.range(), frame, failure, false, Duration.ofMillis(done * 10), StageStats.EMPTY,
                    StageStats.EMPTY, StageStats.EMPTY);
        }

        @Override
        public void close() {
        }
    }

    final RecordingLedger ledger = new RecordingLedger();
    final ScriptedPipeline pipeline = new ScriptedPipeline();

    @Test
    void completesWhatItClaimsUntilNothingIsLeft() {
        ledger.offer(0, 25); // chunk 1
        ledger.offer(25, 40); // chunk 2
        Worker.Report report = Worker.builder(ledger, pipeline).checkpointEveryFrames(10)
                .workerId("w1").jobId("job-9").build().run();
        assertEquals(Worker.StopReason.NO_WORK, report.stopReason());
        assertEquals(40, report.framesDone());
        assertEquals(2, report.rangesCompleted());
        // Checkpoints come every 10 frames from the start of each range (the worker's checkpointing sink).
        assertEquals(List.of("heartbeat 1 10", "heartbeat 1 20", "complete 1 25", "heartbeat 2 35", "complete 2 40"),
                ledger.calls);
        assertEquals(40, ledger.stored.size());
        assertEquals(Optional.of("job-9"), ledger.claims.get(0).jobId());
    }

    @Test
    void storesTheResultsBeforeEveryHeartbeatAtItsOwnCheckpointPeriod() {
        ledger.offer(0, 100);
        Worker.builder(ledger, pipeline).checkpointEveryFrames(30).resultBatch(1000).workerId("w1").build().run();
        assertEquals(List.of("heartbeat 1 30", "heartbeat 1 60", "heartbeat 1 90", "complete 1 100"), ledger.calls);
        assertEquals(List.of(30L, 60L, 90L), ledger.storedAtHeartbeat, "a checkpoint never passes an unstored result");
        assertEquals(100, ledger.stored.size());
    }

    @Test
    void aBrokenVideoIsRecordedAsAPermanentFailureAndTheWorkerMovesOn() {
        ledger.offer(0, 50);
        ledger.offer(50, 60);
        pipeline.breakAt = 33;
        Worker.Report report = Worker.builder(ledger, pipeline).checkpointEveryFrames(10)
                .workerId("w1").build().run();
        assertEquals(1, report.rangesFailed());
        assertEquals(1, report.rangesCompleted());
        assertTrue(ledger.calls.contains("fail 1 33 true video damaged at frame 33: /ws/v.mp4 (bad packet)"), ledger.calls.toString());
        assertTrue(ledger.calls.contains("complete 2 60"), ledger.calls.toString());
        assertEquals(43, report.framesDone());
    }

    @Test
    void aLostLeaseIsAbandonedWithoutCompleting() {
        RecordingLedger once = new RecordingLedger(1); // the revoked frames have no attempt left: no work after
        once.offer(0, 100);
        once.revokeAfterCheckpoint = 20;
        Worker.Report report = Worker.builder(once, pipeline).checkpointEveryFrames(10)
                .workerId("w1").jobId("job-1").build().run();
        assertEquals(1, report.leasesLost());
        assertTrue(once.calls.stream().noneMatch(c -> c.startsWith("complete") || c.startsWith("fail")), once.calls.toString());
        assertEquals(List.of("heartbeat 1 10", "heartbeat 1 20"), once.calls);
    }

    @Test
    void claimsWhatFitsIntoTheRemainingTimeAtTheMeasuredRate() {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        Worker worker = Worker.builder(ledger, pipeline).clock(clock).deadline(NOW.plus(Duration.ofMinutes(10)))
                .safetyMargin(Duration.ofMinutes(2)).initialChunkFrames(300).maxChunkFrames(10_000)
                .targetChunkDuration(Duration.ofMinutes(30)).build();
        assertEquals(300, worker.framesToClaim(0), "no rate measured yet");
        assertEquals(4800, worker.framesToClaim(10), "10 frames/s for the 8 minutes left");
        assertEquals(10_000, worker.framesToClaim(1000), "capped");
        Worker late = Worker.builder(ledger, pipeline).clock(clock).deadline(NOW.plusSeconds(60))
                .safetyMargin(Duration.ofMinutes(2)).build();
        assertEquals(0, late.framesToClaim(10), "inside the safety margin nothing is claimed");
        assertEquals(Worker.StopReason.BUDGET, late.run().stopReason());
    }

    @Test
    void secondChunkIsSizedByTheMeasuredRate() {
        ledger.offer(0, 100_000);
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        Worker.builder(ledger, pipeline).clock(clock).initialChunkFrames(50).targetChunkDuration(Duration.ofSeconds(2))
                .build().run();
        assertEquals(50, ledger.claims.get(0).maxFrames());
        // The scripted pipeline runs 100 frames/s: 2 s worth is 200 frames.
        assertEquals(200, ledger.claims.get(1).maxFrames());
    }

    @Test
    void readsItsJobAndDeadlineFromTheBackendEnvironment() {
        Worker.Builder builder = Worker.builder(ledger, pipeline).checkpointEveryFrames(10);
        builder.fromEnvironment(Map.of("JUGGLER_JOB_ID", "local-3", "JUGGLER_JOB_DEADLINE_MS", "1767225600000"));
        InvalidConfigException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidConfigException.class,
                () -> builder.fromEnvironment(Map.of("JUGGLER_JOB_DEADLINE_MS", "soon")));
        assertTrue(e.getMessage().contains("soon"));
        ledger.offer(0, 5);
        builder.clock(Clock.fixed(Instant.ofEpochMilli(1767225600000L - 3_600_000), ZoneOffset.UTC)).build().run();
        assertEquals(Optional.of("local-3"), ledger.claims.get(0).jobId());
    }
}
