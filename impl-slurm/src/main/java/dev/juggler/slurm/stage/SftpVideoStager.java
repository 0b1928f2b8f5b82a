package dev.juggler.slurm.stage;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.internal.FileNameCodec;
import dev.juggler.slurm.ssh.ExecResult;
import dev.juggler.slurm.ssh.RemoteCommand;
import dev.juggler.slurm.ssh.RemoteFiles;
import dev.juggler.slurm.ssh.SshClient;
import dev.juggler.slurm.ssh.SshConfig;
import dev.juggler.stage.StageListener;
import dev.juggler.stage.StagedVideo;
import dev.juggler.stage.VideoStager;
import dev.juggler.stage.WorkspaceFullException;
import dev.juggler.stage.WorkspaceUsage;
import dev.juggler.video.Video;
import dev.juggler.video.VideoException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link VideoStager} whose workspace is a directory on the cluster, reached over SFTP on an
 * {@link SshClient}. Sources are local files (a path or a {@code file:} URI).
 *
 * <h2>Staging</h2>
 * {@link #stage} reserves the source's size against the budget (counting the reservations of transfers
 * in progress) and throws {@link WorkspaceFullException} at once if it does not fit. It then appends
 * the missing tail of the source to {@code <name>.part} on the cluster, <em>resuming</em> a partial
 * file left by an interrupted transfer, reports progress, checks the remote size and the remote
 * {@code sha256sum} against the local SHA-256 (a mismatch deletes the {@code .part} and fails
 * transiently), and renames it to its final name, so a worker never sees a partial video. At most
 * {@link Builder#parallelTransfers(int)} uploads run at once. A video already complete (same size) is
 * returned at once; a second caller for a video in transfer waits for it and shares its result.
 * Interrupting the staging thread stops the upload at the next packet and keeps the {@code .part}.
 *
 * <h2>Names and accounting</h2>
 * A video with id {@code I} and source extension {@code E} is stored as {@code <enc(I)>.v.<e>} as in
 * {@link dev.juggler.stage.LocalVideoStager} (percent-encoded, safe in any shell; {@code e} is
 * {@code E} lower-cased if it is 1-10 letters/digits, else {@code bin}). {@link #list()} reads the
 * remote directory, decodes the names (foreign ones are ignored) and <em>reconciles</em> the used-bytes
 * count with what is really there, which is how a restarted stager learns the state; the first
 * {@link #usage()} or {@link #stage} does the same.
 *
 * <h2>Transfer of the bytes</h2>
 * By default the bytes go over SFTP on the {@link SshClient}. {@link Builder#transfer(Transfer)} with
 * {@link Transfer#RSYNC} or {@link Transfer#AUTO} (plus {@link Builder#rsyncSsh(SshConfig)}) uses a local
 * {@code rsync} process instead, appending onto the same {@code <name>.part} with
 * {@code --inplace --append-verify} (so resuming works the same way) over OpenSSH with the configured
 * key, port and known_hosts, {@code StrictHostKeyChecking=yes} and {@code BatchMode=yes}. rsync needs a
 * key file without passphrase and no jump host: a key with a passphrase, an agent-only configuration or
 * a remote host without {@code rsync} makes {@code AUTO} use SFTP (decided once, on the first upload,
 * and logged). Only the bytes differ: the size and checksum checks, the rename and the budget are the
 * same. Failures of rsync are transient for network-like exit codes (10, 11, 12, 20, 23, 24, 30, 35,
 * 255 unless the host key or login was refused), permanent otherwise, with the tail of its standard
 * error in the message.
 *
 * <p>Thread-safety: all methods may be called from any thread; bookkeeping is guarded by one lock.
 * This stager assumes it is the only writer of its workspace directory.
 */
public final class SftpVideoStager implements VideoStager {

    /** Default {@link Builder#parallelTransfers(int)}. */
    public static final int DEFAULT_PARALLEL_TRANSFERS = 2;
    /** Longest encoded id accepted (bytes). */
    public static final int MAX_ENCODED_ID_BYTES = 200;
    /** Time limit of the remote checksum of one video (large files take a while). */
    public static final Duration CHECKSUM_TIMEOUT = Duration.ofMinutes(30);

    private static final Logger LOG = LoggerFactory.getLogger(SftpVideoStager.class);
    private static final String SEPARATOR = ".v.";
    private static final String PART = ".part";
    private static final Pattern EXTENSION = Pattern.compile("[a-z0-9]{1,10}");

    private final SshClient ssh;
    private final RemoteFiles files;
    private final String workspace;
    private final long budget;
    private final boolean checksum;
    private final Semaphore permits;
    private final Transfer transferMode;
    private final SshConfig rsyncSsh;
    /** The rsync uploader once decided to use it, else null; guarded by {@link #lock}. */
    private RsyncUploader rsync;
    /** Guarded by {@link #lock}: whether {@link #rsync} has been decided. */
    private boolean transferDecided;

    private final Object lock = new Object();
    /** Guarded by {@link #lock}: complete videos by id → size; null until the first scan. */
    private Map<String, StagedVideo> complete;
    private final Map<String, Upload> inFlight = new HashMap<>();
    private long reserved;
    private volatile boolean closed;

    private SftpVideoStager(Builder b) {
        this.ssh = b.ssh;
        this.files = b.ssh.files();
        this.workspace = b.workspace.endsWith("/") && b.workspace.length() > 1
                ? b.workspace.substring(0, b.workspace.length() - 1) : b.workspace;
        this.budget = b.budget;
        this.checksum = b.checksum;
        this.permits = new Semaphore(b.parallel, true);
        this.transferMode = b.transfer;
        this.rsyncSsh = b.rsyncSsh;
        if (b.transfer == Transfer.RSYNC) {
            RsyncUploader.Result r = RsyncUploader.create(b.rsyncSsh);
            if (r.uploader() == null) {
                throw InvalidConfigException.of("transfer", "RSYNC", "rsync cannot be used: " + r.whyNot());
            }
            this.rsync = r.uploader();
            this.transferDecided = true;
        }
    }

    /** The transfer in use: {@link Transfer#RSYNC} or {@link Transfer#SFTP} (decides {@code AUTO} now if needed). */
    public Transfer effectiveTransfer() {
        return rsyncUploader() != null ? Transfer.RSYNC : Transfer.SFTP;
    }

    private RsyncUploader rsyncUploader() {
        synchronized (lock) {
            if (transferDecided) {
                return rsync;
            }
        }
        RsyncUploader chosen = null;
        if (transferMode == Transfer.AUTO) {
            RsyncUploader.Result r = rsyncSsh == null ? new RsyncUploader.Result(null, "no SshConfig given for rsync")
                    : RsyncUploader.create(rsyncSsh);
            String why = r.whyNot();
            if (r.uploader() != null) {
                ExecResult probe = ssh.exec(RemoteCommand.script("command -v rsync", List.of()));
                if (probe.ok()) {
                    chosen = r.uploader();
                } else {
                    why = "no rsync on " + ssh.target();
                }
            }
            LOG.info("stager {}: transfer AUTO uses {}{}", workspace, chosen != null ? "rsync" : "SFTP",
                    chosen != null ? "" : " (" + why + ")");
        }
        synchronized (lock) {
            if (!transferDecided) {
                rsync = chosen;
                transferDecided = true;
            }
            return rsync;
        }
    }

    /**
     * @param ssh the connection (used, not closed, by the stager)
     * @param workspace absolute directory on the cluster (created if missing)
     */
    public static Builder builder(SshClient ssh, String workspace) {
        return new Builder(ssh, workspace);
    }

    @Override
    public StagedVideo stage(Video video, StageListener listener) {
        Objects.requireNonNull(video, "video");
        StageListener progress = listener == null ? StageListener.NONE : listener;
        ensureOpen();
        String id = video.id();
        Path source = sourcePath(video);
        long size;
        try {
            size = Files.size(source);
        } catch (IOException e) {
            throw new VideoException(source.toString(), VideoException.Kind.UNREADABLE, -1, e.toString(), e);
        }
        if (size == 0) {
            throw new VideoException(source.toString(), VideoException.Kind.EMPTY, -1, null, null);
        }
        String name = encode(id) + SEPARATOR + extensionOf(source);
        String target = workspace + "/" + name;

        Upload mine = null;
        Upload other;
        synchronized (lock) {
            ensureScannedLocked();
            StagedVideo done = complete.get(id);
            if (done != null && done.sizeBytes() == size && done.location().equals(target)) {
                return done;
            }
            other = inFlight.get(id);
            if (other == null) {
                WorkspaceUsage usage = usageLocked();
                if (size > usage.freeBytes()) {
                    throw new WorkspaceFullException(id, size, usage);
                }
                reserved += size;
                mine = new Upload();
                inFlight.put(id, mine);
            }
        }
        if (other != null) {
            return other.result.join();
        }
        try {
            StagedVideo staged = transfer(id, source, size, target, mine, progress);
            synchronized (lock) {
                complete.put(id, staged);
            }
            mine.result.complete(staged);
            return staged;
        } catch (RuntimeException | Error e) {
            mine.result.completeExceptionally(e);
            throw e;
        } finally {
            synchronized (lock) {
                reserved -= size;
                inFlight.remove(id, mine);
            }
        }
    }

    @Override
    public void purge(String videoId) {
        Objects.requireNonNull(videoId, "videoId");
        ensureOpen();
        synchronized (lock) {
            Upload t = inFlight.get(videoId);
            if (t != null) {
                t.cancelled = true;
            }
        }
        String prefix = encode(videoId) + SEPARATOR;
        int removed = 0;
        for (RemoteFiles.Entry e : files.list(workspace)) {
            if (!e.name().startsWith(prefix)) {
                continue;
            }
            String rest = e.name().substring(prefix.length());
            if (rest.endsWith(PART)) {
                rest = rest.substring(0, rest.length() - PART.length());
            }
            // Exactly <enc(id)>.v.<ext>[.part]: another id whose name merely starts alike is not touched.
            if (EXTENSION.matcher(rest).matches()) {
                removed += files.remove(workspace + "/" + e.name()) ? 1 : 0;
            }
        }
        synchronized (lock) {
            if (complete != null) {
                complete.remove(videoId);
            }
        }
        if (removed > 0) {
            LOG.info("purged video {} from {} ({} file(s))", videoId, workspace, removed);
        }
    }

    @Override
    public WorkspaceUsage usage() {
        synchronized (lock) {
            ensureScannedLocked();
            return usageLocked();
        }
    }

    /** Reads the remote directory and reconciles the bookkeeping with it. */
    @Override
    public List<StagedVideo> list() {
        Map<String, StagedVideo> found = scan();
        synchronized (lock) {
            complete = found;
        }
        return new ArrayList<>(found.values());
    }

    /** New calls fail; uploads in progress stop at their next packet, keeping their {@code .part}. */
    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            inFlight.values().forEach(t -> t.cancelled = true);
        }
    }

    @Override
    public String toString() {
        return "SftpVideoStager[" + ssh.target() + ":" + workspace + ", budget=" + budget + "]";
    }

    // ---------------------------------------------------------------------------------------------

    private StagedVideo transfer(String id, Path source, long size, String target, Upload transfer,
            StageListener listener) {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JugglerException("interrupted while waiting to stage video " + id, true, e);
        }
        try {
            checkRunning(id, transfer);
            RsyncUploader rsyncUpload = rsyncUploader();
            files.mkdirs(workspace);
            String part = target + PART;
            long have = files.size(part).orElse(0);
            if (have > size) {
                LOG.warn("video {}: {} is longer ({}) than the source ({}); starting over", id, part, have, size);
                files.remove(part);
                have = 0;
            }
            // Hashing reads the whole video once more; only worth it when the remote checksum is compared.
            MessageDigest digest = checksum ? sha256() : null;
            if (rsyncUpload != null) {
                if (have > 0) {
                    LOG.info("video {}: resuming upload at byte {} of {} with rsync", id, have, size);
                }
                safeProgress(listener, id, have, size);
                long floor = have;
                rsyncUpload.upload(id, source, part, size,
                        () -> transfer.cancelled || closed || Thread.currentThread().isInterrupted(),
                        n -> safeProgress(listener, id, Math.max(floor, n), size));
                if (Thread.currentThread().isInterrupted() || transfer.cancelled) {
                    throw new JugglerException("upload of video " + id + " stopped"
                            + (transfer.cancelled ? " (purged or closed)" : " (interrupted)")
                            + "; the partial file is kept and a later stage() resumes it", true, null);
                }
                if (digest != null) {
                    try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
                        digestPrefix(in, size, digest);
                    }
                }
            } else {
                try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
                    if (have > 0) {
                        LOG.info("video {}: resuming upload at byte {} of {}", id, have, size);
                        if (digest != null) {
                            digestPrefix(in, have, digest);
                        }
                    }
                    safeProgress(listener, id, have, size);
                    in.position(have);
                    InputStream stream = digest == null ? Channels.newInputStream(in)
                            : new DigestInputStream(Channels.newInputStream(in), digest);
                    long start = have;
                    long written = files.write(new BoundedStream(stream, size - have, transfer), part, have > 0,
                            total -> safeProgress(listener, id, Math.min(total, size), size));
                    if (start + written < size || Thread.currentThread().isInterrupted() || transfer.cancelled) {
                        throw new JugglerException("upload of video " + id + " stopped at byte " + (start + written) + " of "
                                + size + (transfer.cancelled ? " (purged or closed)" : " (interrupted)")
                                + "; the partial file is kept and a later stage() resumes it", true, null);
                    }
                }
            }
            verify(id, part, size, digest == null ? null : HexFormat.of().formatHex(digest.digest()));
            files.rename(part, target);
            LOG.info("staged video {} ({} bytes) as {}:{}", id, size, ssh.target(), target);
            return new StagedVideo(id, target, size);
        } catch (IOException e) {
            throw new VideoException(source.toString(), VideoException.Kind.UNREADABLE, -1, e.toString(), e);
        } finally {
            permits.release();
        }
    }

    private void verify(String id, String part, long size, String localSha) {
        OptionalLong remoteSize = files.size(part);
        if (remoteSize.isEmpty() || remoteSize.getAsLong() != size) {
            files.remove(part);
            throw new JugglerException("video " + id + ": the uploaded file has " + remoteSize + " bytes, expected " + size
                    + "; deleted, retry uploads afresh", true, null);
        }
        if (!checksum) {
            return;
        }
        ExecResult r = ssh.exec(RemoteCommand.of("sha256sum", "--", part).withTimeout(CHECKSUM_TIMEOUT));
        if (!r.ok()) {
            throw new JugglerException("video " + id + ": sha256sum failed on " + ssh.target() + ": " + r.err().trim(), true, null);
        }
        String out = r.out().trim();
        // GNU sha256sum prefixes the line with a backslash when the name needed escaping.
        String remoteSha = out.startsWith("\\") ? out.substring(1) : out;
        remoteSha = remoteSha.split("\\s+", 2)[0];
        if (!remoteSha.equalsIgnoreCase(localSha)) {
            files.remove(part);
            throw new JugglerException("video " + id + ": checksum mismatch (local " + localSha + ", remote " + remoteSha
                    + "); the upload was deleted, retry uploads afresh", true, null);
        }
    }

    private Map<String, StagedVideo> scan() {
        Map<String, StagedVideo> found = new HashMap<>();
        for (RemoteFiles.Entry e : files.list(workspace)) {
            String name = e.name();
            if (name.endsWith(PART)) {
                continue;
            }
            int sep = name.lastIndexOf(SEPARATOR);
            if (sep <= 0) {
                continue;
            }
            String ext = name.substring(sep + SEPARATOR.length());
            Optional<String> id = FileNameCodec.decode(name.substring(0, sep));
            if (id.isPresent() && EXTENSION.matcher(ext).matches()) {
                found.put(id.get(), new StagedVideo(id.get(), workspace + "/" + name, e.size()));
            }
        }
        return found;
    }

    private void ensureScannedLocked() {
        if (complete == null) {
            complete = scan();
        }
    }

    private WorkspaceUsage usageLocked() {
        long used = complete.values().stream().mapToLong(StagedVideo::sizeBytes).sum();
        return new WorkspaceUsage(budget, used, reserved);
    }

    private static void digestPrefix(FileChannel in, long length, MessageDigest digest) throws IOException {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(1 << 20);
        long pos = 0;
        while (pos < length) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), length - pos));
            int n = in.read(buf, pos);
            if (n < 0) {
                break;
            }
            digest.update(buf.array(), 0, n);
            pos += n;
        }
    }

    private static void safeProgress(StageListener listener, String id, long done, long total) {
        if (listener == StageListener.NONE) {
            return;
        }
        try {
            listener.onProgress(id, done, total);
        } catch (RuntimeException e) {
            LOG.warn("stage listener threw for video {}; ignored", id, e);
        }
    }

    private void checkRunning(String id, Upload t) {
        if (closed || t.cancelled) {
            throw new JugglerException("staging of video " + id + " was stopped (purged or closed)", true, null);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new JugglerException("the stager for " + ssh.target() + ":" + workspace + " is closed", false, null);
        }
    }

    private static String encode(String id) {
        String e;
        try {
            e = FileNameCodec.encode(id);
        } catch (IllegalArgumentException ex) {
            throw InvalidConfigException.of("video id", id, ex.getMessage());
        }
        if (e.length() > MAX_ENCODED_ID_BYTES) {
            throw InvalidConfigException.of("video id", id.substring(0, Math.min(40, id.length())) + "…",
                    "encoded file name too long (" + e.length() + " > " + MAX_ENCODED_ID_BYTES + " bytes)");
        }
        return e;
    }

    private static String extensionOf(Path source) {
        Path fn = source.getFileName();
        String name = fn == null ? "" : fn.toString();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return EXTENSION.matcher(ext).matches() && !ext.equals("part") ? ext : "bin";
    }

    private static Path sourcePath(Video video) {
        String location = video.location();
        try {
            if (location.regionMatches(true, 0, "file:", 0, 5)) {
                return Path.of(URI.create(location));
            }
            return Path.of(location).toAbsolutePath();
        } catch (IllegalArgumentException e) {
            throw new VideoException(location, VideoException.Kind.UNREADABLE, -1, "not a local path: " + e.getMessage(), e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Upload {
        final CompletableFuture<StagedVideo> result = new CompletableFuture<>();
        volatile boolean cancelled;
    }

    /** Ends after {@code limit} bytes (a source that grew is not uploaded past its size) or when cancelled. */
    private static final class BoundedStream extends InputStream {
        private final InputStream in;
        private long left;
        private final Upload transfer;

        BoundedStream(InputStream in, long limit, Upload transfer) {
            this.in = in;
            this.left = limit;
            this.transfer = transfer;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0 || transfer.cancelled || Thread.currentThread().isInterrupted()) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }

    /** Configures an {@link SftpVideoStager}; setters check their values. Not thread-safe. */
    public static final class Builder {
        private final SshClient ssh;
        private final String workspace;
        private long budget = -1;
        private int parallel = DEFAULT_PARALLEL_TRANSFERS;
        private boolean checksum = true;
        private Transfer transfer = Transfer.SFTP;
        private SshConfig rsyncSsh;

        private Builder(SshClient ssh, String workspace) {
            if (ssh == null) {
                throw InvalidConfigException.of("ssh", null, "must be an SshClient");
            }
            if (workspace == null || !workspace.startsWith("/")) {
                throw InvalidConfigException.of("workspace", workspace, "must be an absolute directory on the cluster");
            }
            this.ssh = ssh;
            this.workspace = workspace;
        }

        /** The most bytes staged videos and uploads in progress may take, {@code >= 1}. Required. */
        public Builder budgetBytes(long bytes) {
            if (bytes < 1) {
                throw InvalidConfigException.of("budgetBytes", bytes, "must be >= 1 (e.g. 500 GB = 500000000000)");
            }
            this.budget = bytes;
            return this;
        }

        /** Uploads at once, 1..32 (each takes one SSH channel). */
        public Builder parallelTransfers(int n) {
            if (n < 1 || n > 32) {
                throw InvalidConfigException.of("parallelTransfers", n, "must be 1..32");
            }
            this.parallel = n;
            return this;
        }

        /** Verify each upload with a remote {@code sha256sum} (default on; size is always checked). */
        public Builder verifyChecksum(boolean value) {
            this.checksum = value;
            return this;
        }

        /**
         * How the bytes are moved (default {@link Transfer#SFTP}). {@link Transfer#RSYNC} and
         * {@link Transfer#AUTO} need {@link #rsyncSsh(SshConfig)}; {@code RSYNC} fails at {@link #build()}
         * when rsync cannot be used with it, {@code AUTO} falls back to SFTP.
         */
        public Builder transfer(Transfer mode) {
            if (mode == null) {
                throw InvalidConfigException.of("transfer", null, "must be AUTO, SFTP or RSYNC");
            }
            this.transfer = mode;
            return this;
        }

        /**
         * The SSH settings rsync's {@code ssh} uses: normally the same {@link SshConfig} as the
         * {@link SshClient}'s. Only its host, port, user, key files, known_hosts and timeouts are used; a
         * passphrase, agent-only login or jump host rules rsync out.
         */
        public Builder rsyncSsh(SshConfig config) {
            if (config == null) {
                throw InvalidConfigException.of("rsyncSsh", null, "must be an SshConfig");
            }
            this.rsyncSsh = config;
            return this;
        }

        public SftpVideoStager build() {
            if (budget < 1) {
                throw InvalidConfigException.of("budgetBytes", "unset", "must be set (>= 1)");
            }
            if (transfer == Transfer.RSYNC && rsyncSsh == null) {
                throw InvalidConfigException.of("rsyncSsh", "unset", "must be set for transfer RSYNC");
            }
            return new SftpVideoStager(this);
        }
    }
}
