package dev.juggler.slurm.ssh;

import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSch implementation of {@link SshClient}, put together from its parts: one {@link JschConnection}
 * (the session, opened lazily and reopened when broken, and the channel permits), {@link JschExec} (a command
 * on an exec channel with bounded output and a time limit), {@link JschRemoteFiles} (SFTP operations) and
 * {@link KnownHostsVerifier} (host keys). Thread-safe.
 */
final class JschSshClient implements SshClient {

    private static final Logger LOG = LoggerFactory.getLogger(JschSshClient.class);

    private final JschConnection connection;
    private final JschExec exec;
    private final RemoteFiles files;

    JschSshClient(SshConfig config) {
        this.connection = new JschConnection(config);
        this.exec = new JschExec(connection);
        this.files = new JschRemoteFiles(connection, exec);
    }

    @Override
    public String target() {
        return connection.target();
    }

    @Override
    public Optional<Instant> unavailableSince() {
        return connection.unavailableSince();
    }

    @Override
    public RemoteFiles files() {
        return files;
    }

    @Override
    public ExecResult exec(RemoteCommand command) {
        return exec.run(command);
    }

    @Override
    public void close() {
        connection.close();
        LOG.debug("SSH client for {} closed", target());
    }

    @Override
    public String toString() {
        return "SshClient[" + target() + "]";
    }
}
