package dev.juggler.stage;

import dev.juggler.JugglerException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link StagingTransport} of {@link LocalVideoStager}: a local directory. Appends are forced to
 * disk before they return and renames are atomic moves followed by an fsync of the directory (best
 * effort where the platform cannot open a directory), so after a crash the final name never holds a
 * short file. Symbolic links in the workspace are not followed. Stateless apart from its directory, and
 * thread-safe.
 */
final class LocalTransport implements StagingTransport {

    private static final Logger LOG = LoggerFactory.getLogger(LocalVideoStager.class);
    private static final int BUFFER_BYTES = 1 << 20;

    private final Path workspace;

    LocalTransport(Path workspace) {
        this.workspace = workspace;
    }

    @Override
    public String describe() {
        return workspace.toString();
    }

    @Override
    public String location(String name) {
        return workspace.resolve(name).toString();
    }

    @Override
    public List<FileEntry> list() throws IOException {
        List<FileEntry> entries = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(workspace)) {
            for (Path path : dir) {
                attributes(path).ifPresent(a -> entries.add(new FileEntry(path.getFileName().toString(), a.size())));
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        return entries;
    }

    @Override
    public OptionalLong size(String name) throws IOException {
        Optional<BasicFileAttributes> attrs = attributes(workspace.resolve(name));
        return attrs.isPresent() ? OptionalLong.of(attrs.get().size()) : OptionalLong.empty();
    }

    @Override
    public void append(String name, Upload upload) throws IOException {
        Files.createDirectories(workspace);
        try (FileChannel out = FileChannel.open(workspace.resolve(name), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); InputStream in = upload.stream()) {
            long done = upload.offset();
            out.truncate(done); // nothing after the bytes the protocol counted
            out.position(done);
            byte[] buffer = new byte[BUFFER_BYTES];
            int n;
            while ((n = in.read(buffer)) > 0) {
                ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                done += n;
                upload.progress(done);
            }
            // Durable before it is renamed: after a crash the final name must never hold a short file.
            out.force(true);
        }
    }

    @Override
    public Optional<String> sha256(String name) throws IOException {
        MessageDigest digest = SourceUpload.sha256();
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
        try (FileChannel in = FileChannel.open(workspace.resolve(name), StandardOpenOption.READ)) {
            while (in.read(buffer) >= 0) {
                digest.update(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
        }
        return Optional.of(HexFormat.of().formatHex(digest.digest()));
    }

    @Override
    public void rename(String from, String to) throws IOException {
        try {
            Files.move(workspace.resolve(from), workspace.resolve(to), StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw JugglerException.permanentFailure("the workspace " + workspace + " does not support atomic renames", e);
        }
        // Makes the rename itself durable; not every platform lets a directory be opened, hence best effort.
        try (FileChannel dir = FileChannel.open(workspace, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("cannot fsync directory {}", workspace, e);
        }
    }

    @Override
    public boolean remove(String name) throws IOException {
        return Files.deleteIfExists(workspace.resolve(name));
    }

    private static Optional<BasicFileAttributes> attributes(Path path) throws IOException {
        try {
            BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return attrs.isRegularFile() ? Optional.of(attrs) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty(); // removed or renamed while we looked
        }
    }
}
