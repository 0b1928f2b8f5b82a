package dev.juggler.stage;

import dev.juggler.video.Video;
import dev.juggler.video.VideoException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One append of a local source (a video file or an image folder's archive, see {@link StageSource}), as {@link StagingProtocol} hands it to a transport: the bounded,
 * stoppable stream of the missing bytes, the SHA-256 of the whole source (fed by what the transport
 * reads, completed by {@link #finishDigest()}), and progress reports that never let a listener's
 * failure stop the transfer. Not thread-safe: used by one staging thread.
 */
final class SourceUpload implements StagingTransport.Upload, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StagingProtocol.class);
    private static final Pattern URI_WITH_SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://.*", Pattern.DOTALL);
    private static final int BUFFER_BYTES = 1 << 20;

    private final String videoId;
    private final StageSource source;
    private final long size;
    private final StageListener listener;
    private final BooleanSupplier stop;
    private final MessageDigest digest;
    private long offset;
    /** The next source byte the digest needs. */
    private long digested;
    private boolean warned;
    private boolean interrupted;

    SourceUpload(String videoId, StageSource source, StageListener listener, BooleanSupplier stop, boolean checksum) {
        this.videoId = videoId;
        this.source = source;
        this.size = source.size();
        this.listener = listener;
        this.stop = stop;
        this.digest = checksum ? sha256() : null;
    }

    /** The local file a video's location names. */
    static Path sourcePath(Video video) {
        String location = video.location();
        try {
            if (location.regionMatches(true, 0, "file:", 0, 5)) {
                return Path.of(URI.create(location));
            }
            if (URI_WITH_SCHEME.matcher(location).matches()) {
                throw new VideoException(location, VideoException.Kind.UNREADABLE, -1,
                        "the stager reads local paths and file: URIs only", null);
            }
            return Path.of(location).toAbsolutePath();
        } catch (IllegalArgumentException | FileSystemNotFoundException e) {
            throw new VideoException(location, VideoException.Kind.UNREADABLE, -1, "not a local path: " + e.getMessage(),
                    e);
        }
    }

    /** Starts after the {@code offset} bytes already in the workspace file, digesting them from the source. */
    void open(long offset) throws IOException {
        this.offset = offset;
        // The bytes already there are not trusted; the final checksum of the whole copy catches a bad
        // prefix, so the source digest must cover them too.
        digestUpTo(offset);
        progress(offset);
    }

    /** Digests what the transport did not read through {@link #stream()}. */
    void finishDigest() throws IOException {
        digestUpTo(size);
    }

    /** The source's SHA-256 as lower-case hex, or {@code null} when checksums are off. */
    String sha256Hex() {
        return digest == null ? null : HexFormat.of().formatHex(digest.digest());
    }

    @Override
    public Path source() {
        return source.path();
    }

    @Override
    public boolean sourceIsFile() {
        return source.isFile();
    }

    @Override
    public long offset() {
        return offset;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public InputStream stream() {
        return new InputStream() {
            private long position = offset;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (position >= size || stopRequested()) {
                    return -1;
                }
                ByteBuffer buffer = ByteBuffer.wrap(b, off, (int) Math.min(len, size - position));
                int n = source.read(buffer, position);
                if (n > 0) {
                    if (digest != null && position == digested) {
                        digest.update(b, off, n);
                        digested += n;
                    }
                    position += n;
                }
                return n;
            }
        };
    }

    @Override
    public boolean stopRequested() {
        // Sticky: a transport library that swallows the interrupt must not make a stopped copy look complete.
        interrupted |= Thread.currentThread().isInterrupted();
        return interrupted || stop.getAsBoolean();
    }

    /** Whether the staging thread was seen interrupted; the protocol restores the flag for the caller. */
    boolean interrupted() {
        return interrupted;
    }

    @Override
    public void progress(long bytesInWorkspaceFile) {
        try {
            if (listener != StageListener.NONE) {
                listener.onProgress(videoId, Math.min(Math.max(offset, bytesInWorkspaceFile), size), size);
            }
        } catch (RuntimeException e) {
            // A broken dashboard must not stop the transfer; one warning per transfer is enough.
            if (!warned) {
                warned = true;
                LOG.warn("stage listener {} threw for video {}; ignored", listener, label(), e);
            } else {
                LOG.debug("stage listener {} threw again", listener, e);
            }
        } finally {
            stopRequested(); // notes an interrupt now, before a transport library's own waits can swallow it
        }
    }

    @Override
    public String label() {
        return StagedNames.printable(videoId);
    }

    @Override
    public void close() throws IOException {
        source.close();
    }

    private void digestUpTo(long end) throws IOException {
        if (digest == null) {
            return;
        }
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
        while (digested < end) {
            if (stopRequested()) {
                return; // the protocol reports the stop
            }
            buffer.clear();
            buffer.limit((int) Math.min(buffer.capacity(), end - digested));
            int n = source.read(buffer, digested);
            if (n < 0) {
                return; // the source shrank; the size check reports it
            }
            digest.update(buffer.array(), 0, n);
            digested += n;
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
