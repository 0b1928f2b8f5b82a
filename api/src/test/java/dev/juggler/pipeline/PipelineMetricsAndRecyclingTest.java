package dev.juggler.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.accel.Accelerator;
import dev.juggler.video.FrameRange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Progress events with queue depths, and frame buffers handed back to the source for reuse. */
class PipelineMetricsAndRecyclingTest {

    /** A source that reuses given-back buffers and counts how many it had to allocate. */
    static final class PoolingSource implements FrameSource {
        final ConcurrentLinkedQueue<byte[]> spare = new ConcurrentLinkedQueue<>();
        final Set<byte[]> allocated = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        long next;
        final long to;

        PoolingSource(FrameRange range) {
            this.next = range.from();
            this.to = range.to();
        }

        @Override
        public Frame next() {
            if (next >= to) {
                return null;
            }
            byte[] pixels = spare.poll();
            if (pixels == null) {
                pixels = new byte[12];
                allocated.add(pixels);
            }
            long index = next++;
            pixels[0] = (byte) index; // what preprocessing must see for this frame
            return new Frame(new FrameInfo(index, 0, 2, 2), pixels, 6);
        }

        @Override
        public void recycle(Frame frame) {
            spare.offer(frame.pixels());
        }

        @Override
        public void close() {
        }
    }

    static final class Copy implements Accelerator<Byte, Byte> {
        @Override
        public String name() {
            return "copy";
        }

        @Override
        public int maxBatchSize() {
            return 4;
        }

        @Override
        public List<Byte> infer(List<Byte> batch) {
            return batch;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void recyclesFrameBuffersSoDecodingStopsAllocatingAndReportsProgress() {
        List<PoolingSource> sources = new ArrayList<>();
        List<PipelineProgress> events = new CopyOnWriteArrayList<>();
        List<String> results = new ArrayList<>();
        try (BoundedFramePipeline<Byte, Byte> pipeline = BoundedFramePipeline.<Byte, Byte>builder((location, range) -> {
                    PoolingSource s = new PoolingSource(range);
                    sources.add(s);
                    return s;
                }, (Frame f) -> f.pixels()[0], new Copy(), (info, b) -> Byte.toString(b))
                .maxInFlight(8).queueCapacity(4).maxBatchSize(4).recycleFrames(true)
                .progressInterval(Duration.ZERO).listener(events::add)
                .build()) {
            PipelineReport report = pipeline.run(PipelineRequest.simple(1, "v", FrameRange.of(0, 2000),
                    r -> results.add(r.payload())));
            assertTrue(report.isComplete(), report.toString());
        }
        for (int i = 0; i < 2000; i++) {
            assertEquals(Byte.toString((byte) i), results.get(i), "frame " + i + " saw its own pixels");
        }
        int allocated = sources.get(0).allocated.size();
        assertTrue(allocated <= 8 + 4 + 2, "buffers allocated for 2000 frames: " + allocated);
        assertTrue(events.size() >= 2000, "one event per delivered frame at interval 0, got " + events.size());
        PipelineProgress last = events.get(events.size() - 1);
        assertTrue(last.last());
        assertEquals(2000, last.framesDone());
        assertEquals(2000, last.loop().frames());
        for (PipelineProgress p : events) {
            assertTrue(p.inFlight() <= 8 && p.decodeQueue() <= 4 && p.inferenceQueue() <= 4 && p.reorderBuffer() <= 8,
                    p.toString());
        }
    }

    @Test
    void withoutRecyclingEveryFrameHasItsOwnBufferAndAThrowingListenerIsIgnored() {
        List<PoolingSource> sources = new ArrayList<>();
        try (BoundedFramePipeline<Frame, Frame> pipeline = BoundedFramePipeline.<Frame, Frame>builder((location, range) -> {
                    PoolingSource s = new PoolingSource(range);
                    sources.add(s);
                    return s;
                }, (Frame f) -> f, new Accelerator<Frame, Frame>() {
                    @Override
                    public String name() {
                        return "id";
                    }

                    @Override
                    public int maxBatchSize() {
                        return 1;
                    }

                    @Override
                    public List<Frame> infer(List<Frame> batch) {
                        return batch;
                    }

                    @Override
                    public void close() {
                    }
                }, (info, f) -> Byte.toString(f.pixels()[0]))
                .listener(p -> {
                    throw new IllegalStateException("dashboard bug");
                })
                .build()) {
            List<String> results = new ArrayList<>();
            PipelineReport report = pipeline.run(PipelineRequest.simple(1, "v", FrameRange.of(0, 300), r -> results.add(r.payload())));
            assertTrue(report.isComplete(), report.toString());
            for (int i = 0; i < 300; i++) {
                assertEquals(Byte.toString((byte) i), results.get(i));
            }
        }
        assertEquals(300, sources.get(0).allocated.size());
    }
}
