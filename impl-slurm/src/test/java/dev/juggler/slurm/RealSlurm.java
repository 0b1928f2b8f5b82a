package dev.juggler.slurm;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import dev.juggler.slurm.ssh.SshConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the real SLURM + sshd that scripts/setup.d/40-slurm-sshd.sh brings up (from the
 * environment). Tests call {@link #require()}: absent settings skip the test with a one-line reason,
 * or fail it when {@code CI=true}, so CI can never go green without the real cluster.
 */
public final class RealSlurm {

    public final String host = System.getenv("JUGGLER_SLURM_SSH_HOST");
    public final int port = Integer.parseInt(env("JUGGLER_SLURM_SSH_PORT", "22"));
    public final String user = System.getenv("JUGGLER_SLURM_SSH_USER");
    public final Path key = path("JUGGLER_SLURM_SSH_KEY");
    public final Path knownHosts = path("JUGGLER_SLURM_SSH_KNOWN_HOSTS");
    public final Path wrongKnownHosts = path("JUGGLER_SLURM_SSH_WRONG_KNOWN_HOSTS");
    public final String partition = System.getenv("JUGGLER_SLURM_PARTITION");
    public final String workdir = System.getenv("JUGGLER_SLURM_WORKDIR");
    public final String control = System.getenv("JUGGLER_SLURM_CONTROL");

    private RealSlurm() {
    }

    public static RealSlurm require() {
        RealSlurm s = new RealSlurm();
        if (s.host == null || s.user == null || s.key == null || s.knownHosts == null || s.workdir == null) {
            String reason = "no real SLURM/sshd (JUGGLER_SLURM_SSH_* unset): run scripts/setup.d/40-slurm-sshd.sh as root "
                    + "and source its settings (scripts/full-test.sh does both)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but " + reason);
            }
            abort(reason);
        }
        return s;
    }

    public SshConfig.Builder ssh() {
        return SshConfig.builder(host, user).port(port).identity(key).knownHosts(knownHosts).useAgent(false)
                .connectTimeout(Duration.ofSeconds(10)).commandTimeout(Duration.ofSeconds(60)).maxChannels(8);
    }

    public static boolean slow() {
        // CI has the time (the whole run is minutes of a 90-minute budget); a developer opts in.
        return Boolean.getBoolean("juggler.slurm.slow") || "true".equalsIgnoreCase(System.getenv("JUGGLER_SLURM_SLOW"))
                || "true".equalsIgnoreCase(System.getenv("CI"));
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? fallback : v;
    }

    private static Path path(String name) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? null : Path.of(v);
    }
}
