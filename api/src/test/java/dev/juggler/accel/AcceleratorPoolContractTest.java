package dev.juggler.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.juggler.JugglerException;
import dev.juggler.accel.sim.SimulatedDevice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link AcceleratorContract} on an {@link AcceleratorPool} of four simulated devices in fixed groups of
 * two that rotate every 20 ms, counting only transient failures as device failures (so that a permanent
 * one reaches the caller as it is).
 */
class AcceleratorPoolContractTest extends AcceleratorContract<Integer, String> {

    static String model(Integer input) {
        if (input < 0) {
            throw new JugglerException("cannot take input " + input);
        }
        return "out-" + input;
    }

    @Override
    protected Accelerator<Integer, String> newAccelerator() {
        List<Accelerator<Integer, String>> devices = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            devices.add(SimulatedDevice.builder("sim" + i).serviceTime(Duration.ofMillis(1)).maxBatchSize(4)
                    .build(AcceleratorPoolContractTest::model));
        }
        return AcceleratorPool.<Integer, String>builder().name("contract-pool").devices(devices)
                .groupSize(2).cyclePeriod(Duration.ofMillis(20))
                // a permanent error is the input's fault: the batch must not be retried on another device
                .deviceFailure(e -> e instanceof JugglerException je && je.isTransient())
                .closeDevicesOnClose(true).build();
    }

    @Override
    protected Integer input(int index) {
        return index;
    }

    @Override
    protected void assertOutput(int index, String output) {
        assertEquals("out-" + index, output);
    }

    @Override
    protected Optional<Integer> failingInput() {
        return Optional.of(-1);
    }
}
