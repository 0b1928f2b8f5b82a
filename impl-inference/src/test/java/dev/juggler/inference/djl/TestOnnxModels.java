package dev.juggler.inference.djl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tiny ONNX models for tests, written with a hand-rolled protobuf encoder so that modules without the ONNX
 * protobuf classes on their test class path (samples) can write them too. Thread-safe (stateless).
 */
public final class TestOnnxModels {

    /** W of the affine model, 3x2 row-major; the same numbers as {@code DjlAcceleratorTest}. */
    public static final float[] W = {1, 2, 3, 4, 5, 6};
    /** b of the affine model. */
    public static final float[] B = {0.5f, -1f};

    private static final int FLOAT = 1;
    private static final int INT64 = 7;

    private TestOnnxModels() {
    }

    /** y = x · W + b for one row {@code x} of 3 floats. */
    public static float[] affine(float[] x) {
        return new float[] {
            x[0] * W[0] + x[1] * W[2] + x[2] * W[4] + B[0],
            x[0] * W[1] + x[1] * W[3] + x[2] * W[5] + B[1]};
    }

    /** Writes y = x · W + b with input {@code x} FLOAT [batch, 3] and output {@code y} FLOAT [batch, 2]. */
    public static Path writeAffine(Path file) {
        return writeAffine(file, -1);
    }

    /** The affine model with a first dimension of {@code batch} ({@code -1}: dynamic). */
    public static Path writeAffine(Path file, long batch) {
        return writeAffine(file, batch, 3);
    }

    /**
     * The affine model with {@code x} of shape [{@code batch}, {@code features}]; a {@code features} of -1 declares
     * a dynamic dimension that only 3 fits, so ONNX Runtime itself must reject other widths.
     */
    public static Path writeAffine(Path file, long batch, long features) {
        Proto graph = new Proto()
                .message(1, node("MatMul", "x", "w", "xw"))
                .message(1, node("Add", "xw", "b", "y"))
                .string(2, "affine")
                .message(5, floats("w", W, 3, 2))
                .message(5, floats("b", B, 2))
                .message(11, value("x", FLOAT, batch, features))
                .message(12, value("y", FLOAT, batch, 2));
        return write(file, graph);
    }

    /** Writes sum = a + b and diff = a - b over INT64 [batch, 2] inputs {@code a} and {@code b}. */
    public static Path writeTwoInputsInt64(Path file) {
        Proto graph = new Proto()
                .message(1, node("Add", "a", "b", "sum"))
                .message(1, node("Sub", "a", "b", "diff"))
                .string(2, "sums")
                .message(11, value("a", INT64, -1, 2))
                .message(11, value("b", INT64, -1, 2))
                .message(12, value("sum", INT64, -1, 2))
                .message(12, value("diff", INT64, -1, 2));
        return write(file, graph);
    }

    private static Path write(Path file, Proto graph) {
        Proto model = new Proto()
                .varint(1, 8) // ir_version
                .string(2, "juggler-test")
                .message(7, graph)
                .message(8, new Proto().varint(2, 13)); // opset_import { version: 13 }
        try {
            return Files.write(file, model.bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Proto node(String op, String in1, String in2, String out) {
        return new Proto().string(1, in1).string(1, in2).string(2, out).string(3, op + "_" + out).string(4, op);
    }

    private static Proto floats(String name, float[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            raw.putFloat(v);
        }
        Proto t = new Proto();
        for (long d : dims) {
            t.varint(1, d);
        }
        return t.varint(2, FLOAT).string(8, name).bytes(9, raw.array());
    }

    /** A ValueInfoProto of a tensor; a dimension of -1 becomes a symbolic dimension of its own. */
    private static Proto value(String name, int elemType, long... dims) {
        Proto shape = new Proto();
        for (long d : dims) {
            shape.message(1, d < 0 ? new Proto().string(2, "n" + shape.bytes().length) : new Proto().varint(1, d));
        }
        Proto tensor = new Proto().varint(1, elemType).message(2, shape);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensor));
    }

    /** Protobuf wire format: varints and length-delimited fields are all these models need. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long value) {
            raw((long) field << 3);
            raw(value);
            return this;
        }

        Proto bytes(int field, byte[] value) {
            raw((long) field << 3 | 2);
            raw(value.length);
            out.writeBytes(value);
            return this;
        }

        Proto string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto value) {
            return bytes(field, value.bytes());
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private void raw(long value) {
            long v = value;
            while ((v & ~0x7FL) != 0) {
                out.write((int) (v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
        }
    }
}
