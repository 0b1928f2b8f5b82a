package dev.juggler.slurm.stage;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.slurm.ssh.ExecResult;
import dev.juggler.slurm.ssh.RemoteCommand;
import dev.juggler.slurm.ssh.RemoteFiles;
import dev.juggler.slurm.ssh.SshClient;
import dev.juggler.slurm.ssh.SshConfig;
import dev.juggler.stage.StagingTransport;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link StagingTransport} of {@link SftpVideoStager}: a directory on the cluster, reached over SFTP
 * on an {@link SshClient} (not owned), with the bytes moved by SFTP or by a local {@code rsync} process
 * ({@link Transfer}; an image folder's archive, which exists only as a stream, always goes by SFTP). Checksums are a remote {@code sha256sum}; renames are SFTP renames (a POSIX
 * {@code mv -f} where the server refuses to replace). Paths are SFTP or rsync arguments and command
 * arguments built by {@link RemoteCommand}, never a shell string.
 *
 * <p>Thread-safe: the choice between rsync and SFTP for {@link Transfer#AUTO} is made once, under a
 * lock; everything else is the thread-safe {@link SshClient}.
 */
final class SftpTransport implements StagingTransport {

    private static final Logger LOG = LoggerFactory.getLogger(SftpVideoStager.class);

    private final SshClient ssh;
    private final RemoteFiles files;
    private final String workspace;
    private final Transfer mode;
    private final SshConfig rsyncSsh;
    private final Duration checksumTimeout;
    private final Object lock = new Object();
    /** Guarded by {@link #lock}: the rsync uploader once decided to use it, else null. */
    private RsyncUploader rsync;
    /** Guarded by {@link #lock}: whether {@link #rsync} has been decided. */
    private boolean decided;

    /** @throws InvalidConfigException if {@code mode} is {@link Transfer#RSYNC} and rsync cannot be used */
    SftpTransport(SshClient ssh, String workspace, Transfer mode, SshConfig rsyncSsh, Duration checksumTimeout) {
        this.ssh = ssh;
        this.files = ssh.files();
        this.workspace = workspace.endsWith("/") && workspace.length() > 1
                ? workspace.substring(0, workspace.length() - 1) : workspace;
        this.mode = mode;
        this.rsyncSsh = rsyncSsh;
        this.checksumTimeout = checksumTimeout;
        if (mode == Transfer.RSYNC) {
            RsyncUploader.Result r = RsyncUploader.create(rsyncSsh);
            if (r.uploader() == null) {
                throw InvalidConfigException.of("transfer", "RSYNC", "rsync cannot be used: " + r.whyNot());
            }
            this.rsync = r.uploader();
            this.decided = true;
        }
    }

    /** The transfer in use: {@link Transfer#RSYNC} or {@link Transfer#SFTP} (decides {@code AUTO} now if needed). */
    Transfer effectiveTransfer() {
        return rsyncUploader() != null ? Transfer.RSYNC : Transfer.SFTP;
    }

    @Override
    public String describe() {
        return ssh.target() + ":" + workspace;
    }

    @Override
    public String location(String name) {
        return workspace + "/" + name;
    }

    @Override
    public List<FileEntry> list() {
        return files.list(workspace).stream().map(e -> new FileEntry(e.name(), e.size())).toList();
    }

    @Override
    public OptionalLong size(String name) {
        return files.size(location(name));
    }

    @Override
    public void append(String name, Upload upload) {
        RsyncUploader uploader = rsyncUploader();
        files.mkdirs(workspace);
        if (uploader != null && upload.sourceIsFile()) { // an image folder's archive exists only as the stream
            uploader.upload(upload.label(), upload.source(), location(name), upload.size(), upload::stopRequested,
                    upload::progress);
        } else {
            files.write(upload.stream(), location(name), upload.offset() > 0, upload::progress);
        }
    }

    @Override
    public Optional<String> sha256(String name) {
        ExecResult r = ssh.exec(RemoteCommand.of("sha256sum", "--", location(name)).withTimeout(checksumTimeout));
        if (!r.ok()) {
            throw JugglerException.transientFailure("sha256sum of " + name + " failed on " + ssh.target() + ": " + r.err().trim(),
                    null);
        }
        String out = r.out().trim();
        // GNU sha256sum prefixes the line with a backslash when the name needed escaping.
        String hex = (out.startsWith("\\") ? out.substring(1) : out).split("\\s+", 2)[0];
        return Optional.of(hex);
    }

    @Override
    public void rename(String from, String to) {
        files.rename(location(from), location(to));
    }

    @Override
    public boolean remove(String name) {
        return files.remove(location(name));
    }

    private RsyncUploader rsyncUploader() {
        synchronized (lock) {
            if (decided) {
                return rsync;
            }
        }
        RsyncUploader chosen = null;
        if (mode == Transfer.AUTO) {
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
            LOG.info("stager {}: transfer AUTO uses {}{}", describe(), chosen != null ? "rsync" : "SFTP",
                    chosen != null ? "" : " (" + why + ")");
        }
        synchronized (lock) {
            if (!decided) {
                rsync = chosen;
                decided = true;
            }
            return rsync;
        }
    }
}
