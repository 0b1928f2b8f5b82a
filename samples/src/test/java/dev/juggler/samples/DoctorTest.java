package dev.juggler.samples;

import static dev.juggler.samples.TestServers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

import dev.juggler.samples.TestServers.CliRun;
import dev.juggler.samples.TestServers.Env;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code juggler doctor} against the real single-node SLURM (over the real sshd on 127.0.0.1) and the real
 * PostgreSQL: a good config passes with a real probe job that reaches the ledger from the compute node; a wrong
 * host key, a missing partition, an unreachable ledger and a budget above the free space each FAIL with a clear
 * line and exit 1.
 */
class DoctorTest {

    @TempDir
    Path dir;

    @Test
    void aGoodConfigPassesWithAProbeJobThatReachesTheLedgerFromTheComputeNode() throws IOException {
        Env env = Env.require();
        CliRun r = cli("doctor", "--config", config(env, Settings.good(env)).toString());
        System.out.println(r.out());
        assertEquals(JugglerCli.OK, r.code(), r.out());
        assertFalse(r.out().lines().anyMatch(l -> l.startsWith("FAIL")), r.out());
        assertTrue(line(r.out(), "probe.job").startsWith("ok") && line(r.out(), "probe.job").contains("ledger ok"), r.out());
        for (String check : List.of("config", "ssh.reachable", "ssh.hostKey", "ssh.login", "slurm.sbatch", "slurm.squeue",
                "partition", "partition.maxTime", "workspace.dir", "workspace.space", "ledger", "clock")) {
            assertTrue(line(r.out(), check).startsWith("ok "), check + ":\n" + r.out());
        }
        assertFalse(r.out().contains(env.password()), "no secret in the output");
    }

    @Test
    void aWrongHostKeyFailsWithTheFix() throws IOException {
        Env env = Env.require();
        String wrong = env.wrongKnownHosts();
        if (wrong == null) {
            abort("JUGGLER_SLURM_SSH_WRONG_KNOWN_HOSTS unset");
        }
        Settings s = Settings.good(env);
        s.knownHosts = wrong;
        CliRun r = cli("doctor", "--no-probe-job", "--config", config(env, s).toString());
        System.out.println(r.out());
        assertEquals(JugglerCli.FAILED, r.code(), r.out());
        String hostKey = line(r.out(), "ssh.hostKey");
        assertTrue(hostKey.startsWith("FAIL") && hostKey.contains("does NOT MATCH") && hostKey.contains("ssh-keygen -R"), r.out());
        assertTrue(line(r.out(), "ssh.login").startsWith("skip"), r.out());
        assertTrue(line(r.out(), "partition").startsWith("skip"), r.out());
    }

    @Test
    void aMissingPartitionFailsNamingTheExistingOnes() throws IOException {
        Env env = Env.require();
        Settings s = Settings.good(env);
        s.partition = "no-such-partition";
        CliRun r = cli("doctor", "--config", config(env, s).toString());
        System.out.println(r.out());
        assertEquals(JugglerCli.FAILED, r.code(), r.out());
        String p = line(r.out(), "partition");
        assertTrue(p.startsWith("FAIL") && p.contains("no-such-partition") && p.contains("does not exist")
                && p.contains(env.partition() == null ? "" : env.partition()), r.out());
        assertTrue(line(r.out(), "probe.job").startsWith("skip"), "the probe job depends on the partition:\n" + r.out());
    }

    @Test
    void anUnreachableLedgerFailsWithTheDriversFirstLineAndNoPassword() throws IOException {
        Env env = Env.require();
        Settings s = Settings.good(env);
        s.pgUrl = "jdbc:postgresql://127.0.0.1:1/juggler_test";
        CliRun r = cli("doctor", "--config", config(env, s).toString());
        System.out.println(r.out());
        assertEquals(JugglerCli.FAILED, r.code(), r.out());
        String ledger = line(r.out(), "ledger");
        assertTrue(ledger.startsWith("FAIL") && ledger.contains("127.0.0.1:1") && ledger.contains("fix:"), r.out());
        assertTrue(line(r.out(), "probe.job").startsWith("skip"), r.out());
        assertFalse(r.out().contains(env.password()), "no secret in the output");
    }

    @Test
    void aBudgetAboveTheFreeSpaceFailsNamingBothNumbers() throws IOException {
        Env env = Env.require();
        Settings s = Settings.good(env);
        s.budget = "1000PB";
        CliRun r = cli("doctor", "--no-probe-job", "--config", config(env, s).toString());
        System.out.println(r.out());
        assertEquals(JugglerCli.FAILED, r.code(), r.out());
        String space = line(r.out(), "workspace.space");
        assertTrue(space.startsWith("FAIL") && space.contains("1000000000000000000 bytes") && space.contains("free ")
                && space.contains("lower workspace.budget"), r.out());
        assertTrue(line(r.out(), "probe.job").startsWith("skip") && line(r.out(), "probe.job").contains("--no-probe-job"), r.out());
    }

    /** The line of one check (the check name is the second column). */
    private static String line(String out, String check) {
        return out.lines().filter(l -> l.length() > 6 && l.substring(6).startsWith(check + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no line for " + check + ":\n" + out));
    }

    private static final class Settings {
        String pgUrl;
        String knownHosts;
        String partition;
        String budget = "1GB";

        static Settings good(Env env) {
            Settings s = new Settings();
            s.pgUrl = env.pgUrl();
            s.knownHosts = env.knownHosts();
            s.partition = env.partition();
            return s;
        }
    }

    private Path config(Env env, Settings s) throws IOException {
        String id = UUID.randomUUID().toString().substring(0, 8);
        Path config = dir.resolve("juggler-" + id + ".yaml");
        Files.writeString(config, String.join("\n",
                "ledger:",
                "  url: " + s.pgUrl,
                "  user: " + env.pgUser(),
                "  passwordEnv: JUGGLER_PG_PASSWORD",
                "  tablePrefix: doc" + id.substring(0, 6) + "_",
                "cluster:",
                "  type: slurm",
                "  ssh: " + env.sshYaml(s.knownHosts),
                s.partition == null ? "" : "  partition: " + s.partition,
                "  timeLimit: 10m",
                "  outputDirectory: " + env.workdir() + "/doctor-jobs-" + id,
                "  tag: doctor-" + id,
                "workspace: {type: sftp, directory: " + env.workdir() + "/doctor-ws-" + id + ", budget: " + s.budget + "}",
                "worker:",
                "  analysis: marker-pose",
                "  java: " + Env.java(),
                "  jvmOptions: [-Xmx256m, -XX:+UseSerialGC, -XX:TieredStopAtLevel=1]",
                ""));
        return config;
    }



}
