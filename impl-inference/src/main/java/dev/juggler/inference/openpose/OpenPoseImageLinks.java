package dev.juggler.inference.openpose;

import dev.juggler.JugglerException;
import dev.juggler.inference.internal.ImageFolderListing;
import dev.juggler.inference.internal.ImageHeader;
import dev.juggler.video.DamagedFrameException;
import dev.juggler.video.FrameRange;
import dev.juggler.video.VideoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The private folder that OpenPose's {@code --image_dir} reads for one range of an image folder: a symbolic
 * link per image, named {@code <base>_<12-digit frame>.<ext>} so that OpenPose's plain name order is the
 * frame order and its JSON files get the names it writes for a video. Links stop before the first image whose
 * header is damaged; {@link #after()} says why the range ends early. Immutable and thread-safe.
 *
 * @param dir the folder of links
 * @param linked the frames linked, from the range's start
 * @param after the failure at {@code linked.to()} when it is before the range's end, else {@code null}
 */
record OpenPoseImageLinks(Path dir, FrameRange linked, JugglerException after) {

    static OpenPoseImageLinks link(String location, Path folder, FrameRange range, String baseName, Path dir) {
        ImageFolderListing listing = ImageFolderListing.of(location, folder);
        if (range.from() >= listing.size()) {
            throw new VideoException(location, VideoException.Kind.TRUNCATED, range.from(), "range " + range
                    + " starts at or after the end: the folder has " + listing.size() + " images", null);
        }
        try {
            Files.createDirectories(dir);
            long end = Math.min(range.to(), listing.size());
            for (long frame = range.from(); frame < end; frame++) {
                int i = (int) frame;
                ImageHeader header;
                try {
                    header = ImageHeader.read(listing.file(i));
                } catch (ImageHeader.Unreadable e) {
                    return new OpenPoseImageLinks(dir, FrameRange.of(range.from(), frame), new DamagedFrameException(location,
                            frame, "image " + ImageFolderListing.quoted(listing.names().get(i)) + ": " + e.getMessage(), null));
                }
                String name = baseName + '_' + String.format("%012d", frame) + '.'
                        + header.format().extensions().get(0).toLowerCase(Locale.ROOT);
                Files.createSymbolicLink(dir.resolve(name), listing.file(i).toAbsolutePath());
            }
            JugglerException after = end < range.to() ? new VideoException(location, VideoException.Kind.TRUNCATED, end,
                    "the folder has only " + listing.size() + " images, so frame " + end + " is missing", null) : null;
            return new OpenPoseImageLinks(dir, FrameRange.of(range.from(), end), after);
        } catch (IOException | UnsupportedOperationException e) {
            throw JugglerException.transientFailure("cannot link the images of " + location + " for OpenPose into " + dir
                    + ": " + e, e);
        }
    }
}
