package dev.juggler.accel;

import dev.juggler.JugglerException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A device for pool tests whose temperature, throttling and failures the test sets, and which can hold
 * a batch until the test releases it. Thread-safe.
 */
final class ScriptedDevice implements Accelerator<Integer, Integer> {
    final String name;
    final ConcurrentLinkedQueue<Integer> received = new ConcurrentLinkedQueue<>();
    final AtomicInteger running = new AtomicInteger();
    volatile double temperature = 30;
    volatile boolean throttling;
    volatile boolean failing;
    volatile boolean healthFails;
    volatile CountDownLatch gate;
    volatile CountDownLatch entered;
    volatile boolean closed;

    ScriptedDevice(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int maxBatchSize() {
        return 4;
    }

    @Override
    public List<Integer> infer(List<Integer> batch) {
        running.incrementAndGet();
        try {
            CountDownLatch e = entered;
            if (e != null) {
                e.countDown();
            }
            CountDownLatch g = gate;
            if (g != null && !g.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test gate never opened");
            }
            if (failing) {
                throw new JugglerException(name + " broke", true, null);
            }
            received.addAll(batch);
            return batch.stream().map(x -> x * 10).toList();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        } finally {
            running.decrementAndGet();
        }
    }

    @Override
    public Optional<DeviceHealth> health() {
        if (healthFails) {
            throw new JugglerException("sensor of " + name + " unreadable", true, null);
        }
        return Optional.of(new DeviceHealth(OptionalDouble.of(temperature), throttling, Instant.EPOCH));
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return name;
    }
}
