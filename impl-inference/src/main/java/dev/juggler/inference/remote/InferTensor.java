package dev.juggler.inference.remote;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One named tensor of the Open Inference Protocol: an input of a request or an output of a response.
 * The elements are held in the binary extension's wire layout (row-major, little-endian, BOOL as 0/1
 * bytes, FP16/BF16 as 2-byte patterns, BYTES as 4-byte length + bytes), so encoding in binary is a copy
 * and every datatype round-trips bit for bit.
 *
 * <p>Construction checks that no dimension is negative, that the element count (the product of the
 * shape, overflow-checked) fits the data, and that BYTES length prefixes tile the data exactly. Arrays are
 * copied in and out, so instances are immutable and thread-safe. {@code parameters} may hold strings,
 * numbers and booleans; {@code binary_data_size} is not allowed there because the codec owns it.
 *
 * @param name the tensor's name
 * @param datatype the element type
 * @param shape the dimensions, each {@code >= 0}; empty for a scalar
 * @param data the elements in wire layout
 * @param parameters the tensor's protocol parameters
 */
public record InferTensor(String name, Datatype datatype, long[] shape, byte[] data, Map<String, Object> parameters) {

    /** The tensor parameter that carries the byte size of binary data; written and read by the codec. */
    static final String BINARY_DATA_SIZE = "binary_data_size";

    /** Largest Java array the JVMs in use hand out reliably. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    /**
     * @throws InferenceProtocolException if the shape is invalid or the data do not fit it
     */
    public InferTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(datatype, "datatype");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        shape = shape.clone();
        data = data.clone();
        long count = elementCount(name, shape);
        checkWireLength(name, datatype, shape, count, data);
        parameters = Params.copy(parameters, "tensor '" + clip(name) + "'");
        if (parameters.containsKey(BINARY_DATA_SIZE)) {
            throw new InferenceProtocolException("tensor '" + clip(name) + "': parameter " + BINARY_DATA_SIZE
                    + " is written by the codec and cannot be set on a tensor");
        }
    }

    /** A tensor from wire-layout bytes, without parameters. */
    public static InferTensor ofWire(String name, Datatype datatype, long[] shape, byte[] wire) {
        return new InferTensor(name, datatype, shape, wire, Map.of());
    }

    /** An FP32 tensor. */
    public static InferTensor ofFloats(String name, long[] shape, float[] values) {
        ByteBuffer b = buffer(values.length, 4);
        b.asFloatBuffer().put(values);
        return ofWire(name, Datatype.FP32, shape, b.array());
    }

    /** An FP64 tensor. */
    public static InferTensor ofDoubles(String name, long[] shape, double[] values) {
        ByteBuffer b = buffer(values.length, 8);
        b.asDoubleBuffer().put(values);
        return ofWire(name, Datatype.FP64, shape, b.array());
    }

    /** An FP16 tensor; each value is rounded to the nearest half (ties to even), overflow to infinity. */
    public static InferTensor ofFp16(String name, long[] shape, float[] values) {
        ByteBuffer b = buffer(values.length, 2);
        for (float v : values) {
            b.putShort(HalfFloats.floatToFp16(v));
        }
        return ofWire(name, Datatype.FP16, shape, b.array());
    }

    /** A BF16 tensor; each value is rounded to the nearest bfloat16 (ties to even). */
    public static InferTensor ofBf16(String name, long[] shape, float[] values) {
        ByteBuffer b = buffer(values.length, 2);
        for (float v : values) {
            b.putShort(HalfFloats.floatToBf16(v));
        }
        return ofWire(name, Datatype.BF16, shape, b.array());
    }

    /** An INT32 tensor. */
    public static InferTensor ofInts(String name, long[] shape, int[] values) {
        long[] wide = new long[values.length];
        Arrays.setAll(wide, i -> values[i]);
        return ofLongs(name, Datatype.INT32, shape, wide);
    }

    /** An INT64 tensor. */
    public static InferTensor ofLongs(String name, long[] shape, long[] values) {
        return ofLongs(name, Datatype.INT64, shape, values);
    }

    /**
     * A tensor of any integer type. Each value must be in the type's range; for {@link Datatype#UINT64}
     * every long is taken as its unsigned bit pattern.
     *
     * @throws InferenceProtocolException if {@code datatype} is not an integer type or a value is out of range
     */
    public static InferTensor ofLongs(String name, Datatype datatype, long[] shape, long[] values) {
        if (!datatype.isInteger()) {
            throw new InferenceProtocolException("tensor '" + clip(name) + "': " + datatype + " is not an integer type");
        }
        ByteBuffer b = buffer(values.length, datatype.size());
        for (int i = 0; i < values.length; i++) {
            if (!IntegerRange.fits(datatype, values[i])) {
                throw new InferenceProtocolException("tensor '" + clip(name) + "': element " + i + " = " + values[i]
                        + " is outside the range of " + datatype);
            }
            IntegerRange.put(b, datatype, values[i]);
        }
        return ofWire(name, datatype, shape, b.array());
    }

    /** A BOOL tensor. */
    public static InferTensor ofBools(String name, long[] shape, boolean[] values) {
        byte[] wire = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            wire[i] = (byte) (values[i] ? 1 : 0);
        }
        return ofWire(name, Datatype.BOOL, shape, wire);
    }

    /** A BYTES tensor; each element may be empty. */
    public static InferTensor ofBytes(String name, long[] shape, List<byte[]> elements) {
        long total = 0;
        for (byte[] e : elements) {
            total += 4L + e.length;
        }
        if (total > MAX_ARRAY) {
            throw new InferenceProtocolException("tensor '" + clip(name) + "': " + total + " bytes of BYTES data exceed "
                    + MAX_ARRAY);
        }
        ByteBuffer b = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] e : elements) {
            b.putInt(e.length).put(e);
        }
        return ofWire(name, Datatype.BYTES, shape, b.array());
    }

    /** A BYTES tensor of UTF-8 encoded strings. */
    public static InferTensor ofStrings(String name, long[] shape, List<String> elements) {
        List<byte[]> bytes = new ArrayList<>(elements.size());
        for (String s : elements) {
            bytes.add(s.getBytes(StandardCharsets.UTF_8));
        }
        return ofBytes(name, shape, bytes);
    }

    /** This tensor with {@code newParameters} in place of its parameters. */
    public InferTensor withParameters(Map<String, ?> newParameters) {
        return new InferTensor(name, datatype, shape, data, new LinkedHashMap<String, Object>(newParameters));
    }

    /** A copy of the shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** A copy of the elements in wire layout. */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** A read-only little-endian view of the wire-layout elements, without copying. */
    public ByteBuffer dataBuffer() {
        return ByteBuffer.wrap(data).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The number of elements: the product of the shape, 1 for a scalar. */
    public long elementCount() {
        return elementCount(name, shape);
    }

    /** Byte size of the wire-layout data (the {@code binary_data_size} of this tensor). */
    public int byteSize() {
        return data.length;
    }

    /** The elements of an FP32, FP16 or BF16 tensor as floats (exact for all three). */
    public float[] asFloats() {
        float[] out = new float[(int) elementCount()];
        ByteBuffer b = dataBuffer();
        switch (datatype) {
            case FP32 -> b.asFloatBuffer().get(out);
            case FP16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = HalfFloats.fp16ToFloat(b.getShort(2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = HalfFloats.bf16ToFloat(b.getShort(2 * i));
                }
            }
            default -> throw wrongReader("asFloats", "FP32, FP16 or BF16");
        }
        return out;
    }

    /** The elements of any floating-point tensor as doubles (exact). */
    public double[] asDoubles() {
        if (datatype == Datatype.FP64) {
            double[] out = new double[(int) elementCount()];
            dataBuffer().asDoubleBuffer().get(out);
            return out;
        }
        if (!datatype.isFloatingPoint()) {
            throw wrongReader("asDoubles", "FP16, BF16, FP32 or FP64");
        }
        float[] f = asFloats();
        double[] out = new double[f.length];
        Arrays.setAll(out, i -> f[i]);
        return out;
    }

    /** The elements of any integer tensor as longs; UINT64 elements are their unsigned bit patterns. */
    public long[] asLongs() {
        if (!datatype.isInteger()) {
            throw wrongReader("asLongs", "an integer type");
        }
        long[] out = new long[(int) elementCount()];
        ByteBuffer b = dataBuffer();
        Arrays.setAll(out, i -> IntegerRange.get(b, datatype, i));
        return out;
    }

    /** The elements of an INT8, INT16, INT32, UINT8 or UINT16 tensor as ints. */
    public int[] asInts() {
        if (!datatype.isInteger() || datatype == Datatype.UINT32 || datatype == Datatype.INT64
                || datatype == Datatype.UINT64) {
            throw wrongReader("asInts", "INT8, INT16, INT32, UINT8 or UINT16 (use asLongs for wider types)");
        }
        long[] wide = asLongs();
        int[] out = new int[wide.length];
        Arrays.setAll(out, i -> (int) wide[i]);
        return out;
    }

    /** The elements of a BOOL tensor; any non-zero byte reads as {@code true}. */
    public boolean[] asBools() {
        if (datatype != Datatype.BOOL) {
            throw wrongReader("asBools", "BOOL");
        }
        boolean[] out = new boolean[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = data[i] != 0;
        }
        return out;
    }

    /** The elements of a BYTES tensor, each a fresh array. */
    public List<byte[]> asBytes() {
        if (datatype != Datatype.BYTES) {
            throw wrongReader("asBytes", "BYTES");
        }
        List<byte[]> out = new ArrayList<>();
        ByteBuffer b = dataBuffer();
        while (b.hasRemaining()) {
            byte[] e = new byte[b.getInt()];
            b.get(e);
            out.add(e);
        }
        return out;
    }

    /** The elements of a BYTES tensor decoded as UTF-8 (malformed sequences become U+FFFD). */
    public List<String> asStrings() {
        List<String> out = new ArrayList<>();
        for (byte[] e : asBytes()) {
            out.add(new String(e, StandardCharsets.UTF_8));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InferTensor t && name.equals(t.name) && datatype == t.datatype
                && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data) && parameters.equals(t.parameters);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, datatype, Arrays.hashCode(shape), Arrays.hashCode(data), parameters);
    }

    @Override
    public String toString() {
        return "InferTensor[" + name + ", " + datatype + Arrays.toString(shape) + ", " + data.length + " bytes"
                + (parameters.isEmpty() ? "" : ", " + parameters) + "]";
    }

    private InferenceProtocolException wrongReader(String reader, String wanted) {
        return new InferenceProtocolException("tensor '" + clip(name) + "' is " + datatype + "; " + reader
                + " reads " + wanted);
    }

    private static ByteBuffer buffer(int count, int size) {
        if ((long) count * size > MAX_ARRAY) {
            throw new InferenceProtocolException(count + " elements of " + size + " bytes exceed a Java array");
        }
        return ByteBuffer.allocate(count * size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The product of {@code shape}, checked for negative dimensions and overflow.
     *
     * @throws InferenceProtocolException naming the tensor if a dimension is negative or the product overflows
     */
    static long elementCount(String name, long[] shape) {
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new InferenceProtocolException("tensor '" + clip(name) + "': dimension " + i + " of shape "
                        + shapeText(shape) + " is negative");
            }
            if (shape[i] == 0) {
                // an empty tensor is legal however large its other dimensions are
                return 0;
            }
        }
        long count = 1;
        for (long d : shape) {
            if (count > Long.MAX_VALUE / d) {
                throw new InferenceProtocolException("tensor '" + clip(name) + "': the element count of shape "
                        + shapeText(shape) + " overflows a 64-bit integer");
            }
            count *= d;
        }
        return count;
    }

    private static void checkWireLength(String name, Datatype datatype, long[] shape, long count, byte[] data) {
        if (datatype != Datatype.BYTES) {
            long expected = count * datatype.size();
            if (count > MAX_ARRAY || expected != data.length) {
                throw new InferenceProtocolException("tensor '" + clip(name) + "': shape " + shapeText(shape) + " of "
                        + datatype + " needs " + (count > MAX_ARRAY ? count + " elements" : expected + " bytes")
                        + " but the data hold " + data.length + " bytes");
            }
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        long seen = 0;
        while (b.hasRemaining()) {
            if (b.remaining() < 4) {
                throw new InferenceProtocolException("tensor '" + clip(name) + "': BYTES element " + seen
                        + " has a truncated length prefix (" + b.remaining() + " of 4 bytes)");
            }
            long len = Integer.toUnsignedLong(b.getInt());
            if (len > b.remaining()) {
                throw new InferenceProtocolException("tensor '" + clip(name) + "': BYTES element " + seen + " claims "
                        + len + " bytes but only " + b.remaining() + " remain");
            }
            b.position(b.position() + (int) len);
            seen++;
        }
        if (seen != count) {
            throw new InferenceProtocolException("tensor '" + clip(name) + "': shape " + shapeText(shape)
                    + " needs " + count + " BYTES elements but the data hold " + seen);
        }
    }

    static String shapeText(long[] shape) {
        if (shape.length > 16) {
            return Arrays.toString(Arrays.copyOf(shape, 16)).replace("]", ", ... (" + shape.length + " dims)]");
        }
        return Arrays.toString(shape);
    }

    /** A name or value from the wire, cut short so that a hostile body cannot flood a message. */
    static String clip(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }
}
