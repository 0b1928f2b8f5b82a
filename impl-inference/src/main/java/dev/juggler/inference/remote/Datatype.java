package dev.juggler.inference.remote;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * The tensor element types of the Open Inference Protocol, with their wire names and sizes. The binary
 * layout of each is little-endian; {@link #BOOL} is one byte (0 or 1); {@link #FP16} and {@link #BF16}
 * travel as their 2-byte bit patterns; a {@link #BYTES} element is a 4-byte little-endian unsigned length
 * followed by that many bytes.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum Datatype {
    BOOL(1),
    UINT8(1),
    UINT16(2),
    UINT32(4),
    UINT64(8),
    INT8(1),
    INT16(2),
    INT32(4),
    INT64(8),
    /** IEEE 754 half precision. */
    FP16(2),
    FP32(4),
    FP64(8),
    /** bfloat16: the upper half of an FP32; Triton's extension of the type table. */
    BF16(2),
    /** Variable-size byte strings. */
    BYTES(-1);

    private final int size;

    Datatype(int size) {
        this.size = size;
    }

    /** The name on the wire, e.g. {@code "FP32"}. */
    public String wireName() {
        return name();
    }

    /** The size of one element in bytes, or empty for {@link #BYTES}, whose elements vary. */
    public OptionalInt elementSize() {
        return size < 0 ? OptionalInt.empty() : OptionalInt.of(size);
    }

    /** {@code true} for the integer types, signed and unsigned. */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64 -> true;
            default -> false;
        };
    }

    /** {@code true} for FP16, BF16, FP32 and FP64. */
    public boolean isFloatingPoint() {
        return this == FP16 || this == BF16 || this == FP32 || this == FP64;
    }

    /** Element size in bytes, -1 for BYTES; the codec's arithmetic wants a plain int. */
    int size() {
        return size;
    }

    /**
     * The datatype named {@code wireName} (case-sensitive, as the protocol says all strings are).
     *
     * @throws InferenceProtocolException if the name is not one of the protocol's datatypes
     */
    public static Datatype fromWireName(String wireName) {
        Objects.requireNonNull(wireName, "wireName");
        for (Datatype d : values()) {
            if (d.name().equals(wireName)) {
                return d;
            }
        }
        throw new InferenceProtocolException("unknown datatype \"" + InferTensor.clip(wireName)
                + "\"; the protocol knows BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, "
                + "FP16, FP32, FP64, BF16 and BYTES");
    }
}
