package dev.juggler.samples.deploy;

import dev.juggler.JugglerException;
import dev.juggler.samples.config.Escape;
import dev.juggler.slurm.ssh.ExecResult;
import dev.juggler.slurm.ssh.RemoteCommand;
import dev.juggler.slurm.ssh.SshClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that the worker's Java is at least 17 where jobs start it: runs, on the login node, the operator's
 * {@code cluster.prologue} lines (in a {@code bash -l} login shell, each ended by {@code || exit $?}, as the job
 * script does) followed by {@code "$1" -version} with {@code worker.java} as {@code $1}. The prologue lines are
 * the operator's own shell from the config; the java command is a quoted argument. Stateless and thread-safe.
 */
public final class JavaCheck {

    /** The least Java version a worker needs. */
    public static final int MINIMUM = 17;
    /** Bound of the check (a prologue may load modules). */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static final Pattern VERSION = Pattern.compile("version \"(\\d+)(?:\\.(\\d+))?");
    private static final Pattern OPENJDK = Pattern.compile("^(?:openjdk|java) (\\d+)", Pattern.MULTILINE);

    private JavaCheck() {
    }

    /** What the check found. */
    public record Result(int version, String firstLine) {
    }

    /**
     * Runs the check.
     *
     * @return the version found (≥ {@value #MINIMUM})
     * @throws JugglerException with the fix when Java is missing, unusable or older than {@value #MINIMUM}, or when
     *         a prologue line fails
     */
    public static Result run(SshClient ssh, List<String> prologue, String java) {
        StringBuilder script = new StringBuilder();
        for (String line : prologue) {
            script.append(line).append(" || { echo \"juggler-deploy: a prologue line failed with status $?\" >&2; exit 99; }\n");
        }
        script.append("command -v \"$1\" >/dev/null 2>&1 || { echo \"juggler-deploy: no $1\" >&2; exit 127; }\n");
        script.append("exec \"$1\" -version 2>&1\n");
        List<String> argv = new ArrayList<>(prologue.isEmpty() ? List.of("sh", "-c") : List.of("bash", "-l", "-c"));
        argv.add(script.toString());
        argv.add("juggler-deploy");
        argv.add(java);
        ExecResult r = ssh.exec(RemoteCommand.of(argv).withTimeout(TIMEOUT));
        String shown = Escape.visible(java);
        String fix = "add e.g. `module load java/17` to cluster.prologue or set worker.java to a Java " + MINIMUM
                + " or newer on the cluster";
        if (r.exitCode() == 99) {
            throw JugglerException.permanentFailure("a cluster.prologue line failed on the login node: "
                    + firstLine(r.err() + r.out(), "(no message)") + "; fix cluster.prologue", null);
        }
        if (r.exitCode() == 127) {
            throw JugglerException.permanentFailure("no Java on the cluster: worker.java " + shown + " is not found after the prologue ("
                    + firstLine(r.err() + r.out(), "not found") + "); " + fix, null);
        }
        OptionalInt version = parse(r.out() + "\n" + r.err());
        if (!r.ok() || version.isEmpty()) {
            throw JugglerException.permanentFailure("no usable Java on the cluster: `" + shown + " -version` exited " + r.exitCode() + ": "
                    + firstLine(r.out() + r.err(), "(no output)") + "; " + fix, null);
        }
        String first = firstLine(r.out() + r.err(), "");
        if (version.getAsInt() < MINIMUM) {
            throw JugglerException.permanentFailure("Java on the cluster is too old: " + shown + " is Java " + version.getAsInt() + " ("
                    + first + "), workers need " + MINIMUM + " or newer; " + fix, null);
        }
        return new Result(version.getAsInt(), first);
    }

    /** The feature version in {@code java -version} output ({@code 1.8.0} is 8), or empty. */
    static OptionalInt parse(String output) {
        Matcher m = VERSION.matcher(output);
        if (m.find()) {
            int major = Integer.parseInt(m.group(1));
            if (major == 1 && m.group(2) != null) {
                major = Integer.parseInt(m.group(2));
            }
            return OptionalInt.of(major);
        }
        Matcher o = OPENJDK.matcher(output);
        return o.find() ? OptionalInt.of(Integer.parseInt(o.group(1))) : OptionalInt.empty();
    }

    private static String firstLine(String text, String fallback) {
        return text.lines().map(String::trim).filter(l -> !l.isEmpty()).findFirst().map(Escape::visible).orElse(fallback);
    }
}
