package dev.juggler.inference.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.juggler.accel.Accelerator;
import dev.juggler.accel.AcceleratorContract;
import java.time.Duration;
import java.util.Optional;

/**
 * {@link AcceleratorContract} on a {@link BridgeStick} driving the stand-in bridge ({@link FakeBridgeMain}),
 * which answers each line reversed and refuses {@code poison} for good.
 */
class BridgeStickContractTest extends AcceleratorContract<String, String> {

    private static final BridgeStick.LineCodec<String, String> TEXT = new BridgeStick.LineCodec<>() {
        @Override
        public String encode(String input) {
            return input;
        }

        @Override
        public String decode(String line) {
            return line;
        }
    };

    @Override
    protected Accelerator<String, String> newAccelerator() {
        return BridgeStick.builder(BridgeStickTest.fakeBridge("--max-batch", "3"), TEXT).name("ncs-contract")
                .model("/models/pose.xml").loadTimeout(Duration.ofSeconds(20)).requestTimeout(Duration.ofSeconds(5))
                .build();
    }

    @Override
    protected String input(int index) {
        return "in-" + index;
    }

    @Override
    protected void assertOutput(int index, String output) {
        assertEquals(new StringBuilder(input(index)).reverse().toString(), output);
    }

    @Override
    protected Optional<String> failingInput() {
        return Optional.of("poison");
    }
}
