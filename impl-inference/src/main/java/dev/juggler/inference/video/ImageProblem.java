package dev.juggler.inference.video;

import java.util.Objects;

/**
 * Something registration found about one image of an image folder. Immutable and thread-safe.
 *
 * @param frame the frame index of the image (its place in the folder's natural order)
 * @param fileName the image's file name, as it is (show it with {@link #describe()}, which escapes it)
 * @param severity whether the frame will fail or only looks unusual
 * @param reason what is wrong, for a person
 */
public record ImageProblem(long frame, String fileName, Severity severity, String reason) {

    /** How bad it is. */
    public enum Severity {
        /**
         * The image cannot be read (gone, unreadable, empty, not a supported image, cut short): its frame will
         * fail with a {@link dev.juggler.video.DamagedFrameException} when analysed; the other frames are not
         * affected.
         */
        DAMAGED,
        /** The image can be read but is unusual (a different size from the first, a misleading extension). */
        NOTE
    }

    public ImageProblem {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(reason, "reason");
        if (frame < 0) {
            throw new IllegalArgumentException("frame = " + frame + ": must be >= 0");
        }
    }

    /** {@code frame 12 "img 12.jpg": reason}, the name quoted with control characters escaped. */
    public String describe() {
        return "frame " + frame + " " + dev.juggler.inference.internal.ImageFolderListing.quoted(fileName) + ": " + reason;
    }
}
