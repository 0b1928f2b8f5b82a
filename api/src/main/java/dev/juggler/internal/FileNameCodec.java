package dev.juggler.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Turns arbitrary ids into file names that are safe on any POSIX file system and in any shell, and
 * back. Internal; stateless and thread-safe.
 *
 * <p>Every UTF-8 byte outside {@code [A-Za-z0-9._-]} becomes {@code %XX} (upper-case hex), and so does a
 * leading {@code '.'} or {@code '-'} (hidden files, options to {@code rm}/{@code rsync}). The encoding
 * is canonical: {@link #decode} accepts only what {@link #encode} produces, so a foreign or hand-made
 * name is never mistaken for an id and two names never map to the same id.
 *
 * <p>Names are case-sensitive; the directory holding them must be on a case-sensitive file system.
 */
public final class FileNameCodec {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private FileNameCodec() {
    }

    /**
     * The encoded form of {@code id}.
     *
     * @throws IllegalArgumentException if {@code id} is empty or not well-formed Unicode (an unpaired
     *     surrogate cannot be written as UTF-8 and therefore could not be decoded back)
     */
    public static String encode(String id) {
        if (id.isEmpty()) {
            throw new IllegalArgumentException("an empty id has no file name");
        }
        ByteBuffer bytes;
        try {
            bytes = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(id));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the id is not well-formed Unicode (unpaired surrogate)", e);
        }
        StringBuilder out = new StringBuilder(bytes.remaining() + 8);
        boolean first = true;
        while (bytes.hasRemaining()) {
            int b = bytes.get() & 0xFF;
            boolean plain = isPlain(b) && !(first && (b == '.' || b == '-'));
            if (plain) {
                out.append((char) b);
            } else {
                out.append('%').append(HEX[b >>> 4]).append(HEX[b & 0x0F]);
            }
            first = false;
        }
        return out.toString();
    }

    /** The id that {@link #encode} turned into {@code name}, or empty if no id encodes to it. */
    public static Optional<String> decode(String name) {
        if (name.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = new byte[name.length()];
        int n = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '%') {
                if (i + 2 >= name.length()) {
                    return Optional.empty();
                }
                int hi = hex(name.charAt(i + 1));
                int lo = hex(name.charAt(i + 2));
                if (hi < 0 || lo < 0) {
                    return Optional.empty();
                }
                bytes[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else if (c < 0x80 && isPlain(c)) {
                bytes[n++] = (byte) c;
            } else {
                return Optional.empty();
            }
        }
        String id;
        try {
            id = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, n))
                    .toString();
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
        // Canonical check: rejects e.g. "%41" for "A", lower-case hex, or an unencoded leading '-'.
        return id.isEmpty() || !encode(id).equals(name) ? Optional.empty() : Optional.of(id);
    }

    private static boolean isPlain(int b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '.' || b == '_'
                || b == '-';
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
