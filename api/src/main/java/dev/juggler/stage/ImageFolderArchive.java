package dev.juggler.stage;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one file an image folder becomes in a workspace: {@link StagingProtocol} stages a folder of still
 * images (a video whose location is a folder) as {@code <enc(id)>.v.}{@value #EXTENSION}, so that budgets,
 * resumable {@code .part} files, checksums, atomic renames, listing and purging stay the rules of one file.
 *
 * <h2>Format</h2>
 * A POSIX tar archive ({@code ustar}, with a {@code pax} extended header holding the {@code path} of each
 * entry whose name is longer than 100 bytes or not plain printable ASCII, and its {@code size} if it needs
 * more than 11 octal digits), uncompressed, so {@code tar tf} lists it and {@code tar xf} unpacks it. It
 * holds the folder's frame files ({@link #isFrameName}) and its {@value #FPS_FILE} file if there is one,
 * regular files or links to them directly in the folder, in plain {@link String#compareTo} order of their
 * names, followed by two zero blocks. Every header is fixed apart from name and size (mode {@code 0644},
 * owner 0, no user or group names, modification time 0), so the same folder gives the same bytes on every
 * run and on every machine: an interrupted transfer resumes at any byte. A frame file that this process
 * cannot read is stored with no bytes, so it keeps its frame number and fails as a damaged image of its own
 * when analysed. Frame sources ({@code FfmpegFrameSources} of {@code impl-inference}) read a file with this
 * extension as the folder it was made from: the same frames in the same natural order, the same rate, and
 * each damaged image a damaged frame of its own.
 *
 * <h2>A changed folder</h2>
 * The folder must not change after registration, like a video file; for a folder this matters more, since a
 * removed image would shift every later frame onto another frame number. A folder whose frame files no longer
 * add up to the size it was registered with is refused by {@link StagingProtocol#stage} with a permanent
 * {@link dev.juggler.video.VideoException} that says so; one that changes while it is being staged fails the
 * size or checksum check, its copy is deleted, and the next attempt sees the change.
 *
 * <p>Stateless and thread-safe.
 */
public final class ImageFolderArchive {

    /** The extension of an image folder staged as one file. */
    public static final String EXTENSION = "imgtar";

    /** The extensions of frame files (lower case, without the dot), matched without regard to case. */
    public static final List<String> FRAME_EXTENSIONS = List.of("jpg", "jpeg", "jpe", "png", "bmp", "dib", "webp");

    /** The optional file in an image folder that holds its frame rate; the archive carries it along. */
    public static final String FPS_FILE = "fps";

    private ImageFolderArchive() {
    }

    /**
     * Whether a file of this name in an image folder is a frame: not hidden (no leading {@code .}) and with
     * one of {@link #FRAME_EXTENSIONS}, in any case.
     */
    public static boolean isFrameName(String name) {
        int dot = name.lastIndexOf('.');
        return !name.startsWith(".") && dot > 0
                && FRAME_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** Whether a file of this name is a staged image folder (ends with {@code .}{@value #EXTENSION}, any case). */
    public static boolean isArchiveName(String fileName) {
        String suffix = "." + EXTENSION;
        return fileName.length() > suffix.length()
                && fileName.regionMatches(true, fileName.length() - suffix.length(), suffix, 0, suffix.length());
    }

    /**
     * The total size of {@code folder}'s frame files (a file whose size cannot be read counts as 0): the
     * {@link dev.juggler.video.Video#sizeBytes()} an image folder is registered with.
     *
     * @throws IOException if the folder cannot be listed
     */
    public static long imageBytes(Path folder) throws IOException {
        long total = 0;
        for (String name : members(folder)) {
            if (isFrameName(name)) {
                try {
                    total += Files.size(folder.resolve(name));
                } catch (IOException e) {
                    // counted as 0, as registration does
                }
            }
        }
        return total;
    }

    /** The names the archive of {@code folder} holds, in archive order. */
    static List<String> members(Path folder) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(folder)) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                if ((isFrameName(name) || name.equals(FPS_FILE)) && Files.isRegularFile(p)) {
                    names.add(name);
                }
            }
        } catch (java.nio.file.DirectoryIteratorException e) {
            throw e.getCause();
        }
        names.sort(String::compareTo);
        return names;
    }
}
