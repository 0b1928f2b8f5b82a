package dev.juggler.samples;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * What the command-line tests share: the real servers' settings (prepared by scripts/full-test.sh) and a
 * way to run the command line in this JVM with its output captured.
 */
final class TestServers {

    private TestServers() {
    }

    /** What one command printed (standard output and error together) and its exit status. */
    record CliRun(int code, String out) {
    }

    /** Runs {@code juggler args…} in this JVM. */
    static CliRun cli(String... args) {
        StringWriter text = new StringWriter();
        CommandLine cli = JugglerCli.commandLine();
        cli.setOut(new PrintWriter(text, true));
        cli.setErr(new PrintWriter(text, true));
        int code = cli.execute(args);
        return new CliRun(code, text.toString());
    }

    /** The real SLURM (over sshd) and PostgreSQL test servers. */
    record Env(String host, String port, String user, String key, String knownHosts, String wrongKnownHosts,
            String partition, String workdir, String pgUrl, String pgUser, String password) {

        /** The settings; the test is skipped without them, and fails when CI=true. */
        static Env require() {
            Env e = new Env(System.getenv("JUGGLER_SLURM_SSH_HOST"), System.getenv().getOrDefault("JUGGLER_SLURM_SSH_PORT", "22"),
                    System.getenv("JUGGLER_SLURM_SSH_USER"), System.getenv("JUGGLER_SLURM_SSH_KEY"),
                    System.getenv("JUGGLER_SLURM_SSH_KNOWN_HOSTS"), System.getenv("JUGGLER_SLURM_SSH_WRONG_KNOWN_HOSTS"),
                    System.getenv("JUGGLER_SLURM_PARTITION"), System.getenv("JUGGLER_SLURM_WORKDIR"),
                    System.getenv("JUGGLER_PG_URL"), System.getenv("JUGGLER_PG_USER"), System.getenv("JUGGLER_PG_PASSWORD"));
            if (e.host == null || e.key == null || e.knownHosts == null || e.workdir == null || e.pgUrl == null
                    || e.password == null) {
                String reason = "no real SLURM/sshd/PostgreSQL (JUGGLER_SLURM_SSH_*, JUGGLER_PG_* unset): run "
                        + "scripts/full-test.sh as root";
                if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                    fail("CI=true but " + reason);
                }
                abort(reason);
            }
            return e;
        }

        /** The {@code ssh:} mapping of a SLURM cluster section, with the given known_hosts file. */
        String sshYaml(String knownHostsFile) {
            return "{host: " + host + ", port: " + port + ", user: " + user + ", identityFile: " + key + ", knownHosts: "
                    + knownHostsFile + "}";
        }

        /**
         * The {@code ledger:} (PostgreSQL, tables with {@code prefix}) and {@code cluster:} (this SLURM, jobs
         * tagged {@code tag}, output in {@code jobsDirectory}) sections of a config, as YAML text.
         */
        String ledgerAndSlurm(String prefix, String tag, String jobsDirectory) {
            return String.join("\n",
                    "ledger: {url: '" + pgUrl + "', user: " + pgUser + ", passwordEnv: JUGGLER_PG_PASSWORD, tablePrefix: "
                            + prefix + "}",
                    "cluster:",
                    "  type: slurm",
                    "  ssh: " + sshYaml(knownHosts),
                    partitionLine(),
                    "  timeLimit: 10m",
                    "  outputDirectory: " + jobsDirectory,
                    "  tag: " + tag,
                    "  minPollInterval: 1s");
        }

        /** The {@code partition:} line of a cluster section, or an empty line when the cluster has none set. */
        String partitionLine() {
            return partition == null ? "" : "  partition: " + partition;
        }

        /** This JVM's java executable, which the single-node cluster's jobs run too. */
        static String java() {
            return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        }
    }
}
