package dev.juggler.samples.doctor;

import dev.juggler.JugglerException;
import dev.juggler.samples.config.Escape;
import dev.juggler.samples.deploy.DeployLayout;
import dev.juggler.samples.deploy.Release;
import dev.juggler.slurm.ssh.ExecResult;
import dev.juggler.slurm.ssh.RemoteCommand;
import dev.juggler.slurm.ssh.SshClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code deploy} check (when {@code worker.deployDirectory} is set): the directory names a current release
 * ({@code juggler deploy} has run), its argument file is there and so is every file it names (and the model).
 * Contents are not hashed here; {@code juggler deploy --verify} does that. Stateless and thread-safe.
 */
public final class DeployCheck {

    private static final String FIX = "run juggler deploy --config FILE";

    private DeployCheck() {
    }

    /** The finding, and the release when it passed (the probe job runs from it). */
    public record Outcome(Finding finding, Optional<Release> release) {
    }

    /** Checks the release in {@code deployDirectory} on the cluster. */
    public static Outcome run(SshClient ssh, String deployDirectory) {
        String shown = Escape.visible(deployDirectory);
        try {
            DeployLayout layout = DeployLayout.of(deployDirectory);
            Optional<Release> current = Release.readCurrent(ssh, layout);
            if (current.isEmpty()) {
                return new Outcome(Finding.fail("deploy", "not deployed: " + shown + " holds no release (no "
                        + Escape.visible(layout.currentFile()) + ")", FIX), Optional.empty());
            }
            Release release = current.get();
            ExecResult args = ssh.exec(RemoteCommand.of("cat", "--", release.argsFile()).withTimeout(SshChecks.COMMAND_TIMEOUT));
            if (!args.ok()) {
                return new Outcome(Finding.fail("deploy", "not deployed: release " + release.id() + "'s argument file "
                        + Escape.visible(release.argsFile()) + " is missing", FIX), Optional.empty());
            }
            List<String> files = new ArrayList<>(classPath(args.out()));
            release.model().ifPresent(files::add);
            ExecResult missing = ssh.exec(RemoteCommand.script("for f; do [ -f \"$f\" ] || printf '%s\\n' \"$f\"; done", files)
                    .withTimeout(SshChecks.COMMAND_TIMEOUT));
            List<String> gone = missing.out().lines().filter(l -> !l.isBlank()).toList();
            if (!missing.ok() || !gone.isEmpty()) {
                return new Outcome(Finding.fail("deploy", "release " + release.id() + " in " + shown + " is missing " + gone.size()
                        + " of its " + files.size() + " files, e.g. " + Escape.visible(gone.isEmpty() ? "?" : gone.get(0)),
                        FIX + " again"), Optional.empty());
            }
            return new Outcome(Finding.ok("deploy", "release " + release.id() + " in " + shown + ": " + files.size() + " files"
                    + release.model().map(m -> " incl. model " + Escape.visible(m.substring(m.lastIndexOf('/') + 1))).orElse("")),
                    current);
        } catch (JugglerException e) {
            return new Outcome(Finding.fail("deploy", "cannot read the release in " + shown + ": " + Texts.firstLine(e), FIX),
                    Optional.empty());
        }
    }

    private static List<String> classPath(String argsText) {
        String[] lines = argsText.trim().split("\n");
        if (lines.length < 2 || !lines[0].trim().equals("-cp")) {
            return List.of();
        }
        return List.of(lines[1].trim().split(":"));
    }
}
