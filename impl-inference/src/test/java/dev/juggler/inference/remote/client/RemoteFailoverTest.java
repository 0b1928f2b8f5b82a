package dev.juggler.inference.remote.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.JugglerException;
import dev.juggler.accel.InputRejectedException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** Several endpoints, some slow or failing, on real HTTP over loopback. */
class RemoteFailoverTest {

    private static RemoteAccelerator.Builder<float[], float[]> builder(StubOipServer... servers) {
        RemoteAccelerator.Builder<float[], float[]> b = RemoteAccelerator.builder(TestModel.NAME, new TestModel())
                .version("1").maxBatchSize(8).maxInFlight(2).requestTimeout(Duration.ofSeconds(10))
                .acquireTimeout(Duration.ofSeconds(30)).backoff(Duration.ofMillis(20), Duration.ofMillis(200));
        for (StubOipServer s : servers) {
            b.endpoint(s.url());
        }
        return b;
    }

    @Test
    void everyFrameCompletesExactlyOnceWhileOneEndpointIsSlowAndOneFailsHalfItsCalls() throws Exception {
        int frames = 10_000;
        try (StubOipServer healthy = new StubOipServer(StubOipServer.Quirks.TRITON_LIKE);
                StubOipServer slow = new StubOipServer(StubOipServer.Quirks.TRITON_LIKE);
                StubOipServer flaky = new StubOipServer(StubOipServer.Quirks.TRITON_LIKE);
                RemoteAccelerator<float[], float[]> client = builder(healthy, slow, flaky).maxAttempts(4).build()) {
            slow.delay(5);
            // calls 1..100 fail every other one, 101..160 all fail (it must be taken out), then every other one
            flaky.failCalls(n -> (n > 100 && n <= 160) || n % 2 == 0);
            AtomicIntegerArray done = new AtomicIntegerArray(frames);
            ExecutorService threads = Executors.newFixedThreadPool(8);
            List<Future<?>> work = new ArrayList<>();
            for (int start = 0; start < frames; start += 8) {
                int first = start;
                work.add(threads.submit(() -> {
                    List<float[]> batch = new ArrayList<>();
                    for (int id = first; id < Math.min(frames, first + 8); id++) {
                        batch.add(new float[] {id, 0, 0, 0});
                    }
                    List<float[]> out = client.infer(batch);
                    for (int i = 0; i < out.size(); i++) {
                        int id = Math.round(out.get(i)[0] - 1);
                        assertEquals(first + i, id, "output " + i + " of the batch from " + first);
                        done.incrementAndGet(id);
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
            threads.shutdown();
            for (int id = 0; id < frames; id++) {
                assertEquals(1, done.get(id), "frame " + id);
            }
            EndpointSet.Status flakyStatus = status(client, flaky.url());
            assertTrue(flakyStatus.takenOut() >= 1, flakyStatus.toString());
            assertTrue(flakyStatus.answered() > 0, flakyStatus.toString());
            assertTrue(flaky.rows.get() > 0 && slow.rows.get() > 0 && healthy.rows.get() > 0);
            // rows computed by a server whose answer was lost are not counted: each frame was answered once
            assertEquals(frames, healthy.rows.get() + slow.rows.get() + flaky.rows.get());
            assertTrue(healthy.rows.get() > slow.rows.get(), "least-outstanding dispatch sends less to the slow endpoint: "
                    + healthy.rows.get() + " vs " + slow.rows.get());
            RemoteAccelerator.Timings t = client.timings();
            assertEquals(frames, t.frames());
            assertTrue(t.retries() > 0);
            assertTrue(t.server().isPresent());
        }
    }

    @Test
    void corruptInputIsNeverRetriedElsewhere() throws Exception {
        try (StubOipServer a = new StubOipServer(StubOipServer.Quirks.TRITON_LIKE);
                StubOipServer b = new StubOipServer(StubOipServer.Quirks.JSON_ONLY);
                StubOipServer c = new StubOipServer(StubOipServer.Quirks.TRITON_LIKE);
                RemoteAccelerator<float[], float[]> client = builder(a, b, c).build()) {
            for (int i = 0; i < 30; i++) {
                InputRejectedException e = assertThrows(InputRejectedException.class,
                        () -> client.infer(List.of(new float[] {TestModel.POISON, 0, 0, 0})));
                assertTrue(((RemoteInferenceException) e.getCause()).badInput());
            }
            assertEquals(30, a.poisonCalls.get() + b.poisonCalls.get() + c.poisonCalls.get());
            assertTrue(client.endpointStatus().stream().allMatch(s -> s.up() && s.failed() == 0), client.endpointStatus().toString());
        }
    }

    @Test
    void aModelThatIsNotReadyIsProbedUntilItIs() throws Exception {
        try (StubOipServer server = new StubOipServer(StubOipServer.Quirks.NOT_READY_424);
                RemoteAccelerator<float[], float[]> client = builder(server).build()) {
            server.ready.set(false);
            Map<URI, String> down = client.connect();
            assertEquals(1, down.size());
            assertTrue(down.values().iterator().next().contains("not ready"), down.toString());
            Thread starter = new Thread(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                server.ready.set(true);
            });
            starter.start();
            assertEquals(2f, client.infer(List.of(new float[] {1, 0, 0, 0})).get(0)[0]);
            starter.join();
            assertTrue(status(client, server.url()).up());
        }
    }

    @Test
    void withNoEndpointUpABatchFailsTransientlyAfterTheWait() throws Exception {
        try (StubOipServer server = new StubOipServer(StubOipServer.Quirks.TRITON_LIKE);
                RemoteAccelerator<float[], float[]> client = builder(server).acquireTimeout(Duration.ofMillis(300)).build()) {
            server.ready.set(false);
            JugglerException e = assertThrows(JugglerException.class, () -> client.infer(List.of(new float[4])));
            assertTrue(e.isTransient());
            assertTrue(e.getMessage().contains(server.url().toString()) && e.getMessage().contains("down"), e.getMessage());
        }
    }

    @Test
    void endpointsAreAddedAndRemovedWhileRunning() throws Exception {
        try (StubOipServer first = new StubOipServer(StubOipServer.Quirks.TRITON_LIKE);
                StubOipServer second = new StubOipServer(StubOipServer.Quirks.JSON_ONLY);
                RemoteAccelerator<float[], float[]> client = builder(first).build()) {
            for (int i = 0; i < 5; i++) {
                client.infer(List.of(new float[4]));
            }
            client.add(second.url());
            ExecutorService threads = Executors.newFixedThreadPool(4);
            List<Future<?>> work = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                work.add(threads.submit(() -> client.infer(List.of(new float[4], new float[4]))));
            }
            for (Future<?> f : work) {
                f.get();
            }
            assertTrue(second.rows.get() > 0, "the added endpoint takes work");
            assertTrue(client.remove(first.url()));
            long before = first.inferCalls.get();
            for (int i = 0; i < 20; i++) {
                client.infer(List.of(new float[4]));
            }
            assertEquals(before, first.inferCalls.get(), "a removed endpoint gets no new calls");
            assertEquals(1, client.endpointStatus().size());
            assertFalse(client.remove(first.url()));
            threads.shutdown();
        }
    }

    @Test
    void oneHundredCallsToOneEndpointUseOneConnection() throws Exception {
        try (StubOipServer server = new StubOipServer(StubOipServer.Quirks.TRITON_LIKE);
                RemoteAccelerator<float[], float[]> client = builder(server).build()) {
            client.connect();
            server.connections.clear();
            for (int i = 0; i < 100; i++) {
                client.infer(List.of(new float[] {i, 0, 0, 0}));
            }
            assertEquals(1, server.connections.size(), server.connections.toString());
        }
    }

    private static EndpointSet.Status status(RemoteAccelerator<?, ?> client, URI url) {
        return client.endpointStatus().stream().filter(s -> s.url().equals(url)).findFirst().orElseThrow();
    }
}
