package dev.juggler.slurm.stage;

import dev.juggler.InvalidConfigException;
import dev.juggler.slurm.ssh.SshClient;
import dev.juggler.slurm.ssh.SshConfig;
import dev.juggler.stage.StageListener;
import dev.juggler.stage.StagedVideo;
import dev.juggler.stage.StagingProtocol;
import dev.juggler.stage.VideoStager;
import dev.juggler.stage.WorkspaceUsage;
import dev.juggler.video.Video;
import java.time.Duration;
import java.util.List;

/**
 * A {@link VideoStager} whose workspace is a directory on the cluster, reached over SFTP on an
 * {@link SshClient}. Sources are local files (a path or a {@code file:} URI).
 *
 * <h2>Behaviour</h2>
 * This is the {@link StagingProtocol} over a remote directory, so everything that protocol describes
 * holds here, exactly as for {@link dev.juggler.stage.LocalVideoStager}: the reservation against the
 * budget before a transfer starts, the resumable {@code <name>.part} on the cluster, the size check and
 * the remote {@code sha256sum} against the local SHA-256 (unless {@link Builder#verifyChecksum(boolean)}
 * turns it off), the rename to the final name (a worker never sees a partial video), the file names
 * ({@code <enc(id)>.v.<ext>}, safe in any shell) and the reconciliation by {@link #list()}, which is how
 * a restarted stager learns the state. Interrupting the staging thread stops the upload at the next
 * packet and keeps the {@code .part}.
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
 * error in the message. An image folder is staged as its {@link dev.juggler.stage.ImageFolderArchive}, a
 * file that exists only as the stream the protocol produces, so it always goes over SFTP.
 *
 * <p>Thread-safety: all methods may be called from any thread (see {@link StagingProtocol}). This
 * stager assumes it is the only writer of its workspace directory.
 */
public final class SftpVideoStager implements VideoStager {

    /** Default {@link Builder#parallelTransfers(int)}. */
    public static final int DEFAULT_PARALLEL_TRANSFERS = StagingProtocol.DEFAULT_PARALLEL_TRANSFERS;
    /** Longest encoded id accepted (bytes). */
    public static final int MAX_ENCODED_ID_BYTES = StagingProtocol.MAX_ENCODED_ID_BYTES;
    /** Time limit of the remote checksum of one video (large files take a while). */
    public static final Duration CHECKSUM_TIMEOUT = Duration.ofMinutes(30);

    private final SftpTransport transport;
    private final StagingProtocol protocol;
    private final long budgetBytes;

    private SftpVideoStager(SftpTransport transport, StagingProtocol protocol, long budgetBytes) {
        this.transport = transport;
        this.protocol = protocol;
        this.budgetBytes = budgetBytes;
    }

    /**
     * @param ssh the connection (used, not closed, by the stager)
     * @param workspace absolute directory on the cluster (created if missing)
     */
    public static Builder builder(SshClient ssh, String workspace) {
        return new Builder(ssh, workspace);
    }

    /** The transfer in use: {@link Transfer#RSYNC} or {@link Transfer#SFTP} (decides {@code AUTO} now if needed). */
    public Transfer effectiveTransfer() {
        return transport.effectiveTransfer();
    }

    @Override
    public StagedVideo stage(Video video, StageListener listener) {
        return protocol.stage(video, listener);
    }

    @Override
    public void purge(String videoId) {
        protocol.purge(videoId);
    }

    @Override
    public WorkspaceUsage usage() {
        return protocol.usage();
    }

    /** Reads the remote directory and reconciles the bookkeeping with it. */
    @Override
    public List<StagedVideo> list() {
        return protocol.list();
    }

    /**
     * New stage calls fail; uploads in progress stop at their next packet, keeping their {@code .part}
     * (see {@link StagingProtocol#close()}). The {@link SshClient} stays open. Idempotent.
     */
    @Override
    public void close() {
        protocol.close();
    }

    @Override
    public String toString() {
        return "SftpVideoStager[" + transport.describe() + ", budget=" + budgetBytes + "]";
    }

    /** Configures an {@link SftpVideoStager}; setters check their values and name the field. Not thread-safe. */
    public static final class Builder {
        private final SshClient ssh;
        private final String workspace;
        private final StagingProtocol.Builder protocol = StagingProtocol.builder();
        private long budget = -1;
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
            protocol.budgetBytes(bytes);
            this.budget = bytes;
            return this;
        }

        /** Uploads at once, 1..32 (each takes one SSH channel). */
        public Builder parallelTransfers(int n) {
            if (n < 1 || n > 32) {
                throw InvalidConfigException.of("parallelTransfers", n, "must be 1..32");
            }
            protocol.parallelTransfers(n);
            return this;
        }

        /** Verify each upload with a remote {@code sha256sum} (default on; size is always checked). */
        public Builder verifyChecksum(boolean value) {
            protocol.verifyChecksum(value);
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

        /**
         * Builds the stager; nothing is sent to the cluster yet.
         *
         * @throws InvalidConfigException if the budget was not set, or rsync was asked for and cannot be used
         */
        public SftpVideoStager build() {
            if (budget < 1) {
                throw InvalidConfigException.of("budgetBytes", "unset", "must be set (>= 1)");
            }
            if (transfer == Transfer.RSYNC && rsyncSsh == null) {
                throw InvalidConfigException.of("rsyncSsh", "unset", "must be set for transfer RSYNC");
            }
            SftpTransport transport = new SftpTransport(ssh, workspace, transfer, rsyncSsh, CHECKSUM_TIMEOUT);
            return new SftpVideoStager(transport, protocol.build(transport), budget);
        }
    }
}
