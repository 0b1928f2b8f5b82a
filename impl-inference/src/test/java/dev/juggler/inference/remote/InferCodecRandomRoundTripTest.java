package dev.juggler.inference.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random tensors of random shapes and datatypes round-trip in JSON and binary; random damage never escapes. */
class InferCodecRandomRoundTripTest {

    private static final long SEED = Long.getLong("oip.seed", System.nanoTime());

    private final InferCodec codec = new InferCodec(100_000);

    @Test
    void randomTensorsRoundTrip() {
        Random random = new Random(SEED);
        for (int round = 0; round < 300; round++) {
            List<InferTensor> tensors = new ArrayList<>();
            int n = random.nextInt(5);
            for (int i = 0; i < n; i++) {
                tensors.add(randomTensor(random, "t" + i));
            }
            InferResponse response = new InferResponse("m", Optional.empty(), Optional.of("r" + round), Map.of(), tensors);
            int mode = random.nextInt(3);
            InferCodec.Encoded e = mode == 2 ? codec.encodeResponse(response, name -> random.nextBoolean())
                    : codec.encodeResponse(response, mode == 1);
            InferResponse back = codec.decodeResponse(e.body(), e.headerLength());
            assertEquals(response, back, "seed " + SEED + " (rerun with -Doip.seed=" + SEED + "), round " + round);
        }
    }

    @Test
    void randomDamageIsAlwaysAProtocolError() {
        Random random = new Random(SEED);
        for (int round = 0; round < 300; round++) {
            InferResponse response = InferResponse.of("m", List.of(randomTensor(random, "a"), randomTensor(random, "b")));
            InferCodec.Encoded e = codec.encodeResponse(response, random.nextBoolean());
            byte[] body = e.body();
            int cut = random.nextInt(body.length);
            byte[] damaged = java.util.Arrays.copyOf(body, cut);
            int header = e.headerLength().orElse(body.length);
            OptionalInt len = cut < header ? OptionalInt.empty() : e.headerLength();
            String where = "seed " + SEED + " (rerun with -Doip.seed=" + SEED + "), round " + round + ", cut " + cut;
            assertThrows(InferenceProtocolException.class, () -> codec.decodeResponse(damaged, len), where);
            for (int flips = 0; flips < 3; flips++) {
                byte[] flipped = body.clone();
                flipped[random.nextInt(body.length)] ^= (byte) (1 << random.nextInt(8));
                try {
                    codec.decodeResponse(flipped, e.headerLength());
                } catch (InferenceProtocolException expected) {
                    // a flipped bit may still leave a valid body; anything else must be this exception
                }
            }
        }
    }

    static InferTensor randomTensor(Random random, String name) {
        int rank = random.nextInt(4);
        long[] shape = new long[rank];
        int count = 1;
        for (int d = 0; d < rank; d++) {
            shape[d] = random.nextInt(5);
            count *= (int) shape[d];
        }
        Datatype type = Datatype.values()[random.nextInt(Datatype.values().length)];
        if (type == Datatype.BYTES) {
            List<byte[]> elements = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                StringBuilder s = new StringBuilder();
                for (int c = random.nextInt(6); c > 0; c--) {
                    s.appendCodePoint(random.nextBoolean() ? 'a' + random.nextInt(26) : 0x400 + random.nextInt(0x2000));
                }
                elements.add(s.toString().getBytes(StandardCharsets.UTF_8));
            }
            return InferTensor.ofBytes(name, shape, elements);
        }
        byte[] wire = new byte[count * type.elementSize().getAsInt()];
        random.nextBytes(wire);
        if (type == Datatype.BOOL) {
            for (int i = 0; i < wire.length; i++) {
                wire[i] &= 1;
            }
        }
        if (type.isFloatingPoint()) {
            // JSON keeps a NaN a NaN but not its payload; use the canonical NaN of each width
            canonicalizeNaNs(type, wire);
        }
        return InferTensor.ofWire(name, type, shape, wire);
    }

    private static void canonicalizeNaNs(Datatype type, byte[] wire) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(wire).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int size = type.elementSize().getAsInt();
        for (int i = 0; i < wire.length; i += size) {
            switch (type) {
                case FP16 -> {
                    if (Float.isNaN(HalfFloats.fp16ToFloat(b.getShort(i)))) {
                        b.putShort(i, (short) 0x7e00);
                    }
                }
                case BF16 -> {
                    if (Float.isNaN(HalfFloats.bf16ToFloat(b.getShort(i)))) {
                        b.putShort(i, HalfFloats.floatToBf16(Float.NaN));
                    }
                }
                case FP32 -> {
                    if (Float.isNaN(b.getFloat(i))) {
                        b.putFloat(i, Float.NaN);
                    }
                }
                default -> {
                    if (Double.isNaN(b.getDouble(i))) {
                        b.putDouble(i, Double.NaN);
                    }
                }
            }
        }
    }
}
