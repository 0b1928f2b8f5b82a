package dev.juggler.stage;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.internal.FileNameCodec;
import dev.juggler.video.Video;
import dev.juggler.video.VideoException;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default {@link VideoStager}: the workspace is a local directory with a byte budget, and
 * sources are local files (a path, or a {@code file:} URI).
 *
 * <h2>Staging</h2>
 * {@link #stage} first reserves the source's size against the budget, counting the reservations of
 * transfers still in progress, and throws {@link WorkspaceFullException} at once if it does not fit.
 * It then copies into {@code <name>.part}, <em>resuming</em> a partial {@code .part} left by an
 * interrupted transfer (appending from its current length), reports progress, forces the copy to disk,
 * checks that its size and SHA-256 equal the source's (a mismatch deletes the {@code .part} and fails
 * transiently, so a retry copies afresh), and renames it atomically to its final name. At most
 * {@linkplain Builder#parallelTransfers(int) parallelTransfers} copies run at once; further callers wait
 * (holding their reservation). A video already complete in the workspace (same size as its source) is
 * returned at once; a second caller staging a video that is being staged waits for that transfer and
 * shares its result (without progress callbacks).
 *
 * <h2>File names</h2>
 * A video with id {@code I} whose source has extension {@code E} is stored as
 * {@code <enc(I)>.v.<e>}, where {@code enc} percent-encodes every UTF-8 byte outside
 * {@code [A-Za-z0-9._-]} (and a leading {@code '.'} or {@code '-'}), and {@code e} is {@code E} in lower
 * case if it is 1-10 letters or digits (and not {@code part}), else {@code bin}. Any id is therefore
 * safe in a shell and in {@code rm}/{@code rsync} arguments, and {@link #list()} recovers it exactly; names
 * that do not decode are foreign and ignored. Ids whose encoded form exceeds
 * {@value #MAX_ENCODED_ID_BYTES} bytes, and ids that are not well-formed Unicode, are rejected with an
 * {@link InvalidConfigException}. The workspace must be on a case-sensitive file system.
 *
 * <h2>Accounting</h2>
 * {@link #usage()} reads the directory: used bytes are the sizes of complete, decodable files, so a
 * new stager over the same directory (after a restart) sees what is there. Leftover {@code .part} files
 * are not counted until a transfer resumes them.
 *
 * <p>Thread-safety: all methods may be called from any thread; staging blocks the calling thread, and
 * several videos may be staged at once. The reservation bookkeeping is guarded by one internal lock.
 * This class assumes it is the only stager writing into its workspace.
 */
public final class LocalVideoStager implements VideoStager {

    /** Default for {@link Builder#parallelTransfers(int)}: 2. */
    public static final int DEFAULT_PARALLEL_TRANSFERS = 2;

    /** The longest encoded video id accepted, in bytes (the file name adds at most 19 more). */
    public static final int MAX_ENCODED_ID_BYTES = 200;

    /** How long {@link #close()} waits for transfers in progress to stop, in milliseconds. */
    public static final long CLOSE_WAIT_MILLIS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(LocalVideoStager.class);
    private static final String SEPARATOR = ".v.";
    private static final String PART_SUFFIX = ".part";
    private static final String FALLBACK_EXTENSION = "bin";
    private static final Pattern EXTENSION = Pattern.compile("[a-z0-9]{1,10}");
    private static final Pattern URI_WITH_SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://.*", Pattern.DOTALL);
    private static final int BUFFER_BYTES = 1 << 20;

    private final Path workspace;
    private final long budgetBytes;
    private final Semaphore transferPermits;

    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private final Map<String, Transfer> inFlight = new HashMap<>();
    private long reservedBytes;
    private int activeCalls;
    private volatile boolean closed;

    private LocalVideoStager(Builder b, Path workspace) {
        this.workspace = workspace;
        this.budgetBytes = b.budgetBytes;
        this.transferPermits = new Semaphore(b.parallelTransfers, true);
    }

    /**
     * A builder for a stager over {@code workspace} (created if missing; made absolute).
     *
     * @throws InvalidConfigException if {@code workspace} is null
     */
    public static Builder builder(Path workspace) {
        return new Builder(workspace);
    }

    /** The workspace directory (absolute). */
    public Path workspace() {
        return workspace;
    }

    @Override
    public StagedVideo stage(Video video, StageListener listener) {
        Objects.requireNonNull(video, "video");
        ProgressReporter progress = new ProgressReporter(video.id(), listener == null ? StageListener.NONE : listener);
        ensureOpen();
        String encoded = encodeId(video.id());
        Path source = sourcePath(video);
        long size = sourceSize(video, source);
        if (video.sizeBytes() != size) {
            LOG.warn("video {}: the record says {} bytes but {} has {}; using the file's size", printable(video.id()),
                    video.sizeBytes(), source, size);
        }
        Path target = workspace.resolve(encoded + SEPARATOR + extensionOf(source));
        Optional<StagedVideo> ready = completeCopy(video.id(), target, size);
        if (ready.isPresent()) {
            return ready.get();
        }

        Transfer mine = null;
        Transfer other;
        synchronized (lock) {
            ensureOpen();
            other = inFlight.get(video.id());
            if (other == null) {
                WorkspaceUsage usage = usageLocked();
                if (size > usage.freeBytes()) {
                    throw new WorkspaceFullException(printable(video.id()), size, usage);
                }
                reservedBytes += size;
                activeCalls++;
                mine = new Transfer();
                inFlight.put(video.id(), mine);
            }
        }
        if (other != null) {
            return awaitOther(video.id(), other);
        }
        try {
            StagedVideo staged = transfer(video.id(), source, size, target, mine, progress);
            mine.result.complete(staged);
            return staged;
        } catch (RuntimeException | Error e) {
            mine.result.completeExceptionally(e);
            throw e;
        } finally {
            synchronized (lock) {
                reservedBytes -= size;
                activeCalls--;
                inFlight.remove(video.id(), mine);
                lock.notifyAll();
            }
        }
    }

    @Override
    public void purge(String videoId) {
        Objects.requireNonNull(videoId, "videoId");
        synchronized (lock) {
            Transfer transfer = inFlight.get(videoId);
            if (transfer != null) {
                transfer.cancelled = true; // its copy loop stops at the next buffer
            }
        }
        int deleted = 0;
        for (Entry entry : scan()) {
            if (entry.id.equals(videoId)) {
                try {
                    deleted += Files.deleteIfExists(entry.path) ? 1 : 0;
                } catch (IOException e) {
                    throw new JugglerException("cannot purge video " + printable(videoId) + ": " + e, true, e);
                }
            }
        }
        if (deleted > 0) {
            LOG.info("purged video {} ({} file(s))", printable(videoId), deleted);
        }
    }

    @Override
    public WorkspaceUsage usage() {
        synchronized (lock) {
            return usageLocked();
        }
    }

    @Override
    public List<StagedVideo> list() {
        List<StagedVideo> all = new ArrayList<>();
        for (Entry entry : scan()) {
            if (!entry.part) {
                all.add(new StagedVideo(entry.id, entry.path.toString(), entry.size));
            }
        }
        return all;
    }

    /**
     * Stops: new calls fail, transfers in progress stop at their next buffer (keeping their {@code .part}
     * for a later resume), and callers waiting for a transfer slot give up. Waits up to
     * {@value #CLOSE_WAIT_MILLIS} ms for them. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            // Wake everybody blocked on a permit; they see `closed` and leave.
            transferPermits.release(Integer.MAX_VALUE / 2);
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
            boolean interrupted = false;
            while (activeCalls > 0) {
                long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                if (left <= 0) {
                    LOG.warn("closing with {} transfer(s) still stopping", activeCalls);
                    break;
                }
                try {
                    lock.wait(left);
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        LOG.debug("LocalVideoStager over {} closed", workspace);
    }

    // ---------------------------------------------------------------------------------------------

    private StagedVideo transfer(String id, Path source, long size, Path target, Transfer transfer,
            ProgressReporter progress) {
        try {
            transferPermits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JugglerException("interrupted while waiting to stage video " + printable(id), true, e);
        }
        try {
            checkRunning(id, transfer);
            // Another stager call may have finished this video while we waited for a permit.
            Optional<StagedVideo> ready = completeCopy(id, target, size);
            if (ready.isPresent()) {
                return ready.get();
            }
            Path part = target.resolveSibling(target.getFileName() + PART_SUFFIX);
            byte[] sourceHash = copy(id, source, size, part, transfer, progress);
            verify(id, source, size, part, sourceHash);
            try {
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new JugglerException("the workspace " + workspace + " does not support atomic renames", false, e);
            }
            forceDirectory();
            LOG.info("staged video {} ({} bytes) as {}", printable(id), size, target);
            return new StagedVideo(id, target.toString(), size);
        } catch (ClosedByInterruptException e) {
            Thread.currentThread().interrupt();
            throw new JugglerException("interrupted while staging video " + printable(id)
                    + "; the partial copy is kept and a later stage() resumes it", true, e);
        } catch (IOException e) {
            throw new JugglerException("staging video " + printable(id) + " from " + source + " into " + workspace
                    + " failed: " + e + "; the partial copy is kept and a later stage() resumes it", true, e);
        } finally {
            transferPermits.release();
        }
    }

    /** Appends the missing tail of the source to {@code part}; returns the SHA-256 of the source's bytes. */
    private byte[] copy(String id, Path source, long size, Path part, Transfer transfer, ProgressReporter progress)
            throws IOException {
        MessageDigest sourceDigest = sha256();
        FileChannel in;
        try {
            in = FileChannel.open(source, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new VideoException(source.toString(), VideoException.Kind.UNREADABLE, -1, e.toString(), e);
        }
        try (in; FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long done = out.size();
            if (done > size) {
                LOG.warn("video {}: {} is longer ({} bytes) than the source ({}); starting over", printable(id), part,
                        done, size);
                out.truncate(0);
                done = 0;
            }
            ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
            if (done > 0) {
                LOG.info("video {}: resuming from byte {} of {}", printable(id), done, size);
                // The bytes already there are not trusted here; the final check of the whole copy
                // catches a bad prefix. The source digest must still cover them.
                digestRange(in, done, sourceDigest, buffer, id, transfer);
            }
            progress.report(done, size);
            in.position(done);
            out.position(done);
            while (done < size) {
                checkRunning(id, transfer);
                buffer.clear();
                buffer.limit((int) Math.min(buffer.capacity(), size - done));
                int n = in.read(buffer);
                if (n < 0) {
                    break; // the source shrank; verify() reports it
                }
                sourceDigest.update(buffer.array(), 0, n);
                buffer.flip();
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                done += n;
                progress.report(done, size);
            }
            // Durable before it is renamed: after a crash the final name must never hold a short file.
            out.force(true);
        }
        return sourceDigest.digest();
    }

    private void digestRange(FileChannel in, long length, MessageDigest digest, ByteBuffer buffer, String id,
            Transfer transfer) throws IOException {
        long read = 0;
        in.position(0);
        while (read < length) {
            checkRunning(id, transfer);
            buffer.clear();
            buffer.limit((int) Math.min(buffer.capacity(), length - read));
            int n = in.read(buffer);
            if (n < 0) {
                return;
            }
            digest.update(buffer.array(), 0, n);
            read += n;
        }
    }

    private void verify(String id, Path source, long size, Path part, byte[] sourceHash) throws IOException {
        long partSize = Files.size(part);
        long sourceNow = Files.size(source);
        if (partSize != size || sourceNow != size) {
            Files.deleteIfExists(part);
            throw new JugglerException("video " + printable(id) + ": copy has " + partSize + " bytes, source " + source
                    + " had " + size + " and now has " + sourceNow + "; the copy was deleted, retry", true, null);
        }
        byte[] copyHash = digestFile(part);
        if (!MessageDigest.isEqual(sourceHash, copyHash)) {
            Files.deleteIfExists(part);
            throw new JugglerException("video " + printable(id) + ": SHA-256 of the copy " + HexFormat.of().formatHex(
                    copyHash) + " differs from the source's " + HexFormat.of().formatHex(sourceHash) + " (" + source
                    + "); the copy was deleted, retry", true, null);
        }
    }

    private static byte[] digestFile(Path file) throws IOException {
        MessageDigest digest = sha256();
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            while (true) {
                buffer.clear();
                int n = in.read(buffer);
                if (n < 0) {
                    return digest.digest();
                }
                digest.update(buffer.array(), 0, n);
            }
        }
    }

    private void forceDirectory() {
        // Makes the rename itself durable; not every platform lets a directory be opened, hence best effort.
        try (FileChannel dir = FileChannel.open(workspace, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("cannot fsync directory {}", workspace, e);
        }
    }

    private Optional<StagedVideo> completeCopy(String id, Path target, long size) {
        try {
            BasicFileAttributes attrs = Files.readAttributes(target, BasicFileAttributes.class);
            if (attrs.isRegularFile() && attrs.size() == size) {
                return Optional.of(new StagedVideo(id, target.toString(), size));
            }
            LOG.warn("video {}: {} exists with {} bytes, the source has {}; staging again", printable(id), target,
                    attrs.size(), size);
        } catch (NoSuchFileException e) {
            // not staged yet
        } catch (IOException e) {
            throw new JugglerException("cannot inspect " + target + ": " + e, true, e);
        }
        return Optional.empty();
    }

    private StagedVideo awaitOther(String id, Transfer other) {
        try {
            return other.result.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw new JugglerException("staging video " + printable(id) + " failed in another call: " + e.getCause(),
                    true, e.getCause());
        }
    }

    private void checkRunning(String id, Transfer transfer) {
        if (closed) {
            throw new JugglerException("the stager was closed while staging video " + printable(id), true, null);
        }
        if (transfer.cancelled) {
            throw new JugglerException("video " + printable(id) + " was purged while it was being staged", true, null);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new JugglerException("LocalVideoStager over " + workspace + " is closed");
        }
    }

    /**
     * Reads the directory under the lock on purpose: the reservation decision must see the same
     * used-bytes figure it is added to, and workspaces hold hundreds of files, not millions.
     */
    private WorkspaceUsage usageLocked() {
        long used = 0;
        for (Entry entry : scan()) {
            if (!entry.part) {
                used += entry.size;
            }
        }
        return new WorkspaceUsage(budgetBytes, used, reservedBytes);
    }

    /** The decodable files of the workspace, complete and partial, sorted by name. */
    private List<Entry> scan() {
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(workspace)) {
            for (Path path : dir) {
                String name = path.getFileName().toString();
                boolean part = name.endsWith(PART_SUFFIX);
                Optional<String> id = idOf(part ? name.substring(0, name.length() - PART_SUFFIX.length()) : name);
                if (id.isEmpty()) {
                    continue;
                }
                try {
                    BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                    if (attrs.isRegularFile()) {
                        entries.add(new Entry(id.get(), path, part, attrs.size()));
                    }
                } catch (NoSuchFileException e) {
                    // purged or renamed while we looked
                }
            }
        } catch (IOException e) {
            throw new JugglerException("cannot read the workspace " + workspace + ": " + e, true, e);
        }
        entries.sort(Comparator.comparing(e -> e.path.getFileName().toString()));
        return entries;
    }

    /** The id stored under a complete file name, or empty for a foreign name. */
    static Optional<String> idOf(String fileName) {
        int dot = fileName.lastIndexOf('.');
        if (dot < 0 || !isExtension(fileName.substring(dot + 1))) {
            return Optional.empty();
        }
        String stem = fileName.substring(0, dot);
        String marker = SEPARATOR.substring(0, SEPARATOR.length() - 1);
        if (!stem.endsWith(marker)) {
            return Optional.empty();
        }
        return FileNameCodec.decode(stem.substring(0, stem.length() - marker.length()));
    }

    /** The file name under which a video with this id and source file name is stored. */
    static String fileNameOf(String id, String sourceFileName) {
        return encodeId(id) + SEPARATOR + extensionOf(Path.of(sourceFileName));
    }

    private static boolean isExtension(String ext) {
        // "part" would make a complete file look like a partial one.
        return EXTENSION.matcher(ext).matches() && !ext.equals("part");
    }

    private static String extensionOf(Path source) {
        Path fileName = source.getFileName();
        String name = fileName == null ? "" : fileName.toString();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return isExtension(ext) ? ext : FALLBACK_EXTENSION;
    }

    private static String encodeId(String id) {
        String encoded;
        try {
            encoded = FileNameCodec.encode(id);
        } catch (IllegalArgumentException e) {
            throw InvalidConfigException.of("video id", printable(id), e.getMessage());
        }
        if (encoded.length() > MAX_ENCODED_ID_BYTES) {
            throw InvalidConfigException.of("video id", printable(id), "its file name would take " + encoded.length()
                    + " bytes once encoded; at most " + MAX_ENCODED_ID_BYTES + " are allowed, use a shorter id");
        }
        return encoded;
    }

    private static Path sourcePath(Video video) {
        String location = video.location();
        try {
            if (location.regionMatches(true, 0, "file:", 0, 5)) {
                return Path.of(URI.create(location));
            }
            if (URI_WITH_SCHEME.matcher(location).matches()) {
                throw new VideoException(location, VideoException.Kind.UNREADABLE, -1,
                        "LocalVideoStager reads local paths and file: URIs only", null);
            }
            return Path.of(location).toAbsolutePath();
        } catch (IllegalArgumentException | FileSystemNotFoundException e) {
            throw new VideoException(location, VideoException.Kind.UNREADABLE, -1, "not a local path: " + e.getMessage(),
                    e);
        }
    }

    private static long sourceSize(Video video, Path source) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(source, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new VideoException(source.toString(), VideoException.Kind.UNREADABLE, -1, "no such file (video "
                    + printable(video.id()) + ")", e);
        } catch (IOException e) {
            throw new VideoException(source.toString(), VideoException.Kind.UNREADABLE, -1, e.toString(), e);
        }
        if (!attrs.isRegularFile()) {
            throw new VideoException(source.toString(), VideoException.Kind.UNREADABLE, -1, "not a regular file", null);
        }
        if (!Files.isReadable(source)) {
            throw new VideoException(source.toString(), VideoException.Kind.UNREADABLE, -1, "not readable", null);
        }
        if (attrs.size() == 0) {
            throw new VideoException(source.toString(), VideoException.Kind.EMPTY, -1, null, null);
        }
        return attrs.size();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** An id fit for a log line or message: hostile ids may hold newlines and be very long. */
    static String printable(String id) {
        StringBuilder out = new StringBuilder();
        int limit = 80;
        int i = 0;
        while (i < id.length() && out.length() < limit) {
            int cp = id.codePointAt(i);
            int type = Character.getType(cp);
            if (type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        if (i < id.length()) {
            out.append("...(").append(id.length()).append(" chars)");
        }
        return "'" + out + "'";
    }

    /** One transfer in progress. */
    private static final class Transfer {
        final CompletableFuture<StagedVideo> result = new CompletableFuture<>();
        volatile boolean cancelled;
    }

    /** A decodable file of the workspace. */
    private static final class Entry {
        final String id;
        final Path path;
        final boolean part;
        final long size;

        Entry(String id, Path path, boolean part, long size) {
            this.id = id;
            this.path = path;
            this.part = part;
            this.size = size;
        }
    }

    /** Calls the caller's listener, logging and ignoring what it throws. */
    private static final class ProgressReporter {
        private final String id;
        private final StageListener listener;
        private boolean warned;

        ProgressReporter(String id, StageListener listener) {
            this.id = id;
            this.listener = listener;
        }

        void report(long done, long total) {
            if (listener == StageListener.NONE) {
                return;
            }
            try {
                listener.onProgress(id, done, total);
            } catch (RuntimeException e) {
                // A broken dashboard must not stop the transfer; one warning per transfer is enough.
                if (!warned) {
                    warned = true;
                    LOG.warn("stage listener {} threw for video {}; ignored", listener, printable(id), e);
                } else {
                    LOG.debug("stage listener {} threw again", listener, e);
                }
            }
        }
    }

    /**
     * Configures a {@link LocalVideoStager}; every setter checks its value and names the field in the
     * {@link InvalidConfigException} it throws. Not thread-safe.
     */
    public static final class Builder {
        private final Path workspace;
        private long budgetBytes = -1;
        private int parallelTransfers = DEFAULT_PARALLEL_TRANSFERS;

        private Builder(Path workspace) {
            if (workspace == null) {
                throw InvalidConfigException.of("workspace", null, "must be a directory path");
            }
            this.workspace = workspace;
        }

        /** The most bytes staged videos and transfers in progress may take, {@code >= 1}. Required. */
        public Builder budgetBytes(long bytes) {
            if (bytes < 1) {
                throw InvalidConfigException.of("budgetBytes", bytes, "must be >= 1 (e.g. 500 GB = 500000000000)");
            }
            this.budgetBytes = bytes;
            return this;
        }

        /** How many copies may run at once, {@code >= 1}; default {@value LocalVideoStager#DEFAULT_PARALLEL_TRANSFERS}. */
        public Builder parallelTransfers(int n) {
            if (n < 1) {
                throw InvalidConfigException.of("parallelTransfers", n, "must be >= 1");
            }
            this.parallelTransfers = n;
            return this;
        }

        /**
         * Builds the stager, creating the workspace directory if needed.
         *
         * @throws InvalidConfigException if the budget was not set or the workspace is not a directory
         */
        public LocalVideoStager build() {
            if (budgetBytes < 1) {
                throw InvalidConfigException.of("budgetBytes", "unset", "must be set (>= 1)");
            }
            Path dir = workspace.toAbsolutePath().normalize();
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw InvalidConfigException.of("workspace", dir, "must be a directory that can be created: " + e);
            }
            if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
                throw InvalidConfigException.of("workspace", dir, "must be a writable directory");
            }
            return new LocalVideoStager(this, dir);
        }
    }
}
