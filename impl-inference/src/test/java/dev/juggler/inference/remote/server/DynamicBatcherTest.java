package dev.juggler.inference.remote.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.remote.InferTensor;
import dev.juggler.inference.remote.InferenceProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The batching rules on a fake clock: no executor threads, the test runs each due batch itself, so no
 * test sleeps.
 */
class DynamicBatcherTest {

    private static final long DELAY = TimeUnit.MILLISECONDS.toNanos(2);

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final ServerStats stats = new ServerStats();

    private DynamicBatcher batcher(AdderModel model, int maxBatch, int maxQueueRows) {
        return new DynamicBatcher(model, maxBatch, DELAY, maxQueueRows, 0, clock::get, stats.add(model.name(), "1"));
    }

    /** A request of {@code rows} rows whose INPUT0 values are {@code tag * 1000 + element} and INPUT1 ones. */
    private static List<InferTensor> request(int tag, int rows, int width) {
        float[] a = new float[rows * width];
        float[] b = new float[rows * width];
        for (int i = 0; i < a.length; i++) {
            a[i] = tag * 1000 + i;
            b[i] = 1;
        }
        return List.of(InferTensor.ofFloats("INPUT0", new long[] {rows, width}, a),
                InferTensor.ofFloats("INPUT1", new long[] {rows, width}, b));
    }

    @Test
    void waitsForTheDelayUnlessTheBatchIsFull() throws Exception {
        AdderModel model = new AdderModel(8);
        DynamicBatcher b = batcher(model, 8, 64);
        CompletableFuture<DynamicBatcher.Result> first = b.submit(request(1, 2, 4));
        b.submit(request(2, 1, 4));
        assertFalse(b.runReadyBatch(), "nothing is due before the delay");
        clock.addAndGet(DELAY - 1);
        assertFalse(b.runReadyBatch(), "nothing is due 1 ns before the delay");
        clock.addAndGet(1);
        assertTrue(b.runReadyBatch());
        assertEquals(List.of(3), model.batchRows());
        assertEquals(DELAY, first.get().timings().queueNs());

        for (int i = 0; i < 8; i++) {
            b.submit(request(i, 1, 4));
        }
        assertTrue(b.runReadyBatch(), "a full batch runs without waiting");
        assertEquals(List.of(3, 8), model.batchRows());
        assertEquals(0, b.queuedRows());
        assertEquals(2, stats.models().get(0).executions.sum());
        assertEquals(11, stats.models().get(0).inferences.sum());
    }

    @Test
    void rowsNeverExceedTheBatchAndEveryRequestGetsItsOwnRows() throws Exception {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        AdderModel model = new AdderModel(8);
        DynamicBatcher b = batcher(model, 8, 100_000);
        List<CompletableFuture<DynamicBatcher.Result>> futures = new ArrayList<>();
        List<Integer> rows = new ArrayList<>();
        for (int tag = 0; tag < 200; tag++) {
            int r = 1 + random.nextInt(random.nextInt(10) == 0 ? 30 : 6);
            rows.add(r);
            futures.add(b.submit(request(tag, r, 4)));
            if (random.nextInt(4) == 0) {
                clock.addAndGet(random.nextInt(3) * DELAY / 2);
                while (b.runReadyBatch()) {
                    // run what is due
                }
            }
        }
        clock.addAndGet(DELAY);
        while (b.runReadyBatch()) {
            // drain
        }
        String why = "seed " + seed + ", batches " + model.batchRows();
        assertEquals(0, b.queuedRows(), why);
        assertTrue(model.batchRows().stream().allMatch(n -> n >= 1 && n <= 8), why);
        assertEquals(rows.stream().mapToInt(Integer::intValue).sum(),
                model.batchRows().stream().mapToInt(Integer::intValue).sum(), why);
        for (int tag = 0; tag < futures.size(); tag++) {
            List<InferTensor> in = request(tag, rows.get(tag), 4);
            List<InferTensor> out = futures.get(tag).get().outputs();
            float[] expected = in.get(0).asFloats();
            int[] rowSums = new int[rows.get(tag)];
            for (int i = 0; i < expected.length; i++) {
                expected[i] += 1;
                rowSums[i / 4] += Math.round(expected[i]);
            }
            assertArrayEquals(new long[] {rows.get(tag), 4}, out.get(0).shape(), why + ", request " + tag);
            assertArrayEquals(expected, out.get(0).asFloats(), why + ", request " + tag);
            assertArrayEquals(rowSums, out.get(1).asInts(), why + ", request " + tag);
        }
    }

    @Test
    void aRequestLargerThanABatchIsSplitAndJoinedInOrder() throws Exception {
        AdderModel model = new AdderModel(8);
        DynamicBatcher b = batcher(model, 8, 64);
        CompletableFuture<DynamicBatcher.Result> big = b.submit(request(7, 19, 4));
        while (b.runReadyBatch()) {
            // full pieces run at once
        }
        clock.addAndGet(DELAY);
        assertTrue(b.runReadyBatch());
        assertEquals(List.of(8, 8, 3), model.batchRows());
        float[] expected = request(7, 19, 4).get(0).asFloats();
        for (int i = 0; i < expected.length; i++) {
            expected[i] += 1;
        }
        assertArrayEquals(expected, big.get().outputs().get(0).asFloats());
        assertArrayEquals(new long[] {19, 1}, big.get().outputs().get(1).shape());
    }

    @Test
    void aFailingRunFailsOnlyItsBatch() throws Exception {
        AdderModel model = new AdderModel(2);
        DynamicBatcher b = batcher(model, 2, 64);
        CompletableFuture<DynamicBatcher.Result> a = b.submit(request(1, 1, 4));
        List<InferTensor> bad = List.of(InferTensor.ofFloats("INPUT0", new long[] {1, 4},
                new float[] {AdderModel.FAIL, 0, 0, 0}), request(0, 1, 4).get(1));
        CompletableFuture<DynamicBatcher.Result> failing = b.submit(bad);
        CompletableFuture<DynamicBatcher.Result> c = b.submit(request(3, 1, 4));
        CompletableFuture<DynamicBatcher.Result> d = b.submit(request(4, 1, 4));
        assertTrue(b.runReadyBatch());
        assertTrue(b.runReadyBatch());
        ExecutionException e = assertThrows(ExecutionException.class, a::get);
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertThrows(ExecutionException.class, failing::get);
        assertEquals(3001f, c.get().outputs().get(0).asFloats()[0]);
        assertEquals(4001f, d.get().outputs().get(0).asFloats()[0]);
        assertEquals(1, stats.models().get(0).executions.sum(), "only the good batch counts as an execution");
    }

    @Test
    void outputsWithTheWrongRowsFailTheBatch() {
        AdderModel model = new AdderModel(4);
        model.returnWrongRows();
        DynamicBatcher b = batcher(model, 4, 64);
        CompletableFuture<DynamicBatcher.Result> f = b.submit(request(1, 2, 4));
        clock.addAndGet(DELAY);
        assertTrue(b.runReadyBatch());
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        assertTrue(e.getCause().getMessage().contains("returned output SUM FP32[1, 4]"), e.getCause().getMessage());
    }

    @Test
    void aFullQueueRefusesAtOnceWithItsState() {
        AdderModel model = new AdderModel(4);
        DynamicBatcher b = batcher(model, 4, 8);
        b.submit(request(1, 4, 4));
        b.submit(request(2, 3, 4));
        QueueRefusedException e = assertThrows(QueueRefusedException.class, () -> b.submit(request(3, 2, 4)));
        assertTrue(e.getMessage().contains("queue full (7 rows waiting, limit 8; this request has 2)"), e.getMessage());
        assertTrue(e.isTransient());
        b.submit(request(3, 1, 4));
        assertEquals(8, stats.models().get(0).queueRows.get());
        assertThrows(IllegalArgumentException.class, () -> b.submit(request(4, 9, 4)), "never fits");
    }

    @Test
    void requestsOfOtherInnerDimensionsDoNotShareABatch() throws Exception {
        AdderModel model = new AdderModel("wide", 8, -1);
        DynamicBatcher b = batcher(model, 8, 64);
        CompletableFuture<DynamicBatcher.Result> two = b.submit(request(1, 1, 2));
        CompletableFuture<DynamicBatcher.Result> three = b.submit(request(2, 1, 3));
        assertTrue(b.runReadyBatch(), "the head cannot grow past a request of other dimensions: it runs now");
        assertFalse(b.runReadyBatch(), "the second waits for its delay");
        clock.addAndGet(DELAY);
        assertTrue(b.runReadyBatch());
        assertEquals(List.of(1, 1), model.batchRows());
        assertArrayEquals(new long[] {1, 2}, two.get().outputs().get(0).shape());
        assertArrayEquals(new long[] {1, 3}, three.get().outputs().get(0).shape());
    }

    @Test
    void closeFailsWhatIsStillQueuedAndRefusesMore() {
        AdderModel model = new AdderModel(4);
        DynamicBatcher b = batcher(model, 4, 8);
        CompletableFuture<DynamicBatcher.Result> f = b.submit(request(1, 1, 4));
        b.close(0);
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        assertInstanceOf(QueueRefusedException.class, e.getCause());
        assertThrows(QueueRefusedException.class, () -> b.submit(request(2, 1, 4)));
        assertEquals(0, model.runs());
    }

    @Test
    void aModelRefusalKeepsItsType() {
        AdderModel model = new AdderModel(4);
        DynamicBatcher b = batcher(model, 4, 8);
        CompletableFuture<DynamicBatcher.Result> f = b.submit(List.of(InferTensor.ofFloats("INPUT0", new long[] {1, 4},
                new float[] {AdderModel.REFUSE, 0, 0, 0}), request(0, 1, 4).get(1)));
        clock.addAndGet(DELAY);
        b.runReadyBatch();
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        assertInstanceOf(InferenceProtocolException.class, e.getCause());
    }
}
