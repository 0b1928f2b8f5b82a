package dev.juggler.jdbc.internal;

import java.util.Arrays;

/**
 * A growable byte buffer with unsigned LEB128 varints (7 bits a byte, low bits first), the building block
 * of the stored result encoding, and a reader over such bytes. Not thread-safe: one per encoding.
 */
final class ByteStream {

    private byte[] bytes;
    private int size;

    ByteStream(int capacity) {
        bytes = new byte[Math.max(16, capacity)];
    }

    void write(int b) {
        if (size == bytes.length) {
            bytes = Arrays.copyOf(bytes, bytes.length * 2);
        }
        bytes[size++] = (byte) b;
    }

    /** All of {@code source}. */
    void write(byte[] source) {
        if (size + source.length > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + source.length));
        }
        System.arraycopy(source, 0, bytes, size, source.length);
        size += source.length;
    }

    /** {@code value} as an unsigned varint: 1 byte below 128, at most 10. */
    void writeVarint(long value) {
        long rest = value;
        while ((rest & ~0x7FL) != 0) {
            write((int) ((rest & 0x7F) | 0x80));
            rest >>>= 7;
        }
        write((int) rest);
    }

    /** {@code value} zigzag-mapped (0, -1, 1, -2, ... to 0, 1, 2, 3, ...) so small magnitudes stay short. */
    void writeSigned(long value) {
        writeVarint((value << 1) ^ (value >> 63));
    }

    void clear() {
        size = 0;
    }

    byte[] toArray() {
        return Arrays.copyOf(bytes, size);
    }

    /**
     * Reads what {@link ByteStream} wrote from an array region; every read past the region's end throws
     * {@link IllegalStateException}, which the decoder turns into its own error. Not thread-safe.
     */
    static final class Reader {
        private final byte[] bytes;
        private final int end;
        private int position;

        Reader(byte[] bytes, int from, int to) {
            this.bytes = bytes;
            this.position = from;
            this.end = to;
        }

        boolean atEnd() {
            return position == end;
        }

        int position() {
            return position;
        }

        /** Moves past {@code count} bytes that must all lie in the region. */
        void skip(int count) {
            if (count > end - position) {
                throw new IllegalStateException("ends early at byte " + end + ", " + count + " bytes after " + position);
            }
            position += count;
        }

        int read() {
            if (position >= end) {
                throw new IllegalStateException("ends early at byte " + position);
            }
            return bytes[position++] & 0xFF;
        }

        long readVarint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = read();
                value |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalStateException("a varint longer than 10 bytes at byte " + position);
        }

        long readSigned() {
            long raw = readVarint();
            return (raw >>> 1) ^ -(raw & 1);
        }

        /** A varint that must fit {@code [0, max]}, for counts and lengths. */
        int readCount(int max) {
            long value = readVarint();
            if (value > max) {
                throw new IllegalStateException("count " + value + " exceeds " + max + " at byte " + position);
            }
            return (int) value;
        }
    }
}
