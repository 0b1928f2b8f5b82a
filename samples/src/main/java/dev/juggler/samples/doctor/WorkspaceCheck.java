package dev.juggler.samples.doctor;

import dev.juggler.samples.config.Escape;
import dev.juggler.samples.config.WorkspaceConfig;
import dev.juggler.slurm.ssh.ExecResult;
import dev.juggler.slurm.ssh.RemoteCommand;
import dev.juggler.slurm.ssh.SshClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The workspace: the directory exists or can be created, a probe file can be written and deleted, and the
 * free space (plus what the workspace already holds) is at least {@code workspace.budget}. Stateless.
 */
public final class WorkspaceCheck {

    private static final String REMOTE = "d=\"$1\"; mkdir -p -- \"$d\" || exit 10; p=\"$d/.juggler-doctor-probe-$$\"; "
            + "( : > \"$p\" ) || exit 11; rm -f -- \"$p\" || exit 12; "
            + "used=$(du -sB1 -- \"$d\" 2>/dev/null | cut -f1); line=$(df -PB1 -- \"$d\" | tail -n 1) || exit 13; "
            + "echo \"${used:-0} $line\"";

    private WorkspaceCheck() {
    }

    /** A workspace on the cluster, checked over SSH; returns the directory finding and the space finding. */
    public static List<Finding> remote(SshClient ssh, WorkspaceConfig ws) {
        String dir = Escape.quoted(ws.directory());
        ExecResult r = ssh.exec(RemoteCommand.script(REMOTE, List.of(ws.directory())).withTimeout(SshChecks.COMMAND_TIMEOUT));
        String err = Texts.firstLine(r.err(), "exit " + r.exitCode());
        String fix = "create it or choose a directory you own for workspace.directory (e.g. on /scratch)";
        switch (r.exitCode()) {
            case 0 -> {
            }
            case 10 -> {
                return List.of(Finding.fail("workspace.dir", "cannot create " + dir + " on the cluster: " + err, fix),
                        Finding.skip("workspace.space", "no workspace directory"));
            }
            case 11, 12 -> {
                return List.of(Finding.fail("workspace.dir", dir + " exists but is not writable: " + err,
                        "fix its permissions (chmod u+w) or choose another workspace.directory"),
                        Finding.skip("workspace.space", "the workspace is not writable"));
            }
            default -> {
                return List.of(Finding.ok("workspace.dir", dir + " on the cluster is writable"),
                        Finding.fail("workspace.space", "`df -PB1` failed: " + err, "check df on the login node"));
            }
        }
        String[] f = r.out().trim().split("\\s+");
        if (f.length < 7 || !f[4].matches("\\d+")) {
            return List.of(Finding.ok("workspace.dir", dir + " on the cluster is writable"),
                    Finding.warn("workspace.space", "cannot read `df -PB1` output " + Escape.quoted(r.out().trim()),
                            "check the free space yourself"));
        }
        long used = f[0].matches("\\d+") ? Long.parseLong(f[0]) : 0;
        long available = Long.parseLong(f[4]);
        return List.of(Finding.ok("workspace.dir", dir + " on the cluster is writable (file system " + Escape.visible(f[6]) + ")"),
                space(ws, available, used));
    }

    /** A workspace on this machine. */
    public static List<Finding> local(WorkspaceConfig ws) {
        Path dir = ws.localDirectory();
        String shown = Escape.quoted(dir.toString());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            return List.of(Finding.fail("workspace.dir", "cannot create " + shown + ": " + Texts.firstLine(e),
                    "create it or set workspace.directory to a directory you can write"),
                    Finding.skip("workspace.space", "no workspace directory"));
        }
        try {
            Files.delete(Files.createTempFile(dir, ".juggler-doctor-probe-", ".tmp"));
        } catch (IOException e) {
            return List.of(Finding.fail("workspace.dir", shown + " is not writable: " + Texts.firstLine(e),
                    "fix its permissions or choose another workspace.directory"),
                    Finding.skip("workspace.space", "the workspace is not writable"));
        }
        long used = 0;
        try (var files = Files.walk(dir)) {
            used = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            // Only makes the space check stricter.
        }
        try {
            long available = Files.getFileStore(dir).getUsableSpace();
            return List.of(Finding.ok("workspace.dir", shown + " is writable"), space(ws, available, used));
        } catch (IOException e) {
            return List.of(Finding.ok("workspace.dir", shown + " is writable"),
                    Finding.warn("workspace.space", "cannot read the free space: " + Texts.firstLine(e), "check it yourself"));
        }
    }

    private static Finding space(WorkspaceConfig ws, long available, long used) {
        long usable = available + used;
        String found = "free " + Texts.size(available) + (used > 0 ? " + staged " + Texts.size(used) : "") + " vs workspace.budget "
                + Texts.size(ws.budgetBytes());
        if (usable < ws.budgetBytes()) {
            return Finding.fail("workspace.space", found + ": the budget does not fit",
                    "lower workspace.budget to at most " + Texts.size(usable) + ", or free space on that file system");
        }
        return Finding.ok("workspace.space", found);
    }
}
