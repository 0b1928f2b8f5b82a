package dev.juggler.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.juggler.JugglerException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Accelerator} implementation must keep (the rules in {@link Accelerator}'s
 * class comment). Subclass it, implement {@link #newAccelerator()}, {@link #input(int)} and
 * {@link #assertOutput(int, Object)}, and run it with JUnit 5. Each test gets a fresh accelerator and
 * closes it afterwards.
 *
 * <p>Inputs are numbered: {@link #input(int)} makes a fresh input for a number (an implementation whose
 * inputs are used up by {@code infer} gets a new one each time), and {@link #assertOutput(int, Object)}
 * checks that an output is the one for that number. Inputs of different numbers should give outputs that
 * tell them apart, so that swapped outputs are caught. Override {@link #failingInput()} to check failures.
 *
 * <p>Shipped in the api test-jar so that hosts can check their own implementations the same way.
 *
 * @param <I> input per frame
 * @param <O> output per frame
 */
public abstract class AcceleratorContract<I, O> {

    /** The accelerator under test, made fresh for each test. */
    protected Accelerator<I, O> accelerator;

    /** A fresh accelerator, ready to infer. */
    protected abstract Accelerator<I, O> newAccelerator();

    /** A fresh input numbered {@code index} (0 or more). */
    protected abstract I input(int index);

    /** Asserts that {@code output} is what the accelerator returns for {@code input(index)}. */
    protected abstract void assertOutput(int index, O output);

    /**
     * An input the model cannot take, on which {@code infer} must fail with a {@link JugglerException};
     * empty (the default) skips the failure tests.
     */
    protected Optional<I> failingInput() {
        return Optional.empty();
    }

    /** Whether the failure on {@link #failingInput()} is transient; default {@code false}. */
    protected boolean failingInputIsTransient() {
        return false;
    }

    /** Threads that call {@code infer} at once in the concurrency tests; default 4. */
    protected int threads() {
        return 4;
    }

    /** Batches each thread runs in the concurrency tests; default 8 (lower it for slow models). */
    protected int batchesPerThread() {
        return 8;
    }

    @BeforeEach
    void openAccelerator() {
        accelerator = newAccelerator();
        assertNotNull(accelerator, "newAccelerator()");
    }

    @AfterEach
    void closeAccelerator() {
        if (accelerator != null) {
            accelerator.close();
        }
    }

    private List<I> inputs(int from, int count) {
        List<I> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            batch.add(input(from + i));
        }
        return batch;
    }

    private void assertOutputs(int from, List<O> outputs, int count) {
        assertNotNull(outputs, "infer returned null");
        assertEquals(count, outputs.size(), "one output per input");
        for (int i = 0; i < count; i++) {
            assertOutput(from + i, outputs.get(i));
        }
    }

    private int batchSize() {
        return Math.min(accelerator.maxBatchSize(), 4);
    }

    @Test
    void hasAStableNameAndABatchSizeOfAtLeastOne() {
        String name = accelerator.name();
        assertNotNull(name, "name()");
        assertFalse(name.isBlank(), "name() must not be blank");
        assertEquals(name, accelerator.name(), "name() is stable");
        assertTrue(accelerator.maxBatchSize() >= 1, "maxBatchSize() = " + accelerator.maxBatchSize());
    }

    @Test
    void returnsOneOutputPerInputInInputOrder() {
        int n = batchSize();
        assertOutputs(0, accelerator.infer(inputs(0, n)), n);
        // The same numbers the other way round: each output follows its input.
        List<I> reversed = new ArrayList<>();
        for (int i = n - 1; i >= 0; i--) {
            reversed.add(input(i));
        }
        List<O> out = accelerator.infer(reversed);
        assertEquals(n, out.size(), "one output per input");
        for (int i = 0; i < n; i++) {
            assertOutput(n - 1 - i, out.get(i));
        }
        assertOutputs(7, accelerator.infer(inputs(7, 1)), 1);
    }

    @Test
    void aFullBatchRunsAndAnEmptyBatchGivesNoOutputs() {
        int max = accelerator.maxBatchSize();
        assertOutputs(3, accelerator.infer(inputs(3, max)), max);
        List<O> none = accelerator.infer(List.of());
        assertNotNull(none, "infer returned null");
        assertTrue(none.isEmpty(), "an empty batch gives no outputs: " + none);
    }

    @Test
    void refusesANullOrOversizedBatchAndStaysUsable() {
        assertThrows(NullPointerException.class, () -> accelerator.infer(null));
        int max = accelerator.maxBatchSize();
        RuntimeException refused = assertThrows(RuntimeException.class, () -> accelerator.infer(inputs(0, max + 1)),
                "a batch larger than maxBatchSize() is refused");
        assertCallerError(refused);
        assertOutputs(2, accelerator.infer(inputs(2, 1)), 1);
    }

    private static void assertCallerError(RuntimeException e) {
        if (e instanceof JugglerException je) {
            assertFalse(je.isTransient(), "an oversized batch is refused for good: " + je);
        } else if (!(e instanceof IllegalArgumentException)) {
            fail("an oversized batch is refused with IllegalArgumentException or a permanent JugglerException, not " + e, e);
        }
    }

    @Test
    void aFailingInputThrowsATypedJugglerExceptionAndLeavesTheAcceleratorUsable() {
        Optional<I> bad = failingInput();
        assumeTrue(bad.isPresent(), "no failing input for " + getClass().getSimpleName());
        JugglerException e = assertThrows(JugglerException.class, () -> accelerator.infer(List.of(bad.get())));
        assertEquals(failingInputIsTransient(), e.isTransient(), "transient flag of " + e);
        assertOutputs(5, accelerator.infer(inputs(5, 1)), 1);
    }

    @Test
    void concurrentCallersEachGetTheOutputsOfTheirOwnInputs() throws Exception {
        int threads = threads();
        int batches = batchesPerThread();
        int n = batchSize();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int b = 0; b < batches; b++) {
                        // Each batch has numbers no other batch uses, so a mix-up between threads shows.
                        int from = (thread * batches + b) * n;
                        assertOutputs(from, accelerator.infer(inputs(from, n)), n);
                        accelerator.health().ifPresent(AcceleratorContract::assertReading);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void healthIsEmptyOrAWellFormedReading() {
        accelerator.health().ifPresent(AcceleratorContract::assertReading);
        accelerator.infer(inputs(0, 1));
        accelerator.health().ifPresent(AcceleratorContract::assertReading);
    }

    private static void assertReading(DeviceHealth health) {
        assertNotNull(health.at(), "at");
        health.temperatureCelsius().ifPresent(c -> assertTrue(Double.isFinite(c), "temperature must be finite: " + c));
    }

    @Test
    void closeIsIdempotentRefusesLaterBatchesAndKeepsHealthReadable() {
        accelerator.infer(inputs(0, 1));
        accelerator.close();
        accelerator.close();
        assertThrows(IllegalStateException.class, () -> accelerator.infer(inputs(1, 1)));
        accelerator.health().ifPresent(AcceleratorContract::assertReading);
    }

    @Test
    void closeWhileBatchesRunLetsEachBatchCompleteOrFailCleanly() throws Exception {
        int threads = threads();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicBoolean stop = new AtomicBoolean();
        try {
            CountDownLatch running = new CountDownLatch(threads);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    running.countDown();
                    for (int b = 0; !stop.get(); b++) {
                        int from = thread * 10_000 + b;
                        List<O> out;
                        try {
                            out = accelerator.infer(inputs(from, 1));
                        } catch (IllegalStateException | JugglerException refused) {
                            return null; // closed under it or before it: a clean failure
                        }
                        assertOutputs(from, out, 1);
                    }
                    return null;
                }));
            }
            running.await();
            accelerator.infer(inputs(0, 1)); // at least one batch has run before the close
            accelerator.close();
            stop.set(true);
            for (Future<?> f : done) {
                f.get(5, TimeUnit.MINUTES);
            }
            assertThrows(IllegalStateException.class, () -> accelerator.infer(inputs(1, 1)));
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
    }
}
