package dev.juggler.stage;

import dev.juggler.video.VideoException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The bytes {@link StagingProtocol} stages for one video, readable at any position so that a transfer can
 * resume: a video file's own bytes, or the {@link ImageFolderArchive} of an image folder. Not thread-safe:
 * used by one staging thread; {@link #close()} is idempotent.
 */
interface StageSource extends Closeable {

    /** The local file or folder the bytes come from. */
    Path path();

    /** Whether {@link #path()} is a file holding exactly these bytes. */
    boolean isFile();

    /** How many bytes there are (fixed when the source was opened). */
    long size();

    /**
     * Reads into {@code dst} from {@code position}; returns the count, or -1 at the end.
     *
     * @throws IOException if the underlying file cannot be read, or (a folder) changed meanwhile
     */
    int read(ByteBuffer dst, long position) throws IOException;

    /** The size the source would have if it were opened now, to see whether it changed during the copy. */
    long sizeNow() throws IOException;

    /** A short description for messages, e.g. the path and what it is. */
    default String describe() {
        return isFile() ? path().toString() : "image folder " + path();
    }

    /**
     * The source of {@code path}: a folder becomes its archive, a regular file stays itself.
     *
     * @throws VideoException {@code UNREADABLE} if it is missing, not readable or neither file nor folder,
     *     {@code EMPTY} for an empty file or a folder without frames
     */
    static StageSource of(String videoId, Path path) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new VideoException(path.toString(), VideoException.Kind.UNREADABLE, -1, "no such file (video "
                    + StagedNames.printable(videoId) + ")", e);
        } catch (IOException e) {
            throw new VideoException(path.toString(), VideoException.Kind.UNREADABLE, -1, e.toString(), e);
        }
        if (attrs.isDirectory()) {
            return FolderArchive.of(path);
        }
        if (!attrs.isRegularFile()) {
            throw new VideoException(path.toString(), VideoException.Kind.UNREADABLE, -1,
                    "neither a regular file nor an image folder", null);
        }
        if (!Files.isReadable(path)) {
            throw new VideoException(path.toString(), VideoException.Kind.UNREADABLE, -1, "not readable", null);
        }
        if (attrs.size() == 0) {
            throw new VideoException(path.toString(), VideoException.Kind.EMPTY, -1, null, null);
        }
        return new FileSource(path, attrs.size());
    }

    /** A video file; its channel opens on the first read. */
    final class FileSource implements StageSource {
        private final Path path;
        private final long size;
        private FileChannel channel;

        FileSource(Path path, long size) {
            this.path = path;
            this.size = size;
        }

        @Override
        public Path path() {
            return path;
        }

        @Override
        public boolean isFile() {
            return true;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            if (channel == null) {
                try {
                    channel = FileChannel.open(path, StandardOpenOption.READ);
                } catch (IOException e) {
                    throw new VideoException(path.toString(), VideoException.Kind.UNREADABLE, -1, e.toString(), e);
                }
            }
            return channel.read(dst, position);
        }

        @Override
        public long sizeNow() throws IOException {
            return Files.size(path);
        }

        @Override
        public void close() throws IOException {
            if (channel != null) {
                channel.close();
            }
        }
    }
}
