package dev.juggler.stage;

import dev.juggler.InvalidConfigException;
import dev.juggler.internal.FileNameCodec;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * File names of the workspace (see {@link StagingProtocol}, "File names") and the escaping of ids for
 * log lines and messages. Stateless and thread-safe.
 */
final class StagedNames {

    static final String SEPARATOR = ".v.";
    static final String PART_SUFFIX = ".part";
    private static final String MARKER = ".v";
    private static final String FALLBACK_EXTENSION = "bin";
    private static final Pattern EXTENSION = Pattern.compile("[a-z0-9]{1,10}");
    private static final int PRINTABLE_CHARS = 80;

    /** A decodable workspace file: the id it holds and whether it is a partial copy. */
    record Parsed(String videoId, boolean part) {
    }

    private StagedNames() {
    }

    /**
     * The name under which a video is stored.
     *
     * @throws InvalidConfigException if the id cannot be a file name (see the class comment)
     */
    static String fileName(String videoId, String sourceFileName) {
        return encode(videoId) + SEPARATOR + extensionOf(sourceFileName);
    }

    /** What {@code fileName} holds, or empty for a foreign name. */
    static Optional<Parsed> parse(String fileName) {
        boolean part = fileName.endsWith(PART_SUFFIX);
        String name = part ? fileName.substring(0, fileName.length() - PART_SUFFIX.length()) : fileName;
        int dot = name.lastIndexOf('.');
        if (dot < 0 || !isExtension(name.substring(dot + 1))) {
            return Optional.empty();
        }
        String stem = name.substring(0, dot);
        if (!stem.endsWith(MARKER)) {
            return Optional.empty();
        }
        return FileNameCodec.decode(stem.substring(0, stem.length() - MARKER.length())).map(id -> new Parsed(id, part));
    }

    private static String encode(String id) {
        String encoded;
        try {
            encoded = FileNameCodec.encode(id);
        } catch (IllegalArgumentException e) {
            throw InvalidConfigException.of("video id", printable(id), e.getMessage());
        }
        if (encoded.length() > StagingProtocol.MAX_ENCODED_ID_BYTES) {
            throw InvalidConfigException.of("video id", printable(id), "its file name would take " + encoded.length()
                    + " bytes once encoded; at most " + StagingProtocol.MAX_ENCODED_ID_BYTES
                    + " are allowed, use a shorter id");
        }
        return encoded;
    }

    private static boolean isExtension(String ext) {
        // "part" would make a complete file look like a partial one.
        return EXTENSION.matcher(ext).matches() && !ext.equals("part");
    }

    private static String extensionOf(String sourceFileName) {
        int dot = sourceFileName.lastIndexOf('.');
        String ext = dot < 0 ? "" : sourceFileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        return isExtension(ext) ? ext : FALLBACK_EXTENSION;
    }

    /** An id fit for a log line or message: quoted, control characters escaped, long ids cut. */
    static String printable(String id) {
        if (id == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < id.length() && out.length() < PRINTABLE_CHARS) {
            int cp = id.codePointAt(i);
            int type = Character.getType(cp);
            if (type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
                out.append(String.format(Locale.ROOT, "\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        if (i < id.length()) {
            out.append("...(").append(id.length()).append(" chars)");
        }
        return "'" + out + "'";
    }
}
