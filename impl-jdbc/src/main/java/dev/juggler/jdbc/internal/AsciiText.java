package dev.juggler.jdbc.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable buffer of ASCII text, the decoder's output: appending bytes to an array and building the
 * string once is several times faster than a {@link StringBuilder} for the short appends a document is
 * made of. Not thread-safe: one per decoding.
 */
final class AsciiText {

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
        Arrays.fill(bytes, length, length + count, (byte) '0');
        length += count;
        return this;
    }

    AsciiText add(long value) {
        return add(Long.toString(value).getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
