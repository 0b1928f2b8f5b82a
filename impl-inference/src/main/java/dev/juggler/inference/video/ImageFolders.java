package dev.juggler.inference.video;

import dev.juggler.inference.internal.ImageDecoder;
import dev.juggler.inference.internal.ImageFolderListing;
import dev.juggler.inference.internal.ImageHeader;
import dev.juggler.inference.internal.VideoFiles;
import dev.juggler.pipeline.PixelFormat;
import dev.juggler.video.Video;
import dev.juggler.video.VideoException;
import dev.juggler.video.VideoException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Folders of still images used as videos, as OpenPose's {@code --image_dir} reads them: a video's location
 * may be a folder, and then each image file in it is one frame.
 *
 * <h2>Frames</h2>
 * The frames are the files directly in the folder whose extension is one of {@link #EXTENSIONS} (any case):
 * JPEG, PNG, BMP and still WebP, the formats FFmpeg's image decoders read and OpenPose's do too. Hidden files
 * (a leading {@code .}), sub-folders and other files are not frames. They are numbered from 0 in natural
 * order of their names: digit runs by value ({@code img2} before {@code img10}; {@code img07} next to
 * {@code img7}), other characters without regard to case, and names equal that way (differing only in case
 * or leading zeros) by their plain character order, so the numbering is the same on every machine. The
 * format of each file is taken from its bytes, not its name (a PNG named {@code .jpg} is read as a PNG).
 * The folder must not change after registration, as a video file must not: a changed folder changes its
 * size, and registration refuses it under the same id.
 *
 * <h2>Frame rate</h2>
 * In this order: the video's {@value #FPS_TAG} tag (a registration option: a manifest column or the
 * config's {@code fps:}), the folder's own {@value #FPS_FILE} file (one rate such as {@code 25},
 * {@code 29.97} or {@code 30000/1001}), else 25 (FFmpeg's rate for image
 * sequences). Frame sources take the rate from the file or the default, since they see only the location;
 * it sets nothing but the frames' timestamps.
 *
 * <h2>Checking at registration</h2>
 * {@link #inspect} reads every image's header and the end of the file (magic bytes, size, end marker)
 * without decoding pixels, so thousands of images are checked in about a second. Images that cannot be
 * read are listed as {@link ImageProblem.Severity#DAMAGED}; the folder is registered all the same with one
 * frame per image, so that frame numbers never depend on which files were readable on which day, and each
 * damaged frame fails on its own when analysed. Images of another size than the first are listed as notes
 * and delivered at their own size. A folder with no readable image is refused.
 *
 * <p>Stateless and thread-safe.
 */
public final class ImageFolders {

    /** The extensions of frame files (lower case, without the dot); matched without regard to case. */
    public static final List<String> EXTENSIONS;

    static {
        List<String> all = new ArrayList<>();
        for (ImageHeader.Format f : ImageHeader.Format.values()) {
            all.addAll(f.extensions());
        }
        EXTENSIONS = List.copyOf(all);
    }

    /**
     * The natural order of names that frames are numbered in (digit runs by value, other characters without
     * regard to case, then plain order for a total order); the {@code juggler} tool lists videos in it too.
     */
    public static final java.util.Comparator<String> NATURAL_ORDER = dev.juggler.inference.internal.ImageOrder.INSTANCE;

    /** The tag that sets an image folder's frame rate at registration. */
    public static final String FPS_TAG = "fps";

    /** The file in an image folder that holds its frame rate. */
    public static final String FPS_FILE = ImageFolderListing.FPS_FILE;

    /** The frame rate of a folder that says none: 25. */
    public static final double DEFAULT_FPS = ImageFolderListing.DEFAULT_FPS;

    private ImageFolders() {
    }

    /** Whether {@code location} (a path or {@code file:} URI) names a folder, which is then read as an image folder. */
    public static boolean isImageFolder(String location) {
        try {
            return Files.isDirectory(VideoFiles.toPath(Objects.requireNonNull(location, "location")));
        } catch (VideoException e) {
            return false;
        }
    }

    /**
     * Whether a file of this name would be a frame of its folder: its extension is one of {@link #EXTENSIONS}
     * (any case) and it is not hidden (no leading {@code .}). Looks at the name only.
     */
    public static boolean isFrameName(String fileName) {
        return ImageFolderListing.isFrameName(Objects.requireNonNull(fileName, "fileName"));
    }

    /**
     * Whether {@code folder} directly holds at least one frame file (stops at the first one it finds).
     * A folder that cannot be listed holds none.
     */
    public static boolean holdsImages(Path folder) {
        try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path p : entries) {
                if (ImageFolderListing.isFrameName(p.getFileName().toString()) && Files.isRegularFile(p)) {
                    return true;
                }
            }
            return false;
        } catch (IOException | java.nio.file.DirectoryIteratorException e) {
            return false;
        }
    }

    /**
     * Parses a frame rate as the {@value #FPS_TAG} tag and the {@value #FPS_FILE} file give it: {@code 25},
     * {@code 29.97} or {@code 30000/1001}, in (0, 10000]; empty if the text is none of these.
     */
    public static OptionalDouble parseFps(String text) {
        return ImageFolderListing.parseFps(text);
    }

    /**
     * The frame files of {@code folder}, in frame order.
     *
     * @throws VideoException {@code UNREADABLE} if it is not a folder or cannot be listed, {@code EMPTY} if it
     *     holds no image file
     */
    public static List<Path> frames(Path folder) {
        ImageFolderListing listing = ImageFolderListing.of(folder.toString(), folder);
        List<Path> files = new ArrayList<>(listing.size());
        for (String name : listing.names()) {
            files.add(folder.resolve(name));
        }
        return files;
    }

    /**
     * The total size of the frame files, which is the folder's {@link Video#sizeBytes()} (one listing and a
     * size per file, no reads): what registration compares to see whether a registered folder changed.
     *
     * @throws VideoException as {@link #frames}
     */
    public static long sizeBytes(Path folder) {
        long total = 0;
        for (Path file : frames(folder)) {
            try {
                total += Files.size(file);
            } catch (IOException e) {
                // Counted as 0, as inspect does: the file will be reported as damaged there.
            }
        }
        return total;
    }

    /**
     * The frame rate of {@code folder}: the {@value #FPS_TAG} tag in {@code tags}, else its {@value #FPS_FILE}
     * file, else {@link #DEFAULT_FPS}.
     *
     * @throws dev.juggler.InvalidConfigException if the tag is not a rate
     * @throws VideoException {@code NOT_A_VIDEO} if the file cannot be read or is not a rate
     */
    public static double fps(Path folder, Map<String, String> tags) {
        String tag = tags == null ? null : tags.get(FPS_TAG);
        if (tag != null) {
            OptionalDouble fps = ImageFolderListing.parseFps(tag);
            if (fps.isEmpty()) {
                throw dev.juggler.InvalidConfigException.of(FPS_TAG, tag,
                        "must be one frame rate in (0, 10000] such as 25, 29.97 or 30000/1001");
            }
            return fps.getAsDouble();
        }
        return ImageFolderListing.fpsFile(folder.toString(), folder).orElse(DEFAULT_FPS);
    }

    /**
     * Checks every image's header (see "Checking at registration") and describes the folder as a video:
     * one frame per image file, the rate from {@link #fps}, the size of all images together.
     *
     * @param id the video id
     * @param folder the folder; its string form becomes {@link Video#location()}
     * @param tags the video's tags, may be {@code null}
     * @param decodeAll also decode every image whose header is sound (slower: a full decode of each), to find
     *     damage inside the compressed data as well
     * @return the video and what was found, damaged images first, then notes, each in frame order
     * @throws VideoException {@code UNREADABLE}/{@code EMPTY} as {@link #frames}, {@code NOT_A_VIDEO} for a bad
     *     {@value #FPS_FILE} file or when no image at all can be read
     */
    public static VideoProbe.Inspection inspect(String id, Path folder, Map<String, String> tags, boolean decodeAll) {
        Objects.requireNonNull(id, "id");
        String location = folder.toString();
        ImageFolderListing listing = ImageFolderListing.of(location, folder);
        double fps = fps(folder, tags);
        List<ImageProblem> damaged = new ArrayList<>();
        List<ImageProblem> notes = new ArrayList<>();
        long size = 0;
        ImageHeader first = null;
        try (ImageDecoder decoder = decodeAll ? new ImageDecoder(PixelFormat.I420) : null) {
            for (int i = 0; i < listing.size(); i++) {
                String name = listing.names().get(i);
                Path file = listing.file(i);
                ImageHeader header;
                try {
                    size += Files.size(file);
                    header = ImageHeader.read(file);
                    if (decoder != null) {
                        decoder.decode(Files.readAllBytes(file), header.format(), null);
                    }
                } catch (ImageHeader.Unreadable | ImageDecoder.Failed e) {
                    damaged.add(new ImageProblem(i, name, ImageProblem.Severity.DAMAGED, e.getMessage()));
                    continue;
                } catch (IOException e) {
                    damaged.add(new ImageProblem(i, name, ImageProblem.Severity.DAMAGED, ImageFolderListing.reason(e)));
                    continue;
                }
                String extension = name.substring(name.lastIndexOf('.') + 1);
                if (ImageHeader.Format.byExtension(extension) != header.format()) {
                    notes.add(new ImageProblem(i, name, ImageProblem.Severity.NOTE, "a " + header.format()
                            + " image named ." + extension + " (read as " + header.format() + ")"));
                }
                if (first == null) {
                    first = header;
                } else if (header.width() != first.width() || header.height() != first.height()) {
                    notes.add(new ImageProblem(i, name, ImageProblem.Severity.NOTE, header.width() + "x" + header.height()
                            + ", unlike the first image's " + first.width() + "x" + first.height()
                            + " (analysed at its own size)"));
                }
            }
        }
        if (first == null) {
            throw new VideoException(location, Kind.NOT_A_VIDEO, -1, "none of its " + listing.size()
                    + " image files can be read; the first: " + damaged.get(0).describe(), null);
        }
        notes.sort(java.util.Comparator.comparingLong(ImageProblem::frame));
        List<ImageProblem> problems = new ArrayList<>(damaged);
        problems.addAll(notes);
        Video video = new Video(id, location, listing.size(), fps, size, tags);
        return new VideoProbe.Inspection(video, OptionalLong.empty(), problems);
    }
}
