package dev.juggler.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.ledger.FrameResult;
import dev.juggler.video.FrameRange;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every {@link FramePipeline} implementation must keep: the rules the {@code Worker} relies on
 * when it hands a pipeline a leased range. Subclass it, implement {@link #newPipeline(Scenario)} to return a
 * fresh pipeline whose video behaves as the scenario says, and run it with JUnit 5. Shipped in the api
 * test-jar so that hosts can check their own pipelines the same way.
 *
 * <p>The rules:
 * <ol>
 *   <li><b>Exactly once, in order.</b> The sink receives the result of every frame of the range exactly once,
 *       in frame order, for the request's track, all on one thread (the delivering thread). A complete run
 *       reports {@code doneUntil == range.to}, no failure, not stopped.</li>
 *   <li><b>Frames done, no policy.</b> After every delivered frame but the range's last, the pipeline tells
 *       {@link PipelineRequest#checkpoints()} the next frame; when that happens the sink already holds every
 *       frame before it. The pipeline keeps no checkpoint policy of its own; it calls
 *       {@link FrameResultSink#flush()} once more when the run ends, after the last result.</li>
 *   <li><b>Checkpoints never pass an unflushed frame.</b> Run with the Worker's {@link CheckpointingSink}, every
 *       checkpoint comes after the sink was flushed up to it.</li>
 *   <li><b>Stopping is prompt and says how far it got.</b> A checkpoint listener that returns {@code false},
 *       a {@link PipelineRequest#stopRequested()} that turns {@code true}, or {@link FramePipeline#close()}
 *       during a run end it within seconds, not at the end of the range. The report then covers exactly the
 *       contiguous prefix that was delivered; a stop asked for is reported {@link PipelineReport#stopped()}
 *       and is not a failure.</li>
 *   <li><b>A broken video is a report, not an exception.</b> The frames before the damage are delivered; the
 *       run fails at the damaged frame for the rest of the range ({@code doneUntil} = the damaged frame).
 *       Likewise a sink that throws fails the run, with nothing delivered after it.</li>
 *   <li><b>An empty range</b> delivers nothing, reports nothing done and is complete.</li>
 *   <li><b>Reuse and close.</b> One pipeline runs request after request; {@code close()} is idempotent and a
 *       run after it is refused with {@link IllegalStateException}.</li>
 * </ol>
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class FramePipelineContract {

    /** How long a stop may take before the contract calls it not prompt. */
    protected static final Duration PROMPT = Duration.ofSeconds(20);

    /**
     * How the video of a pipeline behaves.
     *
     * @param brokenAt the first frame that cannot be decoded, or -1 for none
     * @param frameDelay the time each frame takes (so that a run can be stopped in the middle)
     */
    protected record Scenario(long brokenAt, Duration frameDelay) {

        /** Every frame decodes, quickly. */
        public static Scenario healthy() {
            return new Scenario(-1, Duration.ZERO);
        }

        /** Frames before {@code frame} decode; {@code frame} is damaged. */
        public static Scenario brokenAt(long frame) {
            return new Scenario(frame, Duration.ZERO);
        }

        /** Every frame decodes, taking {@code perFrame}. */
        public static Scenario slow(Duration perFrame) {
            return new Scenario(-1, perFrame);
        }
    }

    /** A fresh pipeline whose videos behave as {@code scenario} says. Closed by the contract. */
    protected abstract FramePipeline newPipeline(Scenario scenario);

    /** The video location the requests name. */
    protected String videoLocation() {
        return "contract.mp4";
    }

    /** Records what the pipeline does to it, and on which thread. */
    protected static final class RecordingSink implements FrameResultSink {
        final List<FrameResult> results = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        final Set<Thread> threads = new HashSet<>();
        long flushedUntil = -1;
        int failAtCall = -1;

        @Override
        public synchronized void accept(FrameResult result) {
            threads.add(Thread.currentThread());
            if (results.size() + 1 == failAtCall) {
                events.add("failed " + result.frame());
                throw new IllegalStateException("disk full");
            }
            results.add(result);
            events.add("accept " + result.frame());
        }

        @Override
        public synchronized void flush() {
            threads.add(Thread.currentThread());
            events.add("flush");
            flushedUntil = results.isEmpty() ? flushedUntil : results.get(results.size() - 1).frame() + 1;
        }

        synchronized int size() {
            return results.size();
        }

        /** Asserts the results are the frames {@code [from, to)} of {@code track}, in order. */
        synchronized void assertFrames(long track, long from, long to) {
            assertEquals(to - from, results.size(), "results delivered");
            for (int i = 0; i < results.size(); i++) {
                assertEquals(from + i, results.get(i).frame(), "result " + i + " in frame order");
                assertEquals(track, results.get(i).trackId(), "the request's track");
            }
        }

        synchronized String lastEvent() {
            return events.isEmpty() ? "" : events.get(events.size() - 1);
        }
    }

    private PipelineReport run(Scenario scenario, PipelineRequest request) {
        try (FramePipeline pipeline = newPipeline(scenario)) {
            return pipeline.run(request);
        }
    }

    // --- 1 and 2: exactly once, in order; frames done ----------------------------------------------------

    @Test
    void deliversEveryFrameOfTheRangeExactlyOnceInFrameOrder() {
        RecordingSink sink = new RecordingSink();
        List<Long> done = new ArrayList<>();
        PipelineReport report = run(Scenario.healthy(), new PipelineRequest(7, videoLocation(), FrameRange.of(100, 160),
                sink, next -> {
                    assertEquals(next - 100, sink.size(), "every frame before " + next + " is in the sink");
                    done.add(next);
                    return true;
                }, () -> false));
        assertTrue(report.isComplete(), report.toString());
        assertTrue(report.failure().isEmpty(), report.toString());
        assertFalse(report.stopped());
        assertEquals(160, report.doneUntil());
        assertEquals(60, report.framesDone());
        sink.assertFrames(7, 100, 160);
        List<Long> expected = new ArrayList<>();
        for (long f = 101; f < 160; f++) {
            expected.add(f);
        }
        assertEquals(expected, done, "every frame but the last is reported done, in order");
        assertEquals("flush", sink.lastEvent(), "the sink is flushed after the last result");
        assertEquals(1, sink.threads.size(), "one delivering thread");
    }

    // --- 3: checkpoints never pass an unflushed frame ------------------------------------------------------

    @Test
    void withTheWorkersSinkCheckpointsNeverPassAFrameThatWasNotFlushed() {
        RecordingSink target = new RecordingSink();
        List<Long> checkpoints = new ArrayList<>();
        CheckpointingSink sink = new CheckpointingSink(target, next -> {
            assertTrue(target.flushedUntil >= next, "checkpoint " + next + " after a flush up to " + target.flushedUntil);
            checkpoints.add(next);
            return true;
        }, 0, 7, Duration.ofDays(1), Clock.systemUTC());
        PipelineReport report = run(Scenario.healthy(), PipelineRequest.checkpointed(1, videoLocation(),
                FrameRange.of(0, 30), sink, () -> false));
        assertTrue(report.isComplete(), report.toString());
        assertEquals(List.of(7L, 14L, 21L, 28L), checkpoints);
        assertEquals(30, sink.durableUntil());
        target.assertFrames(1, 0, 30);
    }

    // --- 4: stopping ----------------------------------------------------------------------------------------

    @Test
    void aCheckpointListenerThatSaysStopEndsTheRunPromptly() {
        RecordingSink sink = new RecordingSink();
        long start = System.nanoTime();
        PipelineReport report = run(Scenario.slow(Duration.ofMillis(5)), new PipelineRequest(1, videoLocation(),
                FrameRange.of(0, 100_000), sink, next -> next < 20, () -> false));
        assertPrompt(start);
        assertTrue(report.stopped(), report.toString());
        assertTrue(report.failure().isEmpty(), report.toString());
        assertEquals(20, report.doneUntil(), "nothing is delivered after the listener said stop");
        sink.assertFrames(1, 0, 20);
        assertEquals("flush", sink.lastEvent());
    }

    @Test
    void aStopRequestEndsTheRunPromptlyAndReportsHowFarItGot() {
        RecordingSink sink = new RecordingSink();
        long start = System.nanoTime();
        PipelineReport report = run(Scenario.slow(Duration.ofMillis(5)), new PipelineRequest(1, videoLocation(),
                FrameRange.of(0, 100_000), sink, next -> true, () -> sink.size() >= 10));
        assertPrompt(start);
        assertTrue(report.stopped(), report.toString());
        assertTrue(report.failure().isEmpty(), report.toString());
        assertTrue(report.doneUntil() >= 10 && report.doneUntil() < 100_000, report.toString());
        sink.assertFrames(1, 0, report.doneUntil());
        assertEquals("flush", sink.lastEvent());
    }

    @Test
    void closingDuringARunEndsItPromptlyWithAContiguousPrefix() throws Exception {
        RecordingSink sink = new RecordingSink();
        FramePipeline pipeline = newPipeline(Scenario.slow(Duration.ofMillis(5)));
        try {
            CompletableFuture<PipelineReport> running = CompletableFuture.supplyAsync(() -> pipeline.run(
                    PipelineRequest.simple(1, videoLocation(), FrameRange.of(0, 100_000), sink)));
            long deadline = System.nanoTime() + PROMPT.toNanos();
            while (sink.size() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            long start = System.nanoTime();
            pipeline.close();
            PipelineReport report = running.get(PROMPT.toSeconds(), TimeUnit.SECONDS);
            assertPrompt(start);
            assertFalse(report.isComplete(), report.toString());
            sink.assertFrames(1, 0, report.doneUntil());
        } finally {
            pipeline.close();
        }
    }

    // --- 5: failures are reports -----------------------------------------------------------------------------

    @Test
    void aBrokenVideoDeliversTheFramesBeforeTheDamageAndFailsTheRest() {
        RecordingSink sink = new RecordingSink();
        PipelineReport report = run(Scenario.brokenAt(112), PipelineRequest.simple(1, videoLocation(),
                FrameRange.of(100, 150), sink));
        assertTrue(report.failure().isPresent(), report.toString());
        assertFalse(report.stopped());
        assertFalse(report.isComplete());
        assertEquals(112, report.doneUntil(), "the run fails at the damaged frame");
        sink.assertFrames(1, 100, 112);
        assertEquals("flush", sink.lastEvent(), "the frames before the damage are flushed");
    }

    @Test
    void aSinkThatThrowsFailsTheRunWithNothingDeliveredAfterIt() {
        RecordingSink sink = new RecordingSink();
        sink.failAtCall = 5;
        PipelineReport report = run(Scenario.healthy(), PipelineRequest.simple(1, videoLocation(),
                FrameRange.of(0, 40), sink));
        assertTrue(report.failure().orElseThrow().getMessage().contains("disk full"), report.toString());
        assertEquals(4, report.doneUntil(), "the frames handed over before the failure");
        sink.assertFrames(1, 0, 4);
        assertEquals("failed 4", sink.lastEvent(), "nothing after the failure, not even a flush");
    }

    // --- 6 and 7: empty range, reuse and close -------------------------------------------------------------

    @Test
    void anEmptyRangeDeliversNothingAndIsComplete() {
        RecordingSink sink = new RecordingSink();
        List<Long> done = new ArrayList<>();
        PipelineReport report = run(Scenario.healthy(), new PipelineRequest(1, videoLocation(), FrameRange.of(50, 50),
                sink, done::add, () -> false));
        assertTrue(report.isComplete(), report.toString());
        assertTrue(report.failure().isEmpty());
        assertEquals(50, report.doneUntil());
        assertEquals(0, sink.size());
        assertEquals(List.of(), done);
    }

    @Test
    void onePipelineRunsRequestAfterRequest() {
        try (FramePipeline pipeline = newPipeline(Scenario.healthy())) {
            for (int round = 0; round < 3; round++) {
                RecordingSink sink = new RecordingSink();
                long from = round * 20L;
                PipelineReport report = pipeline.run(PipelineRequest.simple(round, videoLocation(),
                        FrameRange.of(from, from + 20), sink));
                assertTrue(report.isComplete(), "round " + round + ": " + report);
                sink.assertFrames(round, from, from + 20);
            }
        }
    }

    @Test
    void closeIsIdempotentAndARunAfterItIsRefused() {
        FramePipeline pipeline = newPipeline(Scenario.healthy());
        pipeline.close();
        pipeline.close();
        assertThrows(IllegalStateException.class, () -> pipeline.run(PipelineRequest.simple(1, videoLocation(),
                FrameRange.of(0, 10), new RecordingSink())));
    }

    private static void assertPrompt(long startNanos) {
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        assertTrue(took.compareTo(PROMPT) < 0, "stopped within " + PROMPT + ", took " + took);
    }
}
