package dev.juggler.inference.remote;

import java.nio.ByteBuffer;

/**
 * Range checks and little-endian access for the protocol's integer types, all carried in a {@code long}
 * (UINT64 as its unsigned bit pattern). Stateless and thread-safe.
 */
final class IntegerRange {
    private IntegerRange() {
    }

    static boolean fits(Datatype type, long v) {
        return switch (type) {
            case INT8 -> v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE;
            case INT16 -> v >= Short.MIN_VALUE && v <= Short.MAX_VALUE;
            case INT32 -> v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
            case UINT8 -> v >= 0 && v <= 0xffL;
            case UINT16 -> v >= 0 && v <= 0xffffL;
            case UINT32 -> v >= 0 && v <= 0xffff_ffffL;
            case INT64, UINT64 -> true;
            default -> false;
        };
    }

    /** Appends {@code v} at the buffer's position in the width of {@code type}. */
    static void put(ByteBuffer b, Datatype type, long v) {
        switch (type.size()) {
            case 1 -> b.put((byte) v);
            case 2 -> b.putShort((short) v);
            case 4 -> b.putInt((int) v);
            default -> b.putLong(v);
        }
    }

    /** Element {@code index} of an integer tensor, sign- or zero-extended as its type says. */
    static long get(ByteBuffer b, Datatype type, int index) {
        return switch (type) {
            case INT8 -> b.get(index);
            case UINT8 -> b.get(index) & 0xffL;
            case INT16 -> b.getShort(2 * index);
            case UINT16 -> b.getShort(2 * index) & 0xffffL;
            case INT32 -> b.getInt(4 * index);
            case UINT32 -> b.getInt(4 * index) & 0xffff_ffffL;
            default -> b.getLong(8 * index);
        };
    }
}
