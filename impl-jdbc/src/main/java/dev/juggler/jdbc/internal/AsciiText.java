package dev.juggler.jdbc.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable buffer of ASCII text, the decoder's output: appending bytes to an array and building the
 * string once is several times faster than a {@link StringBuilder} for the short appends a document is
 * made of. Not thread-safe: one per decoding.
 */
final class AsciiText {

    /** Scratch space for one number's digits (a long has at most 19), so that writing one allocates nothing. */
    final byte[] digits = new byte[19];
    private byte[] bytes;
    private int length;

    AsciiText(int capacity) {
        bytes = new byte[Math.max(16, capacity)];
    }

    private void room(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }

    AsciiText add(char ch) {
        room(1);
        bytes[length++] = (byte) ch;
        return this;
    }

    /** Appends {@code text}, which must be ASCII (the encoding's constants). */
    AsciiText add(byte[] text) {
        room(text.length);
        System.arraycopy(text, 0, bytes, length, text.length);
        length += text.length;
        return this;
    }

    AsciiText add(byte[] text, int from, int count) {
        room(count);
        System.arraycopy(text, from, bytes, length, count);
        length += count;
        return this;
    }

    AsciiText zeros(int count) {
        room(count);
        for (int i = 0; i < count; i++) {
            bytes[length++] = '0'; // a loop: counts are 0-5, where Arrays.fill costs more than it does
        }
        return this;
    }

    AsciiText add(long value) {
        if (value > -10 && value < 10) { // person ids: nearly always -1
            if (value < 0) {
                add('-');
            }
            return add((char) ('0' + Math.abs(value)));
        }
        return add(Long.toString(value).getBytes(StandardCharsets.US_ASCII));
    }

    void clear() {
        length = 0;
    }

    /** Whether this text equals {@code text[from, to)}. */
    boolean sameAs(CharSequence text, int from, int to) {
        if (to - from != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (bytes[i] != text.charAt(from + i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
