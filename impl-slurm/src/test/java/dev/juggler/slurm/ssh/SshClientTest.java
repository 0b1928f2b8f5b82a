package dev.juggler.slurm.ssh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.KeyPair;
import dev.juggler.InvalidConfigException;
import dev.juggler.UnavailableException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SSH layer against the in-process MINA SSHD server. */
@org.junit.jupiter.api.Timeout(value = 30, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class SshClientTest {

    @TempDir
    static Path tmp;
    static MinaServer server;

    @BeforeAll
    static void up() throws Exception {
        server = new MinaServer(Files.createDirectories(tmp.resolve("ssh")));
    }

    @AfterAll
    static void down() throws Exception {
        server.close();
    }

    @Test
    void execReturnsExitCodeStdoutStderrAndTakesStdin() {
        try (SshClient c = SshClient.open(server.config().build())) {
            ExecResult r = c.exec(RemoteCommand.script("echo out; echo err >&2; exit 7", List.of()));
            assertEquals(7, r.exitCode());
            assertEquals("out\n", r.out());
            assertEquals("err\n", r.err());
        }
    }

    @Test
    void stdinReachesTheCommand() {
        try (SshClient c = SshClient.open(server.config().build())) {
            byte[] big = new byte[4000];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) ('a' + i % 26);
            }
            // head stops after N bytes: the in-process server does not pass stdin's EOF on to the process.
            ExecResult cat = c.exec(RemoteCommand.of("head", "-c", String.valueOf(big.length)).withStdin(big));
            assertTrue(cat.ok());
            assertArrayEquals(big, cat.stdout());
        }
    }

    @Test
    void oneConnectionManyCommandsWithABoundOnChannels() throws Exception {
        int sessionsBefore = server.activeSessions();
        try (SshClient c = SshClient.open(server.config().maxChannels(3).build())) {
            // Each command records how many others hold a file in `dir`; a file exists only while its
            // command runs (removed before exit), so the count can only under-, never over-estimate.
            String dir = tmp.resolve("conc-" + System.nanoTime()).toString();
            Files.createDirectories(Path.of(dir));
            String script = "n=$(ls \"$1\" | wc -l); echo \"$n\"; touch \"$1/$$\"; sleep 0.15; rm \"$1/$$\"";
            ExecutorService pool = Executors.newFixedThreadPool(12);
            int max = 0;
            try {
                List<Future<ExecResult>> all = new ArrayList<>();
                for (int i = 0; i < 24; i++) {
                    all.add(pool.submit(() -> c.exec(RemoteCommand.script(script, List.of(dir)))));
                }
                for (Future<ExecResult> f : all) {
                    ExecResult r = f.get();
                    assertTrue(r.ok(), r.err());
                    max = Math.max(max, Integer.parseInt(r.out().trim()) + 1);
                }
            } finally {
                pool.shutdownNow();
            }
            assertTrue(max <= 3, "at most 3 channels at once, saw " + max);
            assertTrue(max >= 2, "commands did run in parallel: " + max);
            assertTrue(server.activeSessions() - sessionsBefore <= 1, "one reused connection");
        }
    }

    @Test
    void commandTimeoutIsTransient() {
        try (SshClient c = SshClient.open(server.config().build())) {
            long t0 = System.nanoTime();
            UnavailableException e = assertThrows(UnavailableException.class,
                    () -> c.exec(RemoteCommand.of("sleep", "10").withTimeout(Duration.ofMillis(300))));
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos());
            assertTrue(e.isTransient());
            assertTrue(c.exec(RemoteCommand.of("true")).ok(), "the connection is still usable");
        }
    }

    @Test
    void reconnectsAfterTheServerRestartsAndSaysSinceWhenItWasDown() throws Exception {
        MinaServer own = new MinaServer(Files.createDirectories(tmp.resolve("restart")));
        int port = own.port();
        try (SshClient c = SshClient.open(own.config().connectTimeout(Duration.ofSeconds(2)).build())) {
            assertTrue(c.exec(RemoteCommand.of("true")).ok());
            own.stop();
            UnavailableException first = assertThrows(UnavailableException.class, () -> c.exec(RemoteCommand.of("true")));
            assertTrue(first.since().isPresent());
            UnavailableException second = assertThrows(UnavailableException.class, () -> c.exec(RemoteCommand.of("true")));
            assertEquals(first.since(), second.since(), "since = start of the outage");
            assertEquals(first.since(), c.unavailableSince());
            own.start(port);
            assertTrue(c.exec(RemoteCommand.of("true")).ok());
            assertTrue(c.unavailableSince().isEmpty());
        } finally {
            own.stop();
        }
    }

    @Test
    void unreachableHostIsUnavailable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (SshClient c = SshClient.open(server.config().port(port).connectTimeout(Duration.ofSeconds(2)).build())) {
            UnavailableException e = assertThrows(UnavailableException.class, () -> c.exec(RemoteCommand.of("true")));
            assertTrue(e.since().isPresent());
            assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        }
    }

    @Test
    void unknownHostKeyIsRefusedByDefaultAndAcceptedOnlyWhenAsked() throws Exception {
        Path empty = tmp.resolve("empty_known_hosts");
        Files.writeString(empty, "");
        try (SshClient c = SshClient.open(server.config().knownHosts(empty).build())) {
            SshRefusedException e = assertThrows(SshRefusedException.class, () -> c.exec(RemoteCommand.of("true")));
            assertFalse(e.isTransient());
        }
        Path fresh = tmp.resolve("new_known_hosts");
        try (SshClient c = SshClient.open(server.config().knownHosts(fresh).acceptNewHostKeys(true).build())) {
            assertTrue(c.exec(RemoteCommand.of("true")).ok());
        }
        assertTrue(Files.readString(fresh).contains("[127.0.0.1]:" + server.port()), "the new key was recorded");
        try (SshClient c = SshClient.open(server.config().knownHosts(fresh).build())) {
            assertTrue(c.exec(RemoteCommand.of("true")).ok(), "and is trusted from now on");
        }
        // An existing (here: empty) known_hosts file is rewritten by JSch itself: the key must appear once.
        try (SshClient c = SshClient.open(server.config().knownHosts(empty).acceptNewHostKeys(true).build())) {
            assertTrue(c.exec(RemoteCommand.of("true")).ok());
        }
        long entries = Files.readAllLines(empty).stream().filter(l -> l.contains("[127.0.0.1]:" + server.port())).count();
        assertEquals(1, entries, Files.readString(empty));
    }

    @Test
    void changedHostKeyIsRefusedEvenWhenNewKeysAreAccepted() throws Exception {
        MinaServer other = new MinaServer(Files.createDirectories(tmp.resolve("other")));
        try {
            Path wrong = tmp.resolve("wrong_known_hosts");
            other.writeKnownHosts(wrong);
            // The other server's key, listed for our server's address.
            Files.writeString(wrong, Files.readString(wrong).replace("]:" + other.port() + " ", "]:" + server.port() + " "));
            try (SshClient c = SshClient.open(server.config().knownHosts(wrong).acceptNewHostKeys(true).build())) {
                SshRefusedException e = assertThrows(SshRefusedException.class, () -> c.exec(RemoteCommand.of("true")));
                assertTrue(e.getMessage().contains("CHANGED"), e.getMessage());
            }
        } finally {
            other.close();
        }
    }

    @Test
    void passphraseProtectedKeyWorksAndThePassphraseNeverShows() throws Exception {
        String secret = "s3cr3t-Passphrase-xyz";
        Path dir = Files.createDirectories(tmp.resolve("pp"));
        KeyPair pair = KeyPair.genKeyPair(new JSch(), KeyPair.RSA, 2048);
        pair.writePrivateKey(dir.resolve("id_rsa").toString(), secret.getBytes(StandardCharsets.UTF_8));
        pair.writePublicKey(dir.resolve("id_rsa.pub").toString(), "pp");
        Files.writeString(server.dir.resolve("authorized_keys"),
                Files.readString(server.dir.resolve("authorized_keys")) + Files.readString(dir.resolve("id_rsa.pub")));
        SshConfig ok = SshConfig.builder("127.0.0.1", System.getProperty("user.name")).port(server.port())
                .identity(dir.resolve("id_rsa")).passphrase(secret.toCharArray()).knownHosts(server.knownHosts)
                .useAgent(false).build();
        assertFalse(ok.toString().contains(secret));
        try (SshClient c = SshClient.open(ok)) {
            assertTrue(c.exec(RemoteCommand.of("true")).ok());
            assertFalse(c.toString().contains(secret));
        }
        String wrong = "wrong-" + secret;
        SshRefusedException e = assertThrows(SshRefusedException.class, () -> SshClient.open(
                SshConfig.builder("127.0.0.1", "u").port(server.port()).identity(dir.resolve("id_rsa"))
                        .passphrase(wrong.toCharArray()).knownHosts(server.knownHosts).useAgent(false).build()));
        assertFalse(String.valueOf(e.getMessage()).contains(wrong), e.getMessage());
        assertFalse(String.valueOf(e.getMessage()).contains(secret), e.getMessage());
    }

    @Test
    void configChecksNameTheField() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> SshConfig.builder("h", "u").port(0));
        assertTrue(e.getMessage().startsWith("port = 0"), e.getMessage());
        assertThrows(InvalidConfigException.class, () -> SshConfig.builder("h", "u").useAgent(false).build());
        assertThrows(InvalidConfigException.class, () -> SshConfig.builder("h", "u").maxChannels(0));
        assertThrows(InvalidConfigException.class, () -> SshConfig.builder("bad host", "u"));
    }

    @Test
    void sftpOperations() {
        try (SshClient c = SshClient.open(server.config().build())) {
            String dir = tmp.resolve("sftp/a/b").toString();
            c.files().mkdirs(dir);
            c.files().mkdirs(dir);
            String f = dir + "/x y'z";
            assertTrue(c.files().size(f).isEmpty());
            c.files().write(new java.io.ByteArrayInputStream("hello ".getBytes()), f, false, null);
            c.files().write(new java.io.ByteArrayInputStream("world".getBytes()), f, true, null);
            assertEquals(11, c.files().size(f).getAsLong());
            c.files().rename(f, dir + "/done");
            assertEquals(List.of(new RemoteFiles.Entry("done", 11)), c.files().list(dir));
            assertTrue(c.files().remove(dir + "/done"));
            assertFalse(c.files().remove(dir + "/done"));
            assertTrue(c.files().list(dir + "/missing").isEmpty());
        }
    }
}
