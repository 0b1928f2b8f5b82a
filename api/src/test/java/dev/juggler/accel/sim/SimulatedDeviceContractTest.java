package dev.juggler.accel.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.juggler.JugglerException;
import dev.juggler.accel.Accelerator;
import dev.juggler.accel.AcceleratorContract;
import java.time.Duration;
import java.util.Optional;

/** {@link AcceleratorContract} on a {@link SimulatedDevice} in real time (1 ms per frame). */
class SimulatedDeviceContractTest extends AcceleratorContract<Integer, String> {

    /** The simulated model: a number in, its name out; -1 is an input it cannot take. */
    static String model(Integer input) {
        if (input < 0) {
            throw new JugglerException("cannot take input " + input);
        }
        return "out-" + input;
    }

    @Override
    protected Accelerator<Integer, String> newAccelerator() {
        return SimulatedDevice.builder("sim0").serviceTime(Duration.ofMillis(1)).maxBatchSize(4)
                .build(SimulatedDeviceContractTest::model);
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
