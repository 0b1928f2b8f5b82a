package dev.juggler.jdbc.internal;

/**
 * Bit packing for the compact pose forms: sequences of signed longs, zigzag-mapped, in blocks of
 * {@value #BLOCK} values. Two forms:
 *
 * <ul>
 *   <li><em>fixed</em>: each block a byte giving its bit width (0-64), then its values in that many bits each,
 *       low bit first, padded to a whole byte;</li>
 *   <li><em>Rice</em> (in frames of a block, tag 17): each block its parameter {@code k} in 6 bits, then
 *       per value {@code v >>> k} one-bits and a zero-bit followed by the low {@code k} bits of {@code v}, or,
 *       for a quotient of {@value #ESCAPE} or more, {@value #ESCAPE} one-bits and all 64 bits of {@code v};
 *       bits low first, the sequence padded to a whole byte at its end. Values that cluster near zero with a
 *       few larger ones (differences from a prediction) take about a bit less each than in the fixed form.</li>
 * </ul>
 *
 * Stateless and thread-safe.
 */
final class BitPacking {

    private static final int BLOCK = 16;
    private static final int ESCAPE = 24;
    private static final int K_BITS = 6;

    private BitPacking() {
    }

    static long zigzag(long value) {
        return (value << 1) ^ (value >> 63);
    }

    private static int width(long[] values, int from, int to) {
        long bits = 0;
        for (int i = from; i < to; i++) {
            bits |= zigzag(values[i]);
        }
        return 64 - Long.numberOfLeadingZeros(bits);
    }

    static int packedBytes(long[] values, int count) {
        int bytes = 0;
        for (int from = 0; from < count; from += BLOCK) {
            int to = Math.min(count, from + BLOCK);
            bytes += 1 + (width(values, from, to) * (to - from) + 7) / 8;
        }
        return bytes;
    }

    static void pack(ByteStream out, long[] values, int count) {
        for (int from = 0; from < count; from += BLOCK) {
            int to = Math.min(count, from + BLOCK);
            int width = width(values, from, to);
            out.write(width);
            int current = 0;
            int used = 0;
            for (int i = from; i < to; i++) {
                long rest = zigzag(values[i]);
                int left = width;
                while (left > 0) {
                    int take = Math.min(8 - used, left);
                    current |= (int) (rest & ((1L << take) - 1)) << used;
                    used += take;
                    rest >>>= take;
                    left -= take;
                    if (used == 8) {
                        out.write(current);
                        current = 0;
                        used = 0;
                    }
                }
            }
            if (used > 0) {
                out.write(current);
            }
        }
    }

    static void unpack(ByteStream.Reader in, long[] values, int count, boolean deltas) {
        for (int from = 0; from < count; from += BLOCK) {
            int to = Math.min(count, from + BLOCK);
            int width = in.read();
            if (width > 64) {
                throw new IllegalStateException("declares a bit width of " + width);
            }
            BitReader bits = new BitReader(in); // one per block: each block ends on a whole byte
            for (int i = from; i < to; i++) {
                long raw = bits.read(width);
                long value = (raw >>> 1) ^ -(raw & 1);
                values[i] = deltas && i > 0 ? values[i - 1] + value : value;
            }
        }
    }

    /** The bytes {@link #packRice} writes for the first {@code count} values. */
    static int riceBytes(long[] values, int count) {
        long bits = 0;
        for (int from = 0; from < count; from += BLOCK) {
            int to = Math.min(count, from + BLOCK);
            bits += K_BITS + riceBits(values, from, to, riceParameter(values, from, to));
        }
        return (int) ((bits + 7) / 8);
    }

    /** The Rice parameter that codes {@code values[from, to)} shortest: near log2 of their mean, checked one either side. */
    private static int riceParameter(long[] values, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            long v = zigzag(values[i]);
            sum += v >= 0 ? v : v + 0x1p64; // unsigned
        }
        double mean = sum / (to - from);
        int guess = mean < 2 ? 1 : Math.min(62, 64 - Long.numberOfLeadingZeros(mean >= 0x1p63 ? Long.MAX_VALUE : (long) mean) - 1);
        long below = 0;
        long at = 0;
        long above = 0;
        for (int i = from; i < to; i++) {
            long v = zigzag(values[i]);
            below += riceCost(v, guess - 1);
            at += riceCost(v, guess);
            above += riceCost(v, guess + 1);
        }
        return below < at && below <= above ? guess - 1 : at <= above ? guess : guess + 1;
    }

    private static long riceCost(long zigzagged, int k) {
        long quotient = zigzagged >>> k;
        return quotient >= ESCAPE || quotient < 0 ? ESCAPE + 64 : quotient + 1 + k;
    }

    private static long riceBits(long[] values, int from, int to, int k) {
        long bits = 0;
        for (int i = from; i < to; i++) {
            bits += riceCost(zigzag(values[i]), k);
        }
        return bits;
    }

    static void packRice(ByteStream out, long[] values, int count) {
        BitWriter bits = new BitWriter(out);
        for (int from = 0; from < count; from += BLOCK) {
            int to = Math.min(count, from + BLOCK);
            int k = riceParameter(values, from, to);
            bits.write(k, K_BITS);
            for (int i = from; i < to; i++) {
                long v = zigzag(values[i]);
                long quotient = v >>> k;
                if (quotient >= ESCAPE) {
                    bits.ones(ESCAPE);
                    bits.write(v, 64);
                } else {
                    bits.ones((int) quotient);
                    bits.write(0, 1);
                    bits.write(v, k);
                }
            }
        }
        bits.flush();
    }

    static void unpackRice(ByteStream.Reader in, long[] values, int count, boolean deltas) {
        BitReader bits = new BitReader(in);
        for (int from = 0; from < count; from += BLOCK) {
            int to = Math.min(count, from + BLOCK);
            int k = (int) bits.read(K_BITS);
            for (int i = from; i < to; i++) {
                int quotient = 0;
                while (quotient < ESCAPE && bits.read(1) == 1) {
                    quotient++;
                }
                long raw = quotient == ESCAPE ? bits.read(64) : ((long) quotient << k) | bits.read(k);
                long value = (raw >>> 1) ^ -(raw & 1);
                values[i] = deltas && i > 0 ? values[i - 1] + value : value;
            }
        }
    }

    /** Writes bits low first into a {@link ByteStream}. Not thread-safe. */
    private static final class BitWriter {
        private final ByteStream out;
        private long current;
        private int used;

        BitWriter(ByteStream out) {
            this.out = out;
        }

        void ones(int count) {
            for (int left = count; left > 0; left -= 32) {
                int n = Math.min(32, left);
                write((1L << n) - 1, n);
            }
        }

        /** The low {@code count} (0-64) bits of {@code value}. */
        void write(long value, int count) {
            if (count > 32) {
                write(value, 32);
                write(value >>> 32, count - 32);
                return;
            }
            current |= (count == 0 ? 0 : value & (-1L >>> (64 - count))) << used;
            used += count;
            while (used >= 8) {
                out.write((int) (current & 0xFF));
                current >>>= 8;
                used -= 8;
            }
        }

        void flush() {
            if (used > 0) {
                out.write((int) (current & 0xFF));
            }
            current = 0;
            used = 0;
        }
    }

    /** Reads what {@link BitWriter} wrote; past the region's end it throws as the reader does. Not thread-safe. */
    private static final class BitReader {
        private final ByteStream.Reader in;
        private int current;
        private int available;

        BitReader(ByteStream.Reader in) {
            this.in = in;
        }

        /** The next {@code count} (0-64) bits as the low bits of a long. */
        long read(int count) {
            long value = 0;
            int got = 0;
            while (got < count) {
                if (available == 0) {
                    current = in.read();
                    available = 8;
                }
                int take = Math.min(count - got, available);
                value |= (long) ((current >>> (8 - available)) & ((1 << take) - 1)) << got;
                got += take;
                available -= take;
            }
            return value;
        }
    }
}
