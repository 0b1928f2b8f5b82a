package dev.juggler.samples.doctor;

import dev.juggler.samples.config.ClusterConfig;
import dev.juggler.samples.config.Escape;
import dev.juggler.samples.config.Units;
import dev.juggler.slurm.ssh.ExecResult;
import dev.juggler.slurm.ssh.RemoteCommand;
import dev.juggler.slurm.ssh.SshClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The partition: exists, MaxTime ≥ cluster.timeLimit, GPUs there when cluster.gpus > 0. Stateless. */
public final class PartitionCheck {

    private static final Pattern GPU = Pattern.compile("gpu(?::[^:,()]+)?:(\\d+)");

    private PartitionCheck() {
    }

    /** Runs the checks; the first finding is the partition's existence (when it fails, the rest are skipped). */
    public static List<Finding> run(SshClient ssh, ClusterConfig.Slurm slurm) {
        List<Finding> out = new ArrayList<>();
        ExecResult all = ssh.exec(RemoteCommand.of("scontrol", "show", "partition", "-o").withTimeout(SshChecks.COMMAND_TIMEOUT));
        if (!all.ok()) {
            out.add(Finding.fail("partition", "`scontrol show partition` exited " + all.exitCode() + ": "
                    + Texts.firstLine(all.err() + all.out(), ""), "check that slurmctld answers (scontrol ping)"));
            return out;
        }
        List<Map<String, String>> partitions = all.out().lines().filter(l -> l.startsWith("PartitionName=")).map(PartitionCheck::fields).toList();
        List<String> names = partitions.stream().map(p -> p.get("PartitionName")).toList();
        Optional<Map<String, String>> found = slurm.partition().isPresent()
                ? partitions.stream().filter(p -> p.get("PartitionName").equals(slurm.partition().get())).findFirst()
                : partitions.stream().filter(p -> "YES".equals(p.get("Default"))).findFirst();
        if (found.isEmpty()) {
            String given = slurm.partition().map(Escape::quoted).orElse("(the default partition)");
            out.add(Finding.fail("partition", "partition " + given + " does not exist; the cluster has: "
                    + Escape.visible(String.join(", ", names)), "set cluster.partition to one of: "
                    + Escape.visible(String.join(", ", names))));
            out.add(Finding.skip("partition.maxTime", "no such partition"));
            if (slurm.gpus() > 0) {
                out.add(Finding.skip("partition.gpus", "no such partition"));
            }
            return out;
        }
        Map<String, String> p = found.get();
        String name = p.get("PartitionName");
        String state = p.getOrDefault("State", "?");
        String nodes = p.getOrDefault("TotalNodes", "?") + " node(s), " + p.getOrDefault("TotalCPUs", "?") + " CPUs";
        if (!"UP".equals(state)) {
            out.add(Finding.warn("partition", Escape.quoted(name) + " exists but is " + Escape.visible(state) + " (" + nodes + ")",
                    "jobs stay pending until the admins set it UP; or choose another partition"));
        } else {
            out.add(Finding.ok("partition", Escape.quoted(name) + (slurm.partition().isEmpty() ? " (default)" : "") + " is UP, "
                    + Escape.visible(nodes)));
        }
        out.add(maxTime(name, p.getOrDefault("MaxTime", "UNLIMITED"), slurm.timeLimit()));
        if (slurm.gpus() > 0) {
            out.add(gpus(ssh, name, slurm.gpus()));
        }
        return out;
    }

    static Finding maxTime(String partition, String maxTime, Duration wanted) {
        String limit = Units.formatDuration(wanted);
        if (maxTime.equals("UNLIMITED") || maxTime.equals("INFINITE")) {
            return Finding.ok("partition.maxTime", "MaxTime UNLIMITED ≥ cluster.timeLimit " + limit);
        }
        Optional<Duration> max = slurmDuration(maxTime);
        if (max.isEmpty()) {
            return Finding.warn("partition.maxTime", "cannot read MaxTime " + Escape.quoted(maxTime),
                    "compare it with cluster.timeLimit " + limit + " yourself");
        }
        if (max.get().compareTo(wanted) < 0) {
            return Finding.fail("partition.maxTime", "partition " + Escape.quoted(partition) + " has MaxTime "
                    + Escape.visible(maxTime) + " < cluster.timeLimit " + limit + " (sbatch would reject every worker job)",
                    "set cluster.timeLimit to at most " + Units.formatDuration(max.get()) + ", or use a partition with a longer MaxTime");
        }
        return Finding.ok("partition.maxTime", "MaxTime " + Escape.visible(maxTime) + " ≥ cluster.timeLimit " + limit);
    }

    private static Finding gpus(SshClient ssh, String partition, int wanted) {
        ExecResult r = ssh.exec(RemoteCommand.of("sinfo", "-h", "-p", partition, "-o", "%G").withTimeout(SshChecks.COMMAND_TIMEOUT));
        if (!r.ok()) {
            return Finding.fail("partition.gpus", "sinfo exited " + r.exitCode() + ": " + Texts.firstLine(r.err(), ""),
                    "check that sinfo works on the login node");
        }
        int best = 0;
        Matcher m = GPU.matcher(r.out());
        while (m.find()) {
            best = Math.max(best, Integer.parseInt(m.group(1)));
        }
        String gres = Escape.visible(String.join(" ", r.out().lines().map(String::trim).distinct().toList()));
        if (best < wanted) {
            return Finding.fail("partition.gpus", "cluster.gpus is " + wanted + " but the nodes of " + Escape.quoted(partition)
                    + " offer at most " + best + " GPU(s) (gres: " + gres + ")", "lower cluster.gpus to " + best
                    + (best == 0 ? " (CPU only)" : "") + ", or use a GPU partition");
        }
        return Finding.ok("partition.gpus", "up to " + best + " GPU(s) per node ≥ cluster.gpus " + wanted + " (gres: " + gres + ")");
    }

    /** SLURM's time formats: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S. */
    static Optional<Duration> slurmDuration(String text) {
        Matcher m = Pattern.compile("(?:(\\d+)-)?(\\d+)(?::(\\d+))?(?::(\\d+))?").matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        long days = m.group(1) == null ? 0 : Long.parseLong(m.group(1));
        long a = Long.parseLong(m.group(2));
        Long b = m.group(3) == null ? null : Long.parseLong(m.group(3));
        Long c = m.group(4) == null ? null : Long.parseLong(m.group(4));
        long seconds;
        if (m.group(1) != null) { // D-H[:M[:S]]
            seconds = a * 3600 + (b == null ? 0 : b * 60) + (c == null ? 0 : c);
        } else if (c != null) { // H:M:S
            seconds = a * 3600 + b * 60 + c;
        } else if (b != null) { // M:S
            seconds = a * 60 + b;
        } else { // M
            seconds = a * 60;
        }
        return Optional.of(Duration.ofSeconds(days * 86400 + seconds));
    }

    private static Map<String, String> fields(String line) {
        Map<String, String> map = new HashMap<>();
        for (String token : line.trim().split("\\s+")) {
            int eq = token.indexOf('=');
            if (eq > 0) {
                map.put(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        return map;
    }
}
