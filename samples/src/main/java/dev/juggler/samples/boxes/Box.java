package dev.juggler.samples.boxes;

import dev.juggler.InvalidConfigException;
import dev.juggler.slurm.ssh.SshConfig;
import java.util.Objects;

/**
 * One GPU machine of an {@link SshBoxesBackend}: how to reach it, how many jobs it runs at once (one per GPU:
 * slot {@code i} runs with {@code CUDA_VISIBLE_DEVICES=i}), and the directory on it under which job
 * directories go. Immutable and thread-safe.
 *
 * @param name a short name for messages and for telling boxes apart ({@code [A-Za-z0-9_.-]{1,32}}); two boxes
 *        may be the same host (e.g. two VMs behind one address) but need different names
 * @param ssh how to reach it
 * @param slots jobs at once, 1..64
 * @param workDirectory absolute directory on the box; jobs live in {@code <workDirectory>/<tag>/<jobId>/}.
 *        Two boxes that are the same machine need different work directories, or they would count each other's
 *        jobs as their own
 */
public record Box(String name, SshConfig ssh, int slots, String workDirectory) {

    /** Default work directory on a box: survives reboots (unlike {@code /tmp} on many systems). */
    public static final String DEFAULT_WORK_DIRECTORY = "/var/tmp/juggler-boxes";

    public Box {
        if (name == null || !name.matches("[A-Za-z0-9_.-]{1,32}")) {
            throw InvalidConfigException.of("box name", name, "1-32 characters from A-Z a-z 0-9 _ . -");
        }
        Objects.requireNonNull(ssh, "ssh");
        if (slots < 1 || slots > 64) {
            throw InvalidConfigException.of("slots of box " + name, slots, "must be 1..64 (one job per GPU)");
        }
        if (workDirectory == null || !workDirectory.startsWith("/") || workDirectory.equals("/")
                || workDirectory.chars().anyMatch(c -> c < ' ')) {
            throw InvalidConfigException.of("workDirectory of box " + name, workDirectory,
                    "must be an absolute directory on the box other than /, without control characters");
        }
        while (workDirectory.length() > 1 && workDirectory.endsWith("/")) {
            workDirectory = workDirectory.substring(0, workDirectory.length() - 1);
        }
    }
}
