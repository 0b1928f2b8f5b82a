package dev.juggler.inference.openpose;

import dev.juggler.JugglerException;

/**
 * An OpenPose JSON document is malformed: not JSON, a wrong type, an array whose length does not fit
 * its layout, or a non-finite number. The message names the source (file or caller's label), and where
 * it applies the person, the field and the index. Permanent. Immutable and thread-safe.
 */
public class OpenPoseFormatException extends JugglerException {
    private static final long serialVersionUID = 1L;

    private final String source;

    /**
     * @param source the file or label of the document
     * @param detail what is wrong and where
     * @param cause the parser's exception, or {@code null}
     */
    public OpenPoseFormatException(String source, String detail, Throwable cause) {
        super("invalid OpenPose JSON in " + source + ": " + detail, false, cause);
        this.source = source;
    }

    /** The file or label of the document. */
    public String source() {
        return source;
    }
}
