package dev.juggler.stage;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.video.Video;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The staging protocol, written once: a {@link VideoStager} over any {@link StagingTransport}.
 * {@link LocalVideoStager} and the SFTP stager of {@code impl-slurm} are this protocol over their
 * transports; a host can plug in its own.
 *
 * <h2>Staging</h2>
 * {@link #stage} first reserves the source's size against the budget, counting the reservations of
 * transfers still in progress, and throws {@link WorkspaceFullException} at once if it does not fit.
 * At most {@linkplain Builder#parallelTransfers(int) parallelTransfers} transfers then run at once
 * (further callers wait, holding their reservation). A transfer appends the missing tail of the source
 * to {@code <name>.part}, <em>resuming</em> a partial file left by an interrupted transfer (a
 * {@code .part} longer than the source is deleted and the copy starts over), reports progress, checks
 * that the copy's size and (with {@linkplain Builder#verifyChecksum(boolean) verifyChecksum}, the
 * default) its SHA-256 equal the source's (a mismatch deletes the {@code .part} and fails
 * transiently, so a retry copies afresh), and renames it atomically to its final name: a worker never
 * sees a partial video. The reservation turns into used bytes in the same step. A video already
 * complete in the workspace (same size as its source) is returned at once; a second caller staging a
 * video that is being staged waits for that transfer and shares its result or its exception.
 * Purging, closing or interrupting the staging thread stops a transfer at its next buffer with a
 * transient {@link JugglerException}; the {@code .part} is kept for a later resume (deleted if the
 * video was purged), and an interrupt the protocol saw is set again on the thread for the caller, even
 * where the transport's library cleared it.
 *
 * <h2>File names</h2>
 * A video with id {@code I} whose source has extension {@code E} is stored as
 * {@code <enc(I)>.v.<e>}, where {@code enc} percent-encodes every UTF-8 byte outside
 * {@code [A-Za-z0-9._-]} (and a leading {@code '.'} or {@code '-'}), and {@code e} is {@code E} in lower
 * case if it is 1-10 letters or digits (and not {@code part}), else {@code bin}. Any id is therefore
 * safe in a shell and in {@code rm}/{@code rsync} arguments, and {@link #list()} recovers it exactly;
 * names that do not decode are foreign and ignored. Ids whose encoded form exceeds
 * {@value #MAX_ENCODED_ID_BYTES} bytes, and ids that are not well-formed Unicode, are rejected with an
 * {@link InvalidConfigException}. Ids in logs and messages are quoted with control characters escaped.
 *
 * <h2>Image folders</h2>
 * A video whose location is a folder of still images is staged as one file, its {@link ImageFolderArchive}
 * ({@code <enc(I)>.v.}{@value ImageFolderArchive#EXTENSION}), produced from the folder as the transfer reads
 * it; every rule above and below applies to that file, and its size (the images plus the archive's headers)
 * is what is reserved and counted. A folder whose images no longer add up to the video's
 * {@link Video#sizeBytes()} is refused with a permanent {@link dev.juggler.video.VideoException}, since its frame numbers
 * would no longer be those it was registered with.
 *
 * <h2>Accounting</h2>
 * Used bytes are the sizes of the complete, decodable files that {@link #list()} last found (the first
 * {@link #usage()} or {@link #stage} lists if nothing has yet), plus what this stager has staged since,
 * minus what it purged. {@link #list()} reads the workspace again and <em>reconciles</em>: a new stager
 * over the same workspace (after a restart) learns its state that way. Leftover {@code .part} files
 * are not counted until a transfer resumes them.
 *
 * <p>Thread-safety: all methods may be called from any thread; staging blocks the calling thread, and
 * several videos may be staged at once. Reservations and the list of complete files are guarded by one
 * internal lock, which is also held across the final rename so that a purge never misses a video that
 * is just appearing. {@code list()} excludes renames and removals while it reads the workspace. This
 * class assumes it is the only stager writing into its workspace.
 */
public final class StagingProtocol implements VideoStager {

    /** Default for {@link Builder#parallelTransfers(int)}: 2. */
    public static final int DEFAULT_PARALLEL_TRANSFERS = 2;

    /** The longest encoded video id accepted, in bytes (the file name adds at most 19 more). */
    public static final int MAX_ENCODED_ID_BYTES = 200;

    /** How long {@link #close()} waits for transfers in progress to stop, in milliseconds. */
    public static final long CLOSE_WAIT_MILLIS = 10_000;

    /** The suffix of a partial copy: {@code <name>.part}. */
    public static final String PART_SUFFIX = StagedNames.PART_SUFFIX;

    private static final Logger LOG = LoggerFactory.getLogger(StagingProtocol.class);

    private final StagingTransport transport;
    private final long budgetBytes;
    private final ResumableCopy copy;
    private final Semaphore permits;
    /** Read: a rename or removal; write: reading the whole workspace. Taken before {@link #lock}. */
    private final ReentrantReadWriteLock files = new ReentrantReadWriteLock();

    private final Object lock = new Object();
    /** Guarded by {@link #lock}: complete videos by file name; null until the first listing. */
    private Map<String, StagedVideo> complete;
    /** Guarded by {@link #lock}. */
    private final Map<String, Transfer> inFlight = new HashMap<>();
    /** Guarded by {@link #lock}. */
    private long reservedBytes;
    /** Guarded by {@link #lock}. */
    private int activeCalls;
    private volatile boolean closed;

    private StagingProtocol(Builder b, StagingTransport transport) {
        this.transport = transport;
        this.budgetBytes = b.budgetBytes;
        this.copy = new ResumableCopy(transport, b.checksum);
        this.permits = new Semaphore(b.parallelTransfers, true);
    }

    /** A builder of the protocol's settings; {@link Builder#build(StagingTransport)} names the transport. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The file name under which a video with this id, staged from a source file with this name, is
     * stored (see "File names").
     *
     * @throws InvalidConfigException if the id cannot be a file name
     */
    public static String fileNameOf(String videoId, String sourceFileName) {
        return StagedNames.fileName(Objects.requireNonNull(videoId, "videoId"),
                Objects.requireNonNull(sourceFileName, "sourceFileName"));
    }

    /** The id of the complete video stored under {@code fileName}, or empty for a partial or foreign file. */
    public static Optional<String> videoIdOf(String fileName) {
        return StagedNames.parse(fileName).filter(p -> !p.part()).map(StagedNames.Parsed::videoId);
    }

    @Override
    public StagedVideo stage(Video video, StageListener listener) {
        Objects.requireNonNull(video, "video");
        StageListener progress = listener == null ? StageListener.NONE : listener;
        ensureOpen();
        String id = video.id();
        StageSource source = StageSource.of(id, SourceUpload.sourcePath(video));
        long size = source.size();
        String name;
        if (source.isFile()) {
            if (video.sizeBytes() != size) {
                LOG.warn("video {}: the record says {} bytes but {} has {}; using the file's size", printable(id),
                        video.sizeBytes(), source.path(), size);
            }
            Path fileName = source.path().getFileName();
            name = StagedNames.fileName(id, fileName == null ? "" : fileName.toString());
        } else {
            FolderArchive.checkUnchanged(video, source.path());
            name = StagedNames.fileName(id, "." + ImageFolderArchive.EXTENSION);
        }
        ensureListed();
        Transfer mine = null;
        Transfer other;
        synchronized (lock) {
            ensureOpen();
            StagedVideo done = complete.get(name);
            if (done != null && done.sizeBytes() == size) {
                return done;
            }
            other = inFlight.get(id);
            if (other == null) {
                WorkspaceUsage usage = usageLocked();
                if (size > usage.freeBytes()) {
                    throw new WorkspaceFullException(printable(id), size, usage);
                }
                mine = new Transfer(id, name, size);
                reservedBytes += size;
                activeCalls++;
                inFlight.put(id, mine);
            }
        }
        if (other != null) {
            return awaitOther(id, other);
        }
        try {
            StagedVideo staged = transfer(source, mine, progress);
            mine.result.complete(staged);
            return staged;
        } catch (RuntimeException | Error e) {
            mine.result.completeExceptionally(e);
            throw e;
        } finally {
            synchronized (lock) {
                releaseLocked(mine);
                activeCalls--;
                inFlight.remove(id, mine);
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
                transfer.purged = true; // its transfer stops at the next buffer
            }
        }
        int removed = 0;
        files.readLock().lock();
        try {
            for (StagingTransport.FileEntry entry : transport.list()) {
                Optional<StagedNames.Parsed> parsed = StagedNames.parse(entry.name());
                if (parsed.isPresent() && parsed.get().videoId().equals(videoId)) {
                    removed += transport.remove(entry.name()) ? 1 : 0;
                }
            }
            synchronized (lock) {
                if (complete != null) {
                    complete.values().removeIf(v -> v.videoId().equals(videoId));
                }
            }
        } catch (IOException e) {
            throw JugglerException.transientFailure("cannot purge video " + printable(videoId) + " from " + transport.describe()
                    + ": " + e, e);
        } finally {
            files.readLock().unlock();
        }
        if (removed > 0) {
            LOG.info("purged video {} from {} ({} file(s))", printable(videoId), transport.describe(), removed);
        }
    }

    @Override
    public WorkspaceUsage usage() {
        ensureListed();
        synchronized (lock) {
            return usageLocked();
        }
    }

    /** Reads the workspace and reconciles the used-bytes count with what is really there; sorted by file name. */
    @Override
    public List<StagedVideo> list() {
        files.writeLock().lock();
        try {
            Map<String, StagedVideo> found = new TreeMap<>();
            for (StagingTransport.FileEntry entry : transport.list()) {
                videoIdOf(entry.name()).ifPresent(id -> found.put(entry.name(),
                        new StagedVideo(id, transport.location(entry.name()), entry.sizeBytes())));
            }
            synchronized (lock) {
                complete = found;
            }
            return List.copyOf(found.values());
        } catch (IOException e) {
            throw JugglerException.transientFailure("cannot read the workspace " + transport.describe() + ": " + e, e);
        } finally {
            files.writeLock().unlock();
        }
    }

    /**
     * Stops: new {@link #stage} calls fail, transfers in progress stop at their next buffer (keeping
     * their {@code .part} for a later resume), and callers waiting for a transfer slot give up. Waits up
     * to {@value #CLOSE_WAIT_MILLIS} ms for them. {@link #usage()}, {@link #list()} and {@link #purge}
     * keep working. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            permits.release(Integer.MAX_VALUE / 2); // wakes everybody waiting for a slot; they see `closed`
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
            try {
                while (activeCalls > 0) {
                    long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                    if (left <= 0) {
                        LOG.warn("closing the stager over {} with {} transfer(s) still stopping", transport.describe(),
                                activeCalls);
                        break;
                    }
                    lock.wait(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LOG.debug("stager over {} closed", transport.describe());
    }

    @Override
    public String toString() {
        return "StagingProtocol[" + transport.describe() + ", budget=" + budgetBytes + "]";
    }

    // ---------------------------------------------------------------------------------------------

    private StagedVideo transfer(StageSource source, Transfer t, StageListener listener) {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JugglerException.transientFailure("interrupted while waiting to stage video " + printable(t.id), e);
        }
        String part = t.name + PART_SUFFIX;
        try {
            checkRunning(t);
            // Another stager call (or an earlier process) may have completed it.
            if (transport.size(t.name).orElse(-1) == t.size) {
                return commit(t, null);
            }
            copy.copy(t.id, source, part, listener, () -> closed || t.purged, () -> stopped(t, part));
            return commit(t, part);
        } catch (IOException e) {
            throw afterFailure(t, part, JugglerException.transientFailure("staging video " + printable(t.id) + " into "
                    + transport.describe() + " failed: " + e, e));
        } catch (RuntimeException e) {
            throw afterFailure(t, part, e);
        } finally {
            permits.release();
            try {
                source.close();
            } catch (IOException e) {
                LOG.debug("cannot close the source of video {}", printable(t.id), e);
            }
        }
    }

    /** Makes the video appear (renaming {@code part} unless null) and turns its reservation into used bytes. */
    private StagedVideo commit(Transfer t, String part) throws IOException {
        files.readLock().lock();
        try {
            synchronized (lock) {
                checkRunning(t);
                if (part != null) {
                    transport.rename(part, t.name);
                }
                StagedVideo staged = new StagedVideo(t.id, transport.location(t.name), t.size);
                complete.put(t.name, staged);
                releaseLocked(t);
                LOG.info("staged video {} ({} bytes) as {}", printable(t.id), t.size, staged.location());
                return staged;
            }
        } finally {
            files.readLock().unlock();
        }
    }

    private RuntimeException afterFailure(Transfer t, String part, RuntimeException e) {
        if (t.purged) {
            try {
                transport.remove(part); // a purged video leaves nothing behind, not even what its write re-created
            } catch (IOException | RuntimeException again) {
                LOG.debug("cannot remove {} of purged video {}", part, printable(t.id), again);
            }
        }
        return e;
    }

    private JugglerException stopped(Transfer t, String part) {
        String why = t.purged ? "purged" : closed ? "the stager was closed" : "interrupted";
        return JugglerException.transientFailure("staging video " + printable(t.id) + " into " + transport.describe() + " stopped ("
                + why + "); " + (t.purged ? "the partial copy is deleted" : "the partial copy " + part
                + " is kept and a later stage() resumes it"), null);
    }

    private StagedVideo awaitOther(String id, Transfer other) {
        try {
            return other.result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JugglerException.transientFailure("interrupted while waiting for another call staging video " + printable(id), e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw JugglerException.transientFailure("staging video " + printable(id) + " failed in another call: " + cause,
                    cause);
        }
    }

    private void checkRunning(Transfer t) {
        if (closed || t.purged) {
            throw stopped(t, t.name + PART_SUFFIX);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw JugglerException.permanentFailure("the stager over " + transport.describe() + " is closed", null);
        }
    }

    private void ensureListed() {
        synchronized (lock) {
            if (complete != null) {
                return;
            }
        }
        list();
    }

    private void releaseLocked(Transfer t) {
        reservedBytes -= t.reserved;
        t.reserved = 0;
    }

    private WorkspaceUsage usageLocked() {
        long used = complete.values().stream().mapToLong(StagedVideo::sizeBytes).sum();
        return new WorkspaceUsage(budgetBytes, used, reservedBytes);
    }

    static String printable(String id) {
        return StagedNames.printable(id);
    }

    /** One transfer in progress; {@link #reserved} is guarded by the protocol's lock. */
    private static final class Transfer {
        final String id;
        final String name;
        final long size;
        final CompletableFuture<StagedVideo> result = new CompletableFuture<>();
        long reserved;
        volatile boolean purged;

        Transfer(String id, String name, long size) {
            this.id = id;
            this.name = name;
            this.size = size;
            this.reserved = size;
        }
    }

    /**
     * Configures a {@link StagingProtocol}; every setter checks its value and names the field in the
     * {@link InvalidConfigException} it throws. Not thread-safe.
     */
    public static final class Builder {
        private long budgetBytes = -1;
        private int parallelTransfers = DEFAULT_PARALLEL_TRANSFERS;
        private boolean checksum = true;

        private Builder() {
        }

        /** The most bytes staged videos and transfers in progress may take, {@code >= 1}. Required. */
        public Builder budgetBytes(long bytes) {
            if (bytes < 1) {
                throw InvalidConfigException.of("budgetBytes", bytes, "must be >= 1 (e.g. 500 GB = 500000000000)");
            }
            this.budgetBytes = bytes;
            return this;
        }

        /** How many transfers may run at once, {@code >= 1}; default {@value StagingProtocol#DEFAULT_PARALLEL_TRANSFERS}. */
        public Builder parallelTransfers(int n) {
            if (n < 1) {
                throw InvalidConfigException.of("parallelTransfers", n, "must be >= 1");
            }
            this.parallelTransfers = n;
            return this;
        }

        /**
         * Compare the copy's SHA-256 (from {@link StagingTransport#sha256}) with the source's (default on;
         * sizes are always compared). Off saves reading each video once more on both sides.
         */
        public Builder verifyChecksum(boolean value) {
            this.checksum = value;
            return this;
        }

        /**
         * Builds the protocol over {@code transport}; nothing is read or written before the first call.
         *
         * @throws InvalidConfigException if the budget was not set or {@code transport} is null
         */
        public StagingProtocol build(StagingTransport transport) {
            if (budgetBytes < 1) {
                throw InvalidConfigException.of("budgetBytes", "unset", "must be set (>= 1)");
            }
            if (transport == null) {
                throw InvalidConfigException.of("transport", null, "must be a StagingTransport");
            }
            return new StagingProtocol(this, transport);
        }
    }
}
