package dev.juggler.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.accel.Accelerator;
import dev.juggler.ledger.FrameResult;
import dev.juggler.video.FrameRange;
import dev.juggler.video.VideoException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

// A separate thread, so that a pipeline that hangs fails the test instead of hanging the build.
@org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class BoundedFramePipelineTest {

    /** Frames whose single pixel byte encodes the index, so outputs can be checked against inputs. */
    static final class CountingSource implements FrameSource {
        final FrameRange range;
        final long breakAt;
        final AtomicInteger alive;
        final AtomicInteger peakAlive;
        long next;

        CountingSource(FrameRange range, long breakAt, AtomicInteger alive, AtomicInteger peakAlive) {
            this.range = range;
            this.breakAt = breakAt;
            this.alive = alive;
            this.peakAlive = peakAlive;
            this.next = range.from();
        }

        @Override
        public Frame next() {
            if (next == breakAt) {
                throw new VideoException("test.mp4", VideoException.Kind.DAMAGED, next, "broken on purpose", null);
            }
            if (next >= range.to()) {
                return null;
            }
            peakAlive.accumulateAndGet(alive.incrementAndGet(), Math::max);
            byte[] pixels = {(byte) next, 0, 0};
            return new Frame(new FrameInfo(next++, 0, 1, 1), pixels, 3);
        }

        @Override
        public void close() {
        }
    }

    /** Returns the frame index, after a random short pause, from several threads at once. */
    static class EchoAccelerator implements Accelerator<Long, Long> {
        final long seed;
        final long failAt;

        EchoAccelerator(long seed, long failAt) {
            this.seed = seed;
            this.failAt = failAt;
        }

        @Override
        public String name() {
            return "echo";
        }

        @Override
        public int maxBatchSize() {
            return 4;
        }

        @Override
        public List<Long> infer(List<Long> batch) {
            SplittableRandom random = new SplittableRandom(seed ^ batch.get(0));
            LockSupport.parkNanos(random.nextLong(200_000));
            for (Long index : batch) {
                if (index == failAt) {
                    throw new JugglerException("model failed on frame " + index, false, null);
                }
            }
            return new ArrayList<>(batch);
        }

        @Override
        public void close() {
        }
    }

    static final class ListSink implements FrameResultSink {
        final List<FrameResult> results = new ArrayList<>();
        final AtomicInteger alive;
        int flushes;

        ListSink(AtomicInteger alive) {
            this.alive = alive;
        }

        @Override
        public void accept(FrameResult result) {
            results.add(result);
            alive.decrementAndGet();
        }

        @Override
        public void flush() {
            flushes++;
        }
    }

    /** The checkpoint policy the pipeline used to have built in: every 10 frames. */
    static CheckpointingSink everyTen(FrameResultSink target, PipelineRequest.CheckpointListener checkpoints, long from) {
        return new CheckpointingSink(target, checkpoints, from, 10, java.time.Duration.ofDays(1),
                java.time.Clock.systemUTC());
    }

    private final AtomicInteger alive = new AtomicInteger();
    private final AtomicInteger peakAlive = new AtomicInteger();

    private BoundedFramePipeline<Long, Long> pipeline(long breakAt, long failAt, long seed, int maxInFlight, int threads) {
        FrameSourceFactory sources = (location, range) -> new CountingSource(range, breakAt, alive, peakAlive);
        return BoundedFramePipeline.<Long, Long>builder(sources, Frame::index, new EchoAccelerator(seed, failAt),
                        (info, out) -> "{\"frame\":" + out + "}")
                .maxInFlight(maxInFlight)
                .queueCapacity(4)
                .inferenceThreads(threads)
                .build();
    }

    /** A source whose frames in {@code damaged} cannot be decoded, while the stream goes on. */
    static FrameSource withDamage(FrameRange range, java.util.Set<Long> damaged) {
        return new FrameSource() {
            long next = range.from();

            @Override
            public Frame next() {
                if (next >= range.to()) {
                    return null;
                }
                long index = next++;
                if (damaged.contains(index)) {
                    throw new dev.juggler.video.DamagedFrameException("test.mp4", index, "macroblocks", null);
                }
                return new Frame(new FrameInfo(index, 0, 1, 1), new byte[] {(byte) index, 0, 0}, 3);
            }

            @Override
            public void close() {
            }
        };
    }

    /** A sink that writes "result N" and "damaged N reason" lines into {@code events}. */
    private static FrameResultSink recording(List<String> events) {
        return new FrameResultSink() {
            @Override
            public void accept(FrameResult result) {
                events.add("result " + result.frame());
            }

            @Override
            public void damaged(long frame, String reason) {
                events.add("damaged " + frame + " " + reason);
            }
        };
    }

    @Test
    void damagedFramesAreReportedInTheirPlaceAndTheRunGoesOn() {
        java.util.Set<Long> damaged = java.util.Set.of(0L, 17L, 18L, 49L);
        List<Long> checkpoints = new ArrayList<>();
        List<String> events = new ArrayList<>();
        FrameResultSink target = recording(events);
        CheckpointingSink sink = everyTen(target, checkpoints::add, 0);
        for (int threads = 1; threads <= 3; threads++) {
            events.clear();
            try (BoundedFramePipeline<Long, Long> p = BoundedFramePipeline.<Long, Long>builder(
                    (location, range) -> withDamage(range, damaged), Frame::index, new EchoAccelerator(threads, -1),
                    (info, out) -> "{}").inferenceThreads(threads).queueCapacity(4).build()) {
                CheckpointingSink run = threads == 1 ? sink : everyTen(target, next -> true, 0);
                PipelineReport report = p.run(PipelineRequest.checkpointed(1, "test.mp4", FrameRange.of(0, 50), run, () -> false));
                assertTrue(report.isComplete(), report.toString());
                assertEquals(50, events.size(), events.toString());
                for (int i = 0; i < 50; i++) {
                    assertEquals(damaged.contains((long) i) ? "damaged " + i + " " + "video damaged at frame " + i
                            + ": test.mp4 (macroblocks)" : "result " + i, events.get(i), "threads " + threads);
                }
                assertEquals(List.of(0L, 17L, 18L, 49L), run.damaged().stream().map(dev.juggler.ledger.DamagedFrame::frame).toList());
            }
        }
        // The checkpoints never pass the first damaged frame: a run that dies before recording it repeats it.
        assertTrue(checkpoints.stream().allMatch(c -> c == 0), checkpoints.toString());
    }

    @Test
    void framesTheModelRefusesAreDamagedAndTheRunGoesOn() {
        java.util.Set<Long> refused = java.util.Set.of(3L, 20L, 21L, 39L);
        List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
        FrameResultSink target = recording(events);
        for (int threads = 1; threads <= 3; threads++) {
            events.clear();
            Accelerator<Long, Long> picky = new EchoAccelerator(threads, -1) {
                @Override
                public List<Long> infer(List<Long> batch) {
                    for (Long frame : batch) {
                        if (refused.contains(frame)) {
                            throw new dev.juggler.accel.InputRejectedException("server said 400: frame " + frame + " is bad", null);
                        }
                    }
                    return new ArrayList<>(batch);
                }
            };
            try (BoundedFramePipeline<Long, Long> p = BoundedFramePipeline.<Long, Long>builder(
                    (location, range) -> withDamage(range, java.util.Set.of()), Frame::index, picky, (info, out) -> "{}")
                    .inferenceThreads(threads).maxBatchSize(4).queueCapacity(4).build()) {
                CheckpointingSink run = everyTen(target, next -> true, 0);
                PipelineReport report = p.run(PipelineRequest.checkpointed(1, "test.mp4", FrameRange.of(0, 40), run, () -> false));
                assertTrue(report.isComplete(), report.toString());
                assertEquals(40, events.size(), events.toString());
                for (int i = 0; i < 40; i++) {
                    assertEquals(refused.contains((long) i) ? "damaged " + i + " refused by " + picky.name()
                            + ": server said 400: frame " + i + " is bad" : "result " + i, events.get(i), "threads " + threads);
                }
            }
        }
    }

    /** Echoes, and says it spends 2 ms per frame sending and 3 ms per frame in its server. */
    static final class TimedEcho extends EchoAccelerator implements dev.juggler.accel.StageTimed {
        private final java.util.concurrent.atomic.AtomicLong frames = new java.util.concurrent.atomic.AtomicLong();

        TimedEcho() {
            super(7, -1);
        }

        @Override
        public List<Long> infer(List<Long> batch) {
            frames.addAndGet(batch.size());
            return super.infer(batch);
        }

        @Override
        public java.util.Map<String, StageTotal> stageTotals() {
            java.util.Map<String, StageTotal> totals = new java.util.LinkedHashMap<>();
            totals.put("send", new StageTotal(frames.get(), frames.get() * 2_000_000));
            totals.put("server", new StageTotal(frames.get(), frames.get() * 3_000_000));
            return totals;
        }
    }

    @Test
    void theReportHasPreprocessingAndTheStagesTheAcceleratorReports() {
        TimedEcho timed = new TimedEcho();
        try (BoundedFramePipeline<Long, Long> p = BoundedFramePipeline.<Long, Long>builder(
                (location, range) -> withDamage(range, java.util.Set.of()), Frame::index, timed, (info, out) -> "{}")
                .inferenceThreads(2).build()) {
            p.run(PipelineRequest.simple(1, "test.mp4", FrameRange.of(0, 30), new ListSink(alive)));
            PipelineReport report = p.run(PipelineRequest.simple(1, "test.mp4", FrameRange.of(0, 20), new ListSink(alive)));
            assertEquals(20, report.preprocess().frames());
            assertEquals(List.of("send", "server"), List.copyOf(report.modelStagesMs().keySet()), "in the accelerator's order");
            assertEquals(2.0, report.modelStagesMs().get("send"), 1e-9, "this run's frames only");
            assertEquals(3.0, report.modelStagesMs().get("server"), 1e-9);
            String summary = report.stagesSummary();
            assertTrue(summary.contains("preprocess") && summary.contains("(send 2.00 ms, server 3.00 ms)"), summary);
        }
        try (BoundedFramePipeline<Long, Long> p = BoundedFramePipeline.<Long, Long>builder(
                (location, range) -> withDamage(range, java.util.Set.of()), Frame::index, new EchoAccelerator(1, -1),
                (info, out) -> "{}").build()) {
            PipelineReport plain = p.run(PipelineRequest.simple(1, "test.mp4", FrameRange.of(0, 5), new ListSink(alive)));
            assertTrue(plain.modelStagesMs().isEmpty());
        }
    }

    @Test
    void deliversEveryFrameInOrderWithBoundedFramesInFlight() {
        for (long seed = 1; seed <= 20; seed++) {
            alive.set(0);
            peakAlive.set(0);
            ListSink sink = new ListSink(alive);
            List<Long> checkpoints = new ArrayList<>();
            try (var pipeline = pipeline(-1, -1, seed, 8, 3)) {
                PipelineReport report = pipeline.run(PipelineRequest.checkpointed(7, "test.mp4", FrameRange.of(100, 357),
                        everyTen(sink, checkpoints::add, 100), () -> false));
                String context = "seed " + seed + ": " + report;
                assertTrue(report.isComplete(), context);
                assertTrue(report.failure().isEmpty(), context);
                assertEquals(257, sink.results.size(), context);
                for (int i = 0; i < sink.results.size(); i++) {
                    FrameResult result = sink.results.get(i);
                    assertEquals(100 + i, result.frame(), context);
                    assertEquals(7, result.trackId(), context);
                    assertEquals("{\"frame\":" + (100 + i) + "}", result.payload(), context);
                }
                assertTrue(peakAlive.get() <= 8, "seed " + seed + ": peak frames in flight " + peakAlive.get());
                assertEquals(25, checkpoints.size(), context);
                assertEquals(110L, checkpoints.get(0), context);
                assertEquals(report.decode().frames(), 257, context);
                assertEquals(report.loop().frames(), 257, context);
            }
        }
    }

    @Test
    void brokenVideoDeliversTheFramesBeforeTheDamage() {
        ListSink sink = new ListSink(alive);
        try (var pipeline = pipeline(42, -1, 3, 16, 2)) {
            PipelineReport report = pipeline.run(PipelineRequest.simple(1, "test.mp4", FrameRange.of(10, 100), sink));
            assertEquals(42, report.doneUntil());
            assertEquals(32, sink.results.size());
            VideoException failure = assertInstanceOf(VideoException.class, report.failure().orElseThrow());
            assertEquals(42, failure.frame().getAsLong());
            assertFalse(report.stopped());
        }
    }

    @Test
    void framesBeforeADecodeFailureAreDeliveredEvenWhenTheModelLagsBehind() {
        Accelerator<Long, Long> slow = new EchoAccelerator(1, -1) {
            @Override
            public List<Long> infer(List<Long> batch) {
                LockSupport.parkNanos(2_000_000);
                return new ArrayList<>(batch);
            }
        };
        for (int round = 0; round < 5; round++) {
            ListSink sink = new ListSink(alive);
            FrameSourceFactory sources = (location, range) -> new CountingSource(range, 30, alive, peakAlive);
            try (var pipeline = BoundedFramePipeline.<Long, Long>builder(sources, Frame::index, slow, (info, out) -> "x")
                    .maxInFlight(64).queueCapacity(16).inferenceThreads(2).build()) {
                PipelineReport report = pipeline.run(PipelineRequest.simple(1, "test.mp4", FrameRange.of(0, 100), sink));
                assertEquals(30, report.doneUntil(), "round " + round);
                assertEquals(30, sink.results.size(), "round " + round);
                assertInstanceOf(VideoException.class, report.failure().orElseThrow());
            }
        }
    }

    @Test
    void modelFailureStopsAtTheFailingBatch() {
        for (long seed = 1; seed <= 10; seed++) {
            ListSink sink = new ListSink(alive);
            try (var pipeline = pipeline(-1, 70, seed, 16, 3)) {
                PipelineReport report = pipeline.run(PipelineRequest.simple(1, "test.mp4", FrameRange.of(0, 200), sink));
                assertTrue(report.failure().isPresent(), "seed " + seed);
                // A failed batch is retried frame by frame, so the failure lands exactly on frame 70.
                assertEquals(70, report.doneUntil(), "seed " + seed);
                assertTrue(report.failure().get().getMessage().contains("frame 70"), "seed " + seed);
                assertEquals(report.doneUntil(), sink.results.size(), "seed " + seed);
                for (int i = 0; i < sink.results.size(); i++) {
                    assertEquals(i, sink.results.get(i).frame());
                }
            }
        }
    }

    @Test
    void stopRequestEndsEarlyWithAContiguousPrefix() {
        ListSink sink = new ListSink(alive);
        AtomicInteger polls = new AtomicInteger();
        try (var pipeline = pipeline(-1, -1, 5, 16, 2)) {
            PipelineReport report = pipeline.run(new PipelineRequest(1, "test.mp4", FrameRange.of(0, 10_000), sink,
                    next -> true, () -> polls.incrementAndGet() > 50));
            assertTrue(report.stopped());
            assertTrue(report.failure().isEmpty());
            assertEquals(50, report.doneUntil());
            assertEquals(50, sink.results.size());
        }
    }

    @Test
    void checkpointListenerCanStopTheRun() {
        ListSink sink = new ListSink(alive);
        try (var pipeline = pipeline(-1, -1, 5, 16, 2)) {
            PipelineReport report = pipeline.run(PipelineRequest.checkpointed(1, "test.mp4", FrameRange.of(0, 1000),
                    everyTen(sink, next -> next < 30, 0), () -> false));
            assertTrue(report.stopped());
            assertEquals(30, report.doneUntil());
            assertTrue(sink.flushes >= 3);
        }
    }

    @Test
    void unopenableVideoIsAReportNotAnException() {
        FrameSourceFactory missing = (location, range) -> {
            throw new VideoException(location, VideoException.Kind.UNREADABLE, -1, "no such file", null);
        };
        try (var pipeline = BoundedFramePipeline.<Long, Long>builder(missing, Frame::index, new EchoAccelerator(1, -1),
                (info, out) -> "").build()) {
            PipelineReport report = pipeline.run(PipelineRequest.simple(1, "nope.mp4", FrameRange.of(0, 10),
                    new ListSink(alive)));
            assertEquals(0, report.doneUntil());
            assertEquals(VideoException.Kind.UNREADABLE, ((VideoException) report.failure().orElseThrow()).kind());
        }
    }

    @Test
    void sinkFailureKeepsOnlyTheFlushedPrefix() {
        FrameResultSink failing = new FrameResultSink() {
            int seen;

            @Override
            public void accept(FrameResult result) {
                if (++seen == 25) {
                    throw new IllegalStateException("disk full");
                }
            }
        };
        CheckpointingSink checkpointing = everyTen(failing, next -> true, 0);
        try (var pipeline = pipeline(-1, -1, 9, 16, 2)) {
            PipelineReport report = pipeline.run(PipelineRequest.checkpointed(1, "test.mp4", FrameRange.of(0, 100),
                    checkpointing, () -> false));
            assertEquals(24, report.doneUntil(), "frames 0..23 were handed to the sink");
            assertEquals(20, checkpointing.durableUntil(), "the last flush was at frame 20");
            assertTrue(report.failure().orElseThrow().getMessage().contains("disk full"));
        }
    }

    @Test
    void invalidSettingsNameTheField() {
        var builder = BoundedFramePipeline.<Long, Long>builder((l, r) -> null, Frame::index, new EchoAccelerator(1, -1),
                (info, out) -> "");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> builder.maxBatchSize(5));
        assertTrue(e.getMessage().startsWith("maxBatchSize = 5"), e.getMessage());
        assertThrows(InvalidConfigException.class, () -> builder.maxInFlight(0));
        assertThrows(InvalidConfigException.class, () -> builder.inferenceThreads(0));
    }
}
