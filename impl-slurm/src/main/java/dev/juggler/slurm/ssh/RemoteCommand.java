package dev.juggler.slurm.ssh;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A command to run on the remote host, always made of arguments quoted by {@link ShellQuote}: there is
 * deliberately no way to pass a raw command line. Shell features that a caller needs (pipes,
 * redirections, {@code &&}) go into a fixed {@linkplain #script(String, List) script} whose variable
 * parts arrive as positional parameters ({@code "$1"}), never spliced into the script text.
 * Immutable and thread-safe.
 */
public final class RemoteCommand {

    private final List<String> argv;
    private final byte[] stdin;
    private final Duration timeout;

    private RemoteCommand(List<String> argv, byte[] stdin, Duration timeout) {
        this.argv = List.copyOf(argv);
        this.stdin = stdin;
        this.timeout = timeout;
    }

    /** Runs {@code argv[0]} with the other elements as its arguments. */
    public static RemoteCommand of(List<String> argv) {
        Objects.requireNonNull(argv, "argv");
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("a remote command needs at least the program");
        }
        for (String a : argv) {
            ShellQuote.quote(Objects.requireNonNull(a, "argument")); // fail early on NUL
        }
        return new RemoteCommand(argv, null, null);
    }

    /** Varargs form of {@link #of(List)}. */
    public static RemoteCommand of(String... argv) {
        return of(List.of(argv));
    }

    /**
     * Runs {@code sh -c script sh args...}: {@code script} is a constant written by the programmer
     * that refers to its variable parts only as {@code "$1"}, {@code "$@"}…; the arguments are quoted.
     */
    public static RemoteCommand script(String script, List<String> args) {
        List<String> all = new ArrayList<>(args.size() + 4);
        all.add("sh");
        all.add("-c");
        all.add(script);
        all.add("sh"); // $0
        all.addAll(args);
        return of(all);
    }

    /** The most standard input a command may take: enough for batch scripts; move data with SFTP. */
    public static final int MAX_STDIN_BYTES = 32 * 1024;

    /**
     * This command with these bytes on its standard input (closed after them), at most
     * {@value #MAX_STDIN_BYTES} bytes: the input is written in one go before the output is read.
     */
    public RemoteCommand withStdin(byte[] bytes) {
        if (bytes.length > MAX_STDIN_BYTES) {
            throw new IllegalArgumentException("stdin of " + bytes.length + " bytes exceeds " + MAX_STDIN_BYTES
                    + "; upload data with RemoteFiles.write instead");
        }
        return new RemoteCommand(argv, bytes.clone(), timeout);
    }

    /** This command with this text (UTF-8) on its standard input. */
    public RemoteCommand withStdin(String text) {
        return withStdin(text.getBytes(StandardCharsets.UTF_8));
    }

    /** This command with its own time limit instead of the client's default. */
    public RemoteCommand withTimeout(Duration limit) {
        if (limit == null || limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + limit);
        }
        return new RemoteCommand(argv, stdin, limit);
    }

    /** The arguments, unquoted. */
    public List<String> argv() {
        return argv;
    }

    /** The command line sent to the remote shell: every argument quoted by {@link ShellQuote#join}. */
    public String commandLine() {
        return ShellQuote.join(argv);
    }

    /** The standard input, if any (a copy). */
    public Optional<byte[]> stdin() {
        return stdin == null ? Optional.empty() : Optional.of(stdin.clone());
    }

    /** The time limit, if this command has its own. */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /** The program and the number of arguments only: arguments may hold secrets or huge scripts. */
    @Override
    public String toString() {
        return "RemoteCommand[" + argv.get(0) + (argv.size() > 1 ? " +" + (argv.size() - 1) + " args" : "")
                + (stdin != null ? ", stdin " + stdin.length + " bytes" : "") + "]";
    }
}
