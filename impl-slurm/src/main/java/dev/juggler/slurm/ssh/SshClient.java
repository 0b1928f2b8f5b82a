package dev.juggler.slurm.ssh;

import java.time.Instant;
import java.util.Optional;

/**
 * One SSH connection to one host, reused for many commands and file transfers (each on its own
 * channel, at most {@link SshConfig#maxChannels()} at once; further callers wait). The connection is
 * opened on first use and reopened automatically after it breaks.
 *
 * <p>Failures: a host that cannot be reached, a broken connection or a command that exceeds its time
 * limit throw {@link dev.juggler.UnavailableException} (transient) carrying the instant since which
 * the host has been failing; a refused host key or login throws {@link SshRefusedException}
 * (permanent). A command that runs and exits non-zero is not a failure: see {@link ExecResult}.
 *
 * <p>Implementations are thread-safe. Get the JSch-based one from {@link #open(SshConfig)}.
 */
public interface SshClient extends AutoCloseable {

    /**
     * A client for {@code config}. Does not connect yet: the first command does, so building a backend
     * never fails because the cluster happens to be down.
     */
    static SshClient open(SshConfig config) {
        return new JschSshClient(config);
    }

    /**
     * Runs the command and waits for it to end (or for its time limit: the channel is closed, the
     * remote process gets SIGHUP, and an {@link dev.juggler.UnavailableException} is thrown).
     */
    ExecResult exec(RemoteCommand command);

    /** SFTP operations over this connection. */
    RemoteFiles files();

    /** When the host started failing in the current outage; empty while it answers. */
    Optional<Instant> unavailableSince();

    /** {@code user@host:port}: for messages. */
    String target();

    /** Closes the connection; later calls fail. Idempotent. */
    @Override
    void close();
}
