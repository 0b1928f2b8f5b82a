package dev.juggler.inference.internal;

import dev.juggler.video.VideoException;
import dev.juggler.video.VideoException.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The frames of an image folder: its image files in {@link ImageOrder}, and its frame rate. Shared by
 * the frame source and the registration check so that both number the frames the same way.
 *
 * <p>A frame is a regular file (or a link to one) directly in the folder whose extension names a
 * supported {@link ImageHeader.Format}, in any case; hidden files (a leading {@code .}, such as the
 * {@code ._name.jpg} files macOS leaves on foreign disks), sub-folders and other files are not frames.
 * Immutable and thread-safe.
 *
 * @param folder the folder
 * @param names the frames' file names, in frame order
 */
public record ImageFolderListing(Path folder, List<String> names) {

    /** The name of the optional file in the folder that holds its frame rate. */
    public static final String FPS_FILE = "fps";

    /** The frame rate of a folder that says none: FFmpeg's for image sequences. */
    public static final double DEFAULT_FPS = 25;

    /** The largest frame rate accepted. */
    public static final double MAX_FPS = 10_000;

    private static final Pattern RATE = Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*(?:/\\s*(\\d+(?:\\.\\d+)?)\\s*)?");

    public ImageFolderListing {
        Objects.requireNonNull(folder, "folder");
        names = List.copyOf(names);
    }

    /**
     * Lists {@code folder}.
     *
     * @throws VideoException {@code UNREADABLE} if it is missing, not a folder or cannot be listed;
     *     {@code EMPTY} if it holds no image file
     */
    public static ImageFolderListing of(String location, Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new VideoException(location, Kind.UNREADABLE, -1, Files.exists(folder) ? "not a folder" : "no such folder",
                    null);
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (isFrameName(name) && Files.isRegularFile(p)) {
                    names.add(name);
                }
            }
        } catch (AccessDeniedException e) {
            throw new VideoException(location, Kind.UNREADABLE, -1, "the folder cannot be listed (permission denied)", e);
        } catch (IOException | java.nio.file.DirectoryIteratorException e) {
            throw new VideoException(location, Kind.UNREADABLE, -1, "the folder cannot be listed: " + e, e);
        }
        if (names.isEmpty()) {
            throw new VideoException(location, Kind.EMPTY, -1, "the folder holds no image files (" + extensions() + ")", null);
        }
        names.sort(ImageOrder.INSTANCE);
        return new ImageFolderListing(folder, names);
    }

    /** Whether a file of this name is a frame (by its extension; hidden files are not). */
    public static boolean isFrameName(String name) {
        // One rule for folders and for the archives the stagers make of them (ImageFolderTest checks it
        // names the extensions of ImageHeader.Format).
        return dev.juggler.stage.ImageFolderArchive.isFrameName(name);
    }

    /** The extensions of frames, for messages: {@code .jpg, .jpeg, ...}. */
    public static String extensions() {
        List<String> all = new ArrayList<>();
        for (ImageHeader.Format f : ImageHeader.Format.values()) {
            f.extensions().forEach(e -> all.add("." + e));
        }
        return String.join(", ", all);
    }

    /** Number of frames. */
    public int size() {
        return names.size();
    }

    /** The file of frame {@code index}. */
    public Path file(int index) {
        return folder.resolve(names.get(index));
    }

    /**
     * The rate in the folder's {@value #FPS_FILE} file, if it has one.
     *
     * @throws VideoException {@code NOT_A_VIDEO} if that file cannot be read or holds no valid rate
     */
    public static OptionalDouble fpsFile(String location, Path folder) {
        Path file = folder.resolve(FPS_FILE);
        if (!Files.isRegularFile(file)) {
            return OptionalDouble.empty();
        }
        String text;
        try {
            byte[] bytes = Files.readAllBytes(file);
            text = new String(bytes, 0, Math.min(bytes.length, 100), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new VideoException(location, Kind.NOT_A_VIDEO, -1, "its " + FPS_FILE + " file cannot be read: " + e, e);
        }
        OptionalDouble fps = parseFps(text);
        if (fps.isEmpty()) {
            throw new VideoException(location, Kind.NOT_A_VIDEO, -1, "its " + FPS_FILE + " file says " + quoted(text.strip())
                    + "; write one frame rate such as 25, 29.97 or 30000/1001", null);
        }
        return fps;
    }

    /** {@code 25}, {@code 29.97} or {@code 30000/1001}, in (0, {@value #MAX_FPS}]; empty if it is none of these. */
    public static OptionalDouble parseFps(String text) {
        Matcher m = RATE.matcher(text == null ? "" : text);
        if (!m.matches()) {
            return OptionalDouble.empty();
        }
        double value = Double.parseDouble(m.group(1));
        if (m.group(2) != null) {
            value /= Double.parseDouble(m.group(2));
        }
        return value > 0 && value <= MAX_FPS && Double.isFinite(value) ? OptionalDouble.of(value) : OptionalDouble.empty();
    }

    /**
     * A file name fit for a message or a log line: in double quotes, with control characters, quotes and
     * backslashes escaped, so that a name with a newline cannot forge a line.
     */
    public static String quoted(String name) {
        StringBuilder out = new StringBuilder(name.length() + 2).append('"');
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** Maps a missing file found while reading a frame to a reason for a person. */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "the file is gone (removed since the folder was listed?)";
        }
        if (e instanceof AccessDeniedException) {
            return "not readable by this process (permission denied)";
        }
        return "cannot be read: " + e;
    }
}
