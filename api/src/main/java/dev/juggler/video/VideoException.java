package dev.juggler.video;

import dev.juggler.JugglerException;
import java.util.OptionalLong;

/**
 * A video could not be read: missing, empty, not a video, truncated, or damaged. Names the file and,
 * when the damage was met while decoding, the first frame that could not be delivered (the frames
 * before it were delivered). Permanent: the same file will fail the same way. Immutable and
 * thread-safe.
 */
public class VideoException extends JugglerException {
    private static final long serialVersionUID = 1L;

    /** What kind of damage was found; lets callers and reports group failures. */
    public enum Kind {
        /** The file does not exist or cannot be opened. */
        UNREADABLE,
        /** The file has no bytes. */
        EMPTY,
        /** The bytes are not a container/codec the decoder understands. */
        NOT_A_VIDEO,
        /** The stream ended before the frames the container promised. */
        TRUNCATED,
        /** A frame could not be decoded although the stream goes on. */
        DAMAGED
    }

    private final String location;
    private final Kind kind;
    private final long frame;

    /**
     * @param location the file or URI that failed
     * @param kind what is wrong with it
     * @param frame the first frame that could not be delivered, or {@code -1} if the file failed as a whole
     * @param detail the decoder's own words
     * @param cause the decoder's exception, or {@code null}
     */
    public VideoException(String location, Kind kind, long frame, String detail, Throwable cause) {
        super(message(location, kind, frame, detail), false, cause);
        this.location = location;
        this.kind = kind;
        this.frame = frame;
    }

    private static String message(String location, Kind kind, long frame, String detail) {
        String where = frame >= 0 ? " at frame " + frame : "";
        return "video " + kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + where + ": " + location
                + (detail == null || detail.isBlank() ? "" : " (" + detail + ")");
    }

    public String location() {
        return location;
    }

    public Kind kind() {
        return kind;
    }

    /** The first frame that was not delivered, if the failure happened while decoding. */
    public OptionalLong frame() {
        return frame >= 0 ? OptionalLong.of(frame) : OptionalLong.empty();
    }
}
