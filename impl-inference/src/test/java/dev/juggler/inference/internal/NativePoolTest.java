package dev.juggler.inference.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.JugglerException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class NativePoolTest {

    /** A stand-in for an interpreter: counts how many threads use it at once. */
    static final class Resource {
        final int id;
        final AtomicInteger users = new AtomicInteger();
        volatile boolean closed;

        Resource(int id) {
            this.id = id;
        }
    }

    @Test
    void eachUseHasAResourceToItselfAndCloseFreesAllOnceAfterRunningUses() throws Exception {
        AtomicInteger ids = new AtomicInteger();
        List<Resource> freed = new CopyOnWriteArrayList<>();
        AtomicInteger alsoReleased = new AtomicInteger();
        NativePool<Resource> pool = NativePool.open("acc", "resource", 2, () -> new Resource(ids.getAndIncrement()), r -> {
            r.closed = true;
            freed.add(r);
        });
        Set<Integer> seen = ConcurrentHashMap.newKeySet();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Future<?> holder = threads.submit(() -> pool.use(r -> {
                inside.countDown();
                await(release);
                assertFalse(r.closed, "not freed under a running use");
                return null;
            }));
            inside.await();
            for (int i = 0; i < 20; i++) {
                pool.use(r -> {
                    assertEquals(1, r.users.incrementAndGet(), "a resource is never shared");
                    seen.add(r.id);
                    r.users.decrementAndGet();
                    return null;
                });
            }
            assertEquals(1, seen.size(), "the other resource is held");
            Future<?> closer = threads.submit(() -> pool.close(alsoReleased::incrementAndGet));
            Thread.sleep(50);
            assertFalse(closer.isDone(), "close waits for the running use");
            assertTrue(pool.isClosed());
            release.countDown();
            holder.get(10, TimeUnit.SECONDS);
            closer.get(10, TimeUnit.SECONDS);
            assertEquals(2, freed.size());
            pool.close(alsoReleased::incrementAndGet);
            assertEquals(2, freed.size(), "idempotent");
            assertEquals(1, alsoReleased.get());
            assertThrows(IllegalStateException.class, () -> pool.use(r -> null));
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aResourceThatFailsToOpenReleasesThoseAlreadyOpen() {
        AtomicInteger ids = new AtomicInteger();
        List<Resource> freed = new CopyOnWriteArrayList<>();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> NativePool.open("acc", "resource", 3, () -> {
            if (ids.get() == 2) {
                throw new IllegalStateException("no memory");
            }
            return new Resource(ids.getAndIncrement());
        }, freed::add));
        assertEquals("no memory", e.getMessage());
        assertEquals(2, freed.size());
    }

    @Test
    void anInterruptedWaitIsATransientFailure() throws Exception {
        NativePool<Resource> pool = NativePool.open("acc", "free resource", 1, () -> new Resource(0), r -> { });
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> pool.use(r -> {
            inside.countDown();
            await(release);
            return null;
        }));
        holder.start();
        inside.await();
        Thread.currentThread().interrupt();
        JugglerException e = assertThrows(JugglerException.class, () -> pool.use(r -> null));
        assertTrue(e.isTransient());
        assertTrue(Thread.interrupted(), "the interrupt flag is kept");
        assertTrue(e.getMessage().contains("free resource of acc"), e.getMessage());
        release.countDown();
        holder.join(10_000);
        pool.close(() -> { });
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
