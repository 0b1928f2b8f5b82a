package dev.juggler.slurm.ssh;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.KeyPair;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.file.nativefs.NativeFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.config.keys.AuthorizedKeysAuthenticator;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.shell.ProcessShellFactory;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * An in-process SSH + SFTP server (Apache MINA SSHD) on 127.0.0.1 for unit tests: exec runs the
 * command through {@code /bin/sh -c} like OpenSSH does, SFTP sees the real file system, login by an
 * RSA key that JSch generates (so no ssh-keygen is needed). Counts commands running at once.
 */
final class MinaServer implements AutoCloseable {

    final Path dir;
    final Path clientKey;
    final Path knownHosts;
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    final AtomicInteger commands = new AtomicInteger();
    private final Path hostKey;
    private SshServer server;
    private int port;

    MinaServer(Path dir) throws Exception {
        this.dir = dir;
        this.clientKey = dir.resolve("id_rsa");
        this.knownHosts = dir.resolve("known_hosts");
        this.hostKey = dir.resolve("host.ser");
        KeyPair pair = KeyPair.genKeyPair(new JSch(), KeyPair.RSA, 2048);
        pair.writePrivateKey(clientKey.toString());
        pair.writePublicKey(dir.resolve("authorized_keys").toString(), "test");
        start(0);
        writeKnownHosts(knownHosts);
    }

    int port() {
        return port;
    }

    void start(int fixedPort) throws IOException {
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(fixedPort);
        SimpleGeneratorHostKeyProvider keys = new SimpleGeneratorHostKeyProvider(hostKey);
        keys.setAlgorithm("EC");
        server.setKeyPairProvider(keys);
        server.setPublickeyAuthenticator(new AuthorizedKeysAuthenticator(dir.resolve("authorized_keys")));
        server.setFileSystemFactory(NativeFileSystemFactory.INSTANCE);
        server.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
        server.setCommandFactory((ChannelSession channel, String command) -> {
            Command shell = new ProcessShellFactory(command, "/bin/sh", "-c", command).createShell(channel);
            commands.incrementAndGet();
            return new CountingCommand(shell, running, maxRunning);
        });
        server.start();
        port = server.getPort();
    }

    int activeSessions() {
        return server.getActiveSessions().size();
    }

    void stop() throws IOException {
        server.stop(true);
    }

    void writeKnownHosts(Path file) throws Exception {
        KeyPairProvider provider = server.getKeyPairProvider();
        PublicKey key = provider.loadKeys(null).iterator().next().getPublic();
        Files.writeString(file, "[127.0.0.1]:" + port + " " + PublicKeyEntry.toString(key) + "\n", StandardCharsets.UTF_8);
    }

    SshConfig.Builder config() {
        return SshConfig.builder("127.0.0.1", System.getProperty("user.name")).port(port).identity(clientKey)
                .knownHosts(knownHosts).useAgent(false);
    }

    @Override
    public void close() throws IOException {
        stop();
    }
}
