package dev.juggler.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import dev.juggler.ledger.ClaimRequest;
import dev.juggler.ledger.FrameResult;
import dev.juggler.ledger.Lease;
import dev.juggler.ledger.LeaseLostException;
import dev.juggler.pipeline.FramePipeline;
import dev.juggler.pipeline.PipelineReport;
import dev.juggler.pipeline.PipelineRequest;
import dev.juggler.pipeline.StageStats;
import dev.juggler.video.FrameRange;
import dev.juggler.video.VideoException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The worker's own decisions (what to claim, what to report back), against stand-ins. */
class WorkerTest {

    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    static final class LeasingLedger extends JugglerTest.FakeLedger {
        final List<Long> storedAtHeartbeat = new ArrayList<>();
        final Deque<Lease> toHandOut = new ArrayDeque<>();
        final List<ClaimRequest> claims = new ArrayList<>();
        final List<String> calls = new ArrayList<>();
        final List<FrameResult> stored = new ArrayList<>();
        long revokeAfterCheckpoint = Long.MAX_VALUE;

        void offer(long chunkId, long from, long to) {
            toHandOut.add(new Lease(chunkId, "token-" + chunkId, 7, "a", "v", "/ws/v.mp4", FrameRange.of(from, to),
                    NOW.plusSeconds(60), 1));
        }

        @Override
        public Optional<Lease> claim(ClaimRequest request) {
            claims.add(request);
            Lease next = toHandOut.poll();
            if (next == null || next.range().length() <= request.maxFrames()) {
                return Optional.ofNullable(next);
            }
            // Like a real ledger: lease the head, the rest stays.
            long split = next.range().from() + request.maxFrames();
            offer(next.chunkId() + 100, split, next.range().to());
            return Optional.of(new Lease(next.chunkId(), next.token(), 7, "a", "v", "/ws/v.mp4",
                    FrameRange.of(next.range().from(), split), next.expiresAt(), 1));
        }

        @Override
        public Lease heartbeat(Lease lease, long checkpoint) {
            storedAtHeartbeat.add((long) stored.size());
            calls.add("heartbeat " + lease.chunkId() + " " + checkpoint);
            if (checkpoint >= revokeAfterCheckpoint) {
                throw new LeaseLostException(lease.chunkId(), "revoked: job ended");
            }
            return lease.withExpiry(lease.expiresAt().plusSeconds(60));
        }

        @Override
        public void complete(Lease lease, long doneUntil) {
            calls.add("complete " + lease.chunkId() + " " + doneUntil);
        }

        @Override
        public void fail(Lease lease, long doneUntil, String reason, boolean permanent) {
            calls.add("fail " + lease.chunkId() + " " + doneUntil + " " + permanent + " " + reason);
        }

        @Override
        public void storeResults(List<FrameResult> results) {
            stored.addAll(results);
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

    final LeasingLedger ledger = new LeasingLedger();
    final ScriptedPipeline pipeline = new ScriptedPipeline();

    @Test
    void completesWhatItClaimsUntilNothingIsLeft() {
        ledger.offer(1, 0, 25);
        ledger.offer(2, 25, 40);
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
        ledger.offer(1, 0, 100);
        Worker.builder(ledger, pipeline).checkpointEveryFrames(30).resultBatch(1000).workerId("w1").build().run();
        assertEquals(List.of("heartbeat 1 30", "heartbeat 1 60", "heartbeat 1 90", "complete 1 100"), ledger.calls);
        assertEquals(List.of(30L, 60L, 90L), ledger.storedAtHeartbeat, "a checkpoint never passes an unstored result");
        assertEquals(100, ledger.stored.size());
    }

    @Test
    void aBrokenVideoIsRecordedAsAPermanentFailureAndTheWorkerMovesOn() {
        ledger.offer(1, 0, 50);
        ledger.offer(2, 50, 60);
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
        ledger.offer(1, 0, 100);
        ledger.revokeAfterCheckpoint = 20;
        Worker.Report report = Worker.builder(ledger, pipeline).checkpointEveryFrames(10)
                .workerId("w1").build().run();
        assertEquals(1, report.leasesLost());
        assertTrue(ledger.calls.stream().noneMatch(c -> c.startsWith("complete") || c.startsWith("fail")), ledger.calls.toString());
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
        ledger.offer(1, 0, 100_000);
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
        ledger.offer(1, 0, 5);
        builder.clock(Clock.fixed(Instant.ofEpochMilli(1767225600000L - 3_600_000), ZoneOffset.UTC)).build().run();
        assertEquals(Optional.of("local-3"), ledger.claims.get(0).jobId());
    }
}
