package dev.juggler.inference.remote.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.accel.InputRejectedException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The client's behaviour against one kind of Open Inference Protocol server serving {@link TestModel}:
 * {@code juggler serve} and stubs of other servers' documented quirks each run it.
 */
public abstract class OipClientContract {

    /** A running server of the adder model. */
    public interface Target extends AutoCloseable {
        URI url();

        /** The version to ask for, if the client should name one. */
        Optional<String> version();

        /** Whether the server lists the binary tensor extension. */
        boolean binary();

        /** Requests the model refused as poison so far. */
        long poisonCalls();

        @Override
        void close();
    }

    /** Starts a fresh server. */
    protected abstract Target start() throws Exception;

    private RemoteAccelerator<float[], float[]> client(URI... urls) {
        return client(Optional.empty(), urls);
    }

    private RemoteAccelerator<float[], float[]> client(Optional<String> version, URI... urls) {
        RemoteAccelerator.Builder<float[], float[]> b = RemoteAccelerator.builder(TestModel.NAME, new TestModel())
                .maxBatchSize(16).requestTimeout(Duration.ofSeconds(10)).acquireTimeout(Duration.ofSeconds(10));
        version.ifPresent(b::version);
        for (URI url : urls) {
            b.endpoint(url);
        }
        return b.build();
    }

    @Test
    void connectsAndReadsTheModel() throws Exception {
        try (Target t = start(); RemoteAccelerator<float[], float[]> client = client(t.version(), t.url())) {
            assertEquals(java.util.Map.of(), client.connect());
            List<EndpointSet.Status> status = client.endpointStatus();
            assertEquals(1, status.size());
            assertTrue(status.get(0).up(), status.toString());
        }
    }

    @Test
    void infersEveryFrameInOrder() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (Target t = start(); RemoteAccelerator<float[], float[]> client = client(t.version(), t.url())) {
            for (int round = 0; round < 20; round++) {
                List<float[]> batch = new ArrayList<>();
                int n = 1 + random.nextInt(16);
                for (int i = 0; i < n; i++) {
                    batch.add(new float[] {random.nextFloat() * 100, -random.nextFloat(), i, round});
                }
                List<float[]> out = client.infer(batch);
                assertEquals(n, out.size(), "seed " + seed);
                for (int i = 0; i < n; i++) {
                    float[] in = batch.get(i);
                    assertArrayEquals(new float[] {in[0] + 1, in[1] + 1, in[2] + 1, in[3] + 1}, out.get(i), 1e-4f, "seed " + seed);
                }
            }
            assertEquals(List.of(), client.infer(List.of()));
        }
    }

    @Test
    void badInputIsPermanentAndNeverSentElsewhere() throws Exception {
        try (Target a = start(); Target b = start();
                RemoteAccelerator<float[], float[]> client = client(a.version(), a.url(), b.url())) {
            assertEquals(java.util.Map.of(), client.connect());
            InputRejectedException e = assertThrows(InputRejectedException.class,
                    () -> client.infer(List.of(new float[] {1, 2, 3, 4}, new float[] {TestModel.POISON, 0, 0, 0})));
            assertTrue(((RemoteInferenceException) e.getCause()).badInput(), e.getMessage());
            assertFalse(e.isTransient());
            assertEquals(1, a.poisonCalls() + b.poisonCalls(), "the refused batch went to exactly one endpoint");
            assertTrue(e.getMessage().contains("poison"), e.getMessage());
            // the endpoint that refused it is still used
            assertEquals(2, client.infer(List.of(new float[4], new float[4])).size());
            assertTrue(client.endpointStatus().stream().allMatch(EndpointSet.Status::up));
        }
    }

    @Test
    void anOversizedBatchIsRefusedBeforeAnyCall() throws Exception {
        try (Target t = start(); RemoteAccelerator<float[], float[]> client = client(t.version(), t.url())) {
            List<float[]> batch = new ArrayList<>();
            for (int i = 0; i < 17; i++) {
                batch.add(new float[4]);
            }
            assertThrows(IllegalArgumentException.class, () -> client.infer(batch));
            client.close();
            assertThrows(IllegalStateException.class, () -> client.infer(List.of(new float[4])));
        }
    }

    @Test
    void anUnreachableEndpointIsSkipped() throws Exception {
        URI dead;
        try (Target gone = start()) {
            dead = gone.url();
        }
        try (Target t = start(); RemoteAccelerator<float[], float[]> client = client(t.version(), dead, t.url())) {
            for (int i = 0; i < 10; i++) {
                assertEquals(1, client.infer(List.of(new float[] {i, 0, 0, 0})).size());
            }
            EndpointSet.Status deadStatus = client.endpointStatus().stream().filter(s -> s.url().equals(dead)).findFirst().orElseThrow();
            assertFalse(deadStatus.up());
            assertTrue(deadStatus.lastError().contains("127.0.0.1"), deadStatus.lastError());
        }
    }
}
