package dev.juggler.slurm.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.juggler.slurm.RealSlurm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SSH layer against the real OpenSSH server of the test setup (ed25519 client key, its own host key). */
class RealSshTest {

    static RealSlurm slurm;

    @BeforeAll
    static void up() {
        slurm = RealSlurm.require();
    }

    @Test
    void wrongHostKeyIsRefused() {
        assumeTrue(slurm.wrongKnownHosts != null && Files.exists(slurm.wrongKnownHosts), "no wrong known_hosts file");
        try (SshClient c = SshClient.open(slurm.ssh().knownHosts(slurm.wrongKnownHosts).acceptNewHostKeys(true).build())) {
            SshRefusedException e = assertThrows(SshRefusedException.class, () -> c.exec(RemoteCommand.of("true")));
            assertFalse(e.isTransient());
        }
    }

    @Test
    void hostileArgumentsIncludingUnicodeArriveByteExactThroughOpenSsh() {
        long seed = Long.getLong("juggler.quote.seed", System.nanoTime());
        Random random = new Random(seed);
        String marker = slurm.workdir + "/quote-marker-" + seed;
        try (SshClient c = SshClient.open(slurm.ssh().build())) {
            for (int round = 0; round < 60; round++) {
                List<String> args = ShellQuoteTest.hostileArgs(random, Path.of(marker));
                List<String> argv = new ArrayList<>(List.of("printf", "%s\\0"));
                argv.addAll(args);
                ExecResult r = c.exec(RemoteCommand.of(argv));
                assertEquals(0, r.exitCode(), "seed " + seed + ": " + r.err());
                assertEquals(args, ShellQuoteTest.split(r.stdout()), "seed " + seed + " round " + round);
            }
            assertFalse(c.exec(RemoteCommand.of("test", "-e", marker)).ok(), "nothing unintended ran (seed " + seed + ")");
        }
    }

    @Test
    void stdinWithEofAndBigOutput() {
        byte[] big = new byte[RemoteCommand.MAX_STDIN_BYTES];
        new Random(1).nextBytes(big);
        try (SshClient c = SshClient.open(slurm.ssh().build())) {
            ExecResult r = c.exec(RemoteCommand.of("cat").withStdin(big));
            assertTrue(r.ok(), r.err());
            org.junit.jupiter.api.Assertions.assertArrayEquals(big, r.stdout());
            ExecResult many = c.exec(RemoteCommand.of("head", "-c", "5000000", "/dev/zero"));
            assertEquals(5_000_000, many.stdout().length);
        }
    }

    @Test
    void jumpHostReachesTheTargetThroughADirectTcpChannel() {
        SshConfig jump = slurm.ssh().build();
        try (SshClient c = SshClient.open(slurm.ssh().jumpHost(jump).build())) {
            ExecResult r = c.exec(RemoteCommand.of("sh", "-c", "echo $SSH_CONNECTION"));
            assertTrue(r.ok(), r.err());
            assertTrue(r.out().startsWith("127.0.0.1"), r.out());
        }
    }
}
