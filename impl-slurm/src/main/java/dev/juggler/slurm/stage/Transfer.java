package dev.juggler.slurm.stage;

/**
 * How {@link SftpVideoStager} moves the bytes of a video to the cluster. Only the byte transfer
 * differs: the resumable {@code <name>.part} file, the size and {@code sha256sum} checks, the atomic
 * rename, the budget and its reservations are the same whatever is chosen. Immutable and thread-safe.
 */
public enum Transfer {
    /**
     * rsync where it can be used (see {@link #RSYNC}), else {@link #SFTP}. Decided once per stager, on the
     * first upload: a local {@code rsync} on the {@code PATH}, {@code command -v rsync} succeeding on the
     * remote host, and an {@link dev.juggler.slurm.ssh.SshConfig} that OpenSSH can use non-interactively.
     */
    AUTO,
    /** SFTP over the stager's {@link dev.juggler.slurm.ssh.SshClient} connection. The default. */
    SFTP,
    /**
     * A local {@code rsync} child process over OpenSSH ({@code ssh} on the {@code PATH}) with the key,
     * port and known_hosts file of the configured {@link dev.juggler.slurm.ssh.SshConfig}, host keys
     * verified strictly and no prompts ({@code BatchMode}). Needs a key file without passphrase, no
     * jump host and {@code rsync} on both sides; the stager's builder refuses a configuration that
     * cannot work, and {@link #AUTO} falls back to SFTP instead.
     */
    RSYNC
}
