package dev.juggler.inference.openpose;

import dev.juggler.JugglerException;
import dev.juggler.inference.internal.ImageArchive;
import dev.juggler.inference.internal.ImageFolderListing;
import dev.juggler.inference.internal.ImageHeader;
import dev.juggler.video.DamagedFrameException;
import dev.juggler.video.FrameRange;
import dev.juggler.video.VideoException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * The private folder that OpenPose's {@code --image_dir} reads for one range of an image folder: a symbolic
 * link per image, named {@code <base>_<12-digit frame>.<ext>} so that OpenPose's plain name order is the
 * frame order and its JSON files get the names it writes for a video. Links stop before the first image whose
 * header is damaged; {@link #after()} says why the range ends early. A staged image folder (an
 * {@link ImageArchive}) has no files to link to: the range's images are written out as files instead.
 * Immutable and thread-safe.
 *
 * @param dir the folder of links
 * @param linked the frames linked, from the range's start
 * @param after the failure at {@code linked.to()} when it is before the range's end, else {@code null}
 */
record OpenPoseImageLinks(Path dir, FrameRange linked, JugglerException after) {

    static OpenPoseImageLinks link(String location, Path folder, FrameRange range, String baseName, Path dir) {
        if (ImageArchive.isArchive(folder) && !Files.isDirectory(folder)) {
            return unpack(location, folder, range, baseName, dir);
        }
        ImageFolderListing listing = ImageFolderListing.of(location, folder);
        checkStart(location, range, listing.size());
        try {
            Files.createDirectories(dir);
            long end = Math.min(range.to(), listing.size());
            for (long frame = range.from(); frame < end; frame++) {
                int i = (int) frame;
                ImageHeader header;
                try {
                    header = ImageHeader.read(listing.file(i));
                } catch (ImageHeader.Unreadable e) {
                    return stopAt(location, range, frame, listing.names().get(i), e, dir);
                }
                Files.createSymbolicLink(dir.resolve(fileName(baseName, frame, header)), listing.file(i).toAbsolutePath());
            }
            return done(location, range, end, listing.size(), dir);
        } catch (IOException | UnsupportedOperationException e) {
            throw JugglerException.transientFailure("cannot link the images of " + location + " for OpenPose into " + dir
                    + ": " + e, e);
        }
    }

    /** The same for a staged image folder ({@link ImageArchive}): the range's images are written out as files. */
    private static OpenPoseImageLinks unpack(String location, Path file, FrameRange range, String baseName, Path dir) {
        ImageArchive archive = ImageArchive.read(location, file);
        checkStart(location, range, archive.size());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Files.createDirectories(dir);
            long end = Math.min(range.to(), archive.size());
            for (long frame = range.from(); frame < end; frame++) {
                int i = (int) frame;
                byte[] bytes = archive.bytes(channel, i);
                ImageHeader header;
                try {
                    header = ImageHeader.parse(bytes);
                } catch (ImageHeader.Unreadable e) {
                    return stopAt(location, range, frame, archive.names().get(i), e, dir);
                }
                Files.write(dir.resolve(fileName(baseName, frame, header)), bytes);
            }
            return done(location, range, end, archive.size(), dir);
        } catch (IOException e) {
            throw JugglerException.transientFailure("cannot unpack the images of " + location + " for OpenPose into " + dir
                    + ": " + e, e);
        }
    }

    private static void checkStart(String location, FrameRange range, int images) {
        if (range.from() >= images) {
            throw new VideoException(location, VideoException.Kind.TRUNCATED, range.from(), "range " + range
                    + " starts at or after the end: the folder has " + images + " images", null);
        }
    }

    private static String fileName(String baseName, long frame, ImageHeader header) {
        return baseName + '_' + String.format("%012d", frame) + '.' + header.format().extensions().get(0).toLowerCase(Locale.ROOT);
    }

    private static OpenPoseImageLinks stopAt(String location, FrameRange range, long frame, String name,
            ImageHeader.Unreadable e, Path dir) {
        return new OpenPoseImageLinks(dir, FrameRange.of(range.from(), frame), new DamagedFrameException(location, frame,
                "image " + ImageFolderListing.quoted(name) + ": " + e.getMessage(), null));
    }

    private static OpenPoseImageLinks done(String location, FrameRange range, long end, int images, Path dir) {
        JugglerException after = end < range.to() ? new VideoException(location, VideoException.Kind.TRUNCATED, end,
                "the folder has only " + images + " images, so frame " + end + " is missing", null) : null;
        return new OpenPoseImageLinks(dir, FrameRange.of(range.from(), end), after);
    }
}
