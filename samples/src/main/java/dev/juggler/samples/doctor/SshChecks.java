package dev.juggler.samples.doctor;

import dev.juggler.JugglerException;
import dev.juggler.samples.config.ClusterConfig;
import dev.juggler.samples.config.Escape;
import dev.juggler.slurm.ssh.ExecResult;
import dev.juggler.slurm.ssh.RemoteCommand;
import dev.juggler.slurm.ssh.SshClient;
import dev.juggler.slurm.ssh.SshRefusedException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The SSH checks: TCP reachability, host key, login, the SLURM commands and the clock skew. Stateless. */
public final class SshChecks {

    /** Bound of the TCP connect and the SSH handshake. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Bound of each remote command the doctor runs. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);

    private SshChecks() {
    }

    /** TCP connect to the SSH port (of the jump host, if any: that is where this machine connects). */
    public static Finding tcp(ClusterConfig.Ssh ssh) {
        ClusterConfig.Ssh first = ssh.jumpHost().orElse(ssh);
        String where = Escape.visible(first.host()) + ":" + first.port();
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(first.host(), first.port()), (int) CONNECT_TIMEOUT.toMillis());
            return Finding.ok("ssh.reachable", where + " accepts TCP connections (" + (System.nanoTime() - t0) / 1_000_000 + " ms)");
        } catch (IOException e) {
            return Finding.fail("ssh.reachable", "cannot connect to " + where + " within " + CONNECT_TIMEOUT.toSeconds()
                    + " s: " + Texts.firstLine(e), "check cluster.ssh.host/port, the VPN or firewall, and that sshd runs there");
        }
    }

    /** The outcome of logging in: the findings for the host key and the login, and the client when both passed. */
    public record Login(Finding hostKey, Finding login, Optional<SshClient> client) {
    }

    /** Connects (host key verification and login happen in the handshake) and runs {@code true}. */
    public static Login login(ClusterConfig.Ssh ssh) {
        String knownHosts = ssh.knownHosts().map(Object::toString).orElse("~/.ssh/known_hosts");
        SshClient client;
        try {
            client = SshClient.open(ssh.sshConfigBuilder().connectTimeout(CONNECT_TIMEOUT).commandTimeout(COMMAND_TIMEOUT).build());
        } catch (JugglerException e) {
            Finding f = Finding.fail("ssh.hostKey", "cannot set up SSH: " + Texts.firstLine(e),
                    "fix cluster.ssh (identityFile must be readable, or run an ssh-agent)");
            return new Login(f, Finding.skip("ssh.login", "SSH settings are unusable"), Optional.empty());
        }
        try {
            ExecResult r = client.exec(RemoteCommand.of("true"));
            Finding key = Finding.ok("ssh.hostKey", "host key of " + Escape.visible(client.target()) + " matches "
                    + Escape.visible(knownHosts));
            if (!r.ok()) {
                client.close();
                return new Login(key, Finding.fail("ssh.login", "logged in as " + Escape.visible(ssh.user()) + " but `true` exited "
                        + r.exitCode() + ": " + Texts.firstLine(r.err(), ""), "check the remote account's shell and startup files"),
                        Optional.empty());
            }
            return new Login(key, Finding.ok("ssh.login", "logged in as " + Escape.visible(ssh.user()) + " ("
                    + r.elapsed().toMillis() + " ms per command)"), Optional.of(client));
        } catch (SshRefusedException e) {
            client.close();
            String msg = Texts.firstLine(e);
            if (msg.startsWith("login as")) {
                return new Login(Finding.ok("ssh.hostKey", "host key of " + Escape.visible(client.target()) + " accepted"),
                        Finding.fail("ssh.login", msg, "authorize the public key of cluster.ssh.identityFile in the remote "
                                + "~/.ssh/authorized_keys (ssh-copy-id), or fix cluster.ssh.user"), Optional.empty());
            }
            return new Login(hostKeyFailure(ssh, knownHosts, msg), Finding.skip("ssh.login", "the host key was refused"),
                    Optional.empty());
        } catch (JugglerException e) {
            client.close();
            return new Login(Finding.fail("ssh.hostKey", "the SSH handshake with " + Escape.visible(client.target())
                    + " failed: " + Texts.firstLine(e), "check that cluster.ssh.port is an SSH server and that it "
                    + "answers within " + CONNECT_TIMEOUT.toSeconds() + " s"), Finding.skip("ssh.login", "no SSH handshake"),
                    Optional.empty());
        }
    }

    private static Finding hostKeyFailure(ClusterConfig.Ssh ssh, String knownHosts, String msg) {
        String entry = ssh.port() == 22 ? ssh.host() : "[" + ssh.host() + "]:" + ssh.port();
        String kh = Escape.quoted(knownHosts);
        if (msg.contains("CHANGED") || msg.toLowerCase(java.util.Locale.ROOT).contains("changed")) {
            return Finding.fail("ssh.hostKey", "the host key of " + Escape.visible(entry) + " does NOT MATCH the one in "
                    + kh + " (possible man-in-the-middle, or the server was reinstalled)",
                    "ask the cluster's admins for the real key fingerprint; only if it matches `ssh-keyscan -p " + ssh.port()
                            + " " + Escape.visible(ssh.host()) + " | ssh-keygen -lf -`, replace the old entry: ssh-keygen -R '"
                            + Escape.visible(entry) + "' -f " + kh + " && ssh-keyscan -p " + ssh.port() + " "
                            + Escape.visible(ssh.host()) + " >> " + kh);
        }
        return Finding.fail("ssh.hostKey", "the host key of " + Escape.visible(entry) + " is not in " + kh + ": " + msg,
                "verify the fingerprint with the admins, then add it: ssh-keyscan -p " + ssh.port() + " "
                        + Escape.visible(ssh.host()) + " >> " + kh + " (or set cluster.ssh.acceptNewHostKeys: true)");
    }

    /** {@code sbatch}, {@code squeue} present with versions; {@code sacct} usable (accounting on) or a WARN. */
    public static List<Finding> tools(SshClient ssh) {
        Finding sbatch = tool(ssh, "sbatch");
        Finding squeue = tool(ssh, "squeue");
        Finding sacct = tool(ssh, "sacct");
        if (sacct.verdict() == Verdict.FAIL) {
            sacct = Finding.warn("slurm.sacct", sacct.found(), "install the SLURM accounting client; without sacct, jobs "
                    + "that vanish from squeue are reported as gone instead of their exact final state");
        } else {
            ExecResult r = ssh.exec(RemoteCommand.of("sacct", "-n", "-X", "-o", "JobID", "-S", "now").withTimeout(COMMAND_TIMEOUT));
            if (!r.ok()) {
                sacct = Finding.warn("slurm.sacct", sacct.found() + " but unusable: " + Texts.firstLine(r.err() + r.out(),
                        "exit " + r.exitCode()), "ask the admins for job accounting (slurmdbd); until then the final "
                        + "state of a job that left squeue is reported as gone");
            }
        }
        return List.of(sbatch, squeue, sacct);
    }

    private static Finding tool(SshClient ssh, String name) {
        ExecResult r = ssh.exec(RemoteCommand.script("command -v \"$1\" >/dev/null 2>&1 || exit 127; \"$1\" --version",
                List.of(name)).withTimeout(COMMAND_TIMEOUT));
        if (r.exitCode() == 127) {
            return Finding.fail("slurm." + name, name + " is not on the PATH of a non-interactive SSH login",
                    "install the SLURM client commands, or add their directory to PATH in the remote ~/.bashrc "
                            + "(non-interactive part)");
        }
        if (!r.ok()) {
            return Finding.fail("slurm." + name, name + " --version exited " + r.exitCode() + ": "
                    + Texts.firstLine(r.err() + r.out(), ""), "check the SLURM installation on the login node");
        }
        return Finding.ok("slurm." + name, Texts.firstLine(r.out(), name + " (no version printed)"));
    }

    /** Clock skew via {@code date +%s%N}, the best of three round trips, half the round trip compensated. */
    public static Finding clockSkew(SshClient ssh) {
        long bestRtt = Long.MAX_VALUE;
        long skew = 0;
        for (int i = 0; i < 3; i++) {
            long before = System.currentTimeMillis();
            long t0 = System.nanoTime();
            ExecResult r = ssh.exec(RemoteCommand.of("date", "+%s%N").withTimeout(COMMAND_TIMEOUT));
            long rtt = System.nanoTime() - t0;
            String out = r.out().trim();
            if (!r.ok() || !out.matches("[0-9]{10,}")) {
                return Finding.warn("clock", "cannot read the cluster's clock (`date +%s%N` gave " + Escape.quoted(out) + ")",
                        "make sure the login node has GNU date");
            }
            long remoteMillis = Long.parseLong(out) / 1_000_000L;
            long localMid = before + rtt / 2_000_000L;
            if (rtt < bestRtt) {
                bestRtt = rtt;
                skew = remoteMillis - localMid;
            }
        }
        String found = String.format(java.util.Locale.ROOT, "cluster clock is %+.3f s from this machine's (round trip %d ms)",
                skew / 1000.0, bestRtt / 1_000_000);
        long abs = Math.abs(skew);
        if (abs > 60_000) {
            return Finding.fail("clock", found, "synchronize the clocks (NTP/chrony) on both machines: leases and time "
                    + "budgets depend on them");
        }
        if (abs > 5_000) {
            return Finding.warn("clock", found, "run NTP/chrony here and on the cluster; lease times lose this much precision");
        }
        return Finding.ok("clock", found);
    }
}
