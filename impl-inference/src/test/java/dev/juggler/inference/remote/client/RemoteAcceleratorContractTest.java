package dev.juggler.inference.remote.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.juggler.accel.Accelerator;
import dev.juggler.accel.AcceleratorContract;
import dev.juggler.inference.remote.server.InferenceServer;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link AcceleratorContract} on a {@link RemoteAccelerator} whose two endpoints are Juggler inference servers
 * on loopback running the adder model; the failing input is one the model refuses (a permanent failure).
 */
class RemoteAcceleratorContractTest extends AcceleratorContract<float[], float[]> {

    private static InferenceServer first;
    private static InferenceServer second;

    @BeforeAll
    static void startServers() {
        first = InferenceServer.builder().model(new AdderModel()).bind("127.0.0.1:0").start();
        second = InferenceServer.builder().model(new AdderModel()).bind("127.0.0.1:0").start();
    }

    @AfterAll
    static void stopServers() {
        first.close();
        second.close();
    }

    @Override
    protected Accelerator<float[], float[]> newAccelerator() {
        return RemoteAccelerator.builder(TestModel.NAME, new TestModel()).maxBatchSize(8)
                .endpoint(URI.create(first.url())).endpoint(URI.create(second.url())).build();
    }

    @Override
    protected float[] input(int index) {
        return new float[] {index, -index, 0.5f, index * 2};
    }

    @Override
    protected void assertOutput(int index, float[] output) {
        assertArrayEquals(new float[] {index + 1, -index + 1, 1.5f, index * 2 + 1}, output, "input " + index);
    }

    @Override
    protected Optional<float[]> failingInput() {
        return Optional.of(new float[] {TestModel.POISON, 0, 0, 0});
    }
}
