package dev.juggler.slurm.stage;

import dev.juggler.JugglerException;
import dev.juggler.slurm.ssh.SshConfig;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Moves the bytes of one local file onto a remote path with a local {@code rsync} child process over
 * OpenSSH: {@code --inplace --append-verify} onto the remote {@code .part} path (so a partial file is
 * resumed), {@code --protect-args} so the remote path never reaches the remote shell, and an
 * {@code ssh} command that uses the configured key, port and known_hosts with
 * {@code StrictHostKeyChecking=yes} and {@code BatchMode=yes}. The process is started from an
 * argument list, never through a local shell. Everything after the bytes (checks, rename, budget) is
 * the {@link dev.juggler.stage.StagingProtocol}'s. Immutable and thread-safe: each call runs its own process.
 */
final class RsyncUploader {

    /** rsync exit codes worth retrying: I/O, protocol stream, partial transfer, timeouts, ssh failure. */
    private static final Set<Integer> TRANSIENT_EXITS = Set.of(10, 11, 12, 20, 23, 24, 30, 35, 255);
    private static final Pattern PROGRESS = Pattern.compile("^\\s*([0-9][0-9,.]*)\\s+\\d+%");
    private static final int STDERR_TAIL = 800;
    private static final long POLL_MILLIS = 100;

    private final String rsync;
    private final SshConfig config;
    private final String sshCommand;

    private RsyncUploader(String rsync, SshConfig config, String sshCommand) {
        this.rsync = rsync;
        this.config = config;
        this.sshCommand = sshCommand;
    }

    /** An uploader for {@code config}, or why rsync cannot be used with it (no remote check here). */
    static Result create(SshConfig config) {
        Optional<String> local = localRsync();
        if (local.isEmpty()) {
            return new Result(null, "no rsync executable on the local PATH");
        }
        if (config.jumpHost().isPresent()) {
            return new Result(null, "a jump host is configured");
        }
        if (config.hasPassphrase()) {
            return new Result(null, "the key has a passphrase (OpenSSH would prompt for it)");
        }
        if (config.identities().isEmpty()) {
            return new Result(null, "no key file is configured (agent-only)");
        }
        List<String> ssh = new ArrayList<>(List.of("ssh", "-F", "/dev/null", "-p", Integer.toString(config.port()),
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "IdentitiesOnly=yes",
                "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "ConnectTimeout=" + Math.max(1, config.connectTimeout().toSeconds()),
                "-o", "ServerAliveInterval=" + Math.max(1, config.keepAlive().toSeconds()),
                "-o", "UserKnownHostsFile=" + config.knownHosts().toAbsolutePath()));
        for (Path key : config.identities()) {
            ssh.add("-i");
            ssh.add(key.toAbsolutePath().toString());
        }
        StringBuilder line = new StringBuilder();
        for (String arg : ssh) {
            Optional<String> quoted = quoteForRsync(arg);
            if (quoted.isEmpty()) {
                return new Result(null, "a key or known_hosts path holds both quote characters or a control character");
            }
            line.append(line.length() == 0 ? "" : " ").append(quoted.get());
        }
        return new Result(new RsyncUploader(local.get(), config, line.toString()), null);
    }

    /** An uploader, or the reason there is none. */
    record Result(RsyncUploader uploader, String whyNot) {
    }

    /**
     * Appends what {@code remotePath} lacks of {@code source}, reporting absolute byte counts to
     * {@code progress} on the calling thread. Returns normally when rsync exits 0.
     *
     * @param label the video as it may appear in messages (hostile ids already escaped)
     * @param stop polled while rsync runs; when it turns true the process is killed and a transient
     *     exception is thrown (the partial remote file is kept)
     * @throws JugglerException transient for network-like failures, permanent otherwise; the message
     *     holds the exit code and the tail of rsync's standard error
     */
    void upload(String label, Path source, String remotePath, long size, BooleanSupplier stop, LongConsumer progress) {
        List<String> cmd = List.of(rsync, "--protect-args", "--inplace", "--append-verify", "--partial",
                "--progress", "--timeout=" + Math.max(30, config.commandTimeout().toSeconds()),
                "-e", sshCommand, "--", source.toAbsolutePath().toString(), remoteSpec(remotePath));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.remove("SSH_AUTH_SOCK"); // only the configured key, never an agent's
        env.remove("RSYNC_RSH");
        env.remove("RSYNC_PROTECT_ARGS");
        env.put("LC_ALL", "C");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw JugglerException.transientFailure("video " + label + ": cannot start rsync: " + e.getMessage(), e);
        }
        AtomicLong done = new AtomicLong(-1);
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        Thread out = drain(p.getInputStream(), null, done, label);
        Thread err = drain(p.getErrorStream(), stderr, null, label);
        long reported = -1;
        boolean stopped = false;
        try {
            p.getOutputStream().close();
            while (!p.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                if (stop.getAsBoolean()) {
                    stopped = true;
                    break;
                }
                long now = done.get();
                if (now > reported) {
                    reported = now;
                    progress.accept(Math.min(now, size));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
        } catch (IOException e) {
            // stdin already gone: harmless
        }
        if (stopped) {
            // rsync's ssh child holds the stderr pipe and the connection: it must go too, or it outlives the upload.
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            awaitQuietly(p);
            join(out);
            join(err);
            throw JugglerException.transientFailure("upload of video " + label + " by rsync was stopped; the partial file is kept"
                    + " and a later stage() resumes it", null);
        }
        join(out);
        join(err);
        long last = done.get();
        if (last > reported) {
            progress.accept(Math.min(last, size));
        }
        int code = p.exitValue();
        if (code != 0) {
            String tail;
            synchronized (stderr) {
                tail = stderr.toString(StandardCharsets.UTF_8).strip();
            }
            if (tail.length() > STDERR_TAIL) {
                tail = "…" + tail.substring(tail.length() - STDERR_TAIL);
            }
            boolean isTransient = TRANSIENT_EXITS.contains(code) && !tail.contains("Host key verification failed")
                    && !tail.contains("Permission denied");
            throw new JugglerException("video " + label + ": rsync to " + config.target() + " exited with " + code
                    + (tail.isEmpty() ? "" : ": " + tail), isTransient, null);
        }
    }

    /** {@code user@host:path} (an IPv6 address in brackets); the path travels inside rsync's protocol. */
    private String remoteSpec(String remotePath) {
        String host = config.host().indexOf(':') >= 0 ? "[" + config.host() + "]" : config.host();
        return config.user() + "@" + host + ":" + remotePath;
    }

    /**
     * One word of rsync's {@code -e} command: rsync splits it at spaces and honours single and double
     * quotes (no backslashes). Empty if {@code arg} cannot be written (both quotes, or control characters).
     */
    static Optional<String> quoteForRsync(String arg) {
        for (int i = 0; i < arg.length(); i++) {
            if (Character.isISOControl(arg.charAt(i))) {
                return Optional.empty();
            }
        }
        if (arg.indexOf('\'') < 0) {
            return Optional.of("'" + arg + "'");
        }
        if (arg.indexOf('"') < 0) {
            return Optional.of("\"" + arg + "\"");
        }
        return Optional.empty();
    }

    /** The first executable {@code rsync} on the local {@code PATH}. */
    static Optional<String> localRsync() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, "rsync");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath().toString());
            }
        }
        return Optional.empty();
    }

    /** Reads a stream to its end: into {@code sink}, or parsing {@code --progress} lines into {@code done}. */
    private static Thread drain(InputStream in, ByteArrayOutputStream sink, AtomicLong done, String label) {
        Thread t = new Thread(() -> {
            try (InputStream s = new BufferedInputStream(in)) {
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                int c;
                while ((c = s.read()) >= 0) {
                    if (sink != null) {
                        synchronized (sink) {
                            if (sink.size() < 64 * 1024) {
                                sink.write(c);
                            }
                        }
                        continue;
                    }
                    if (c == '\r' || c == '\n') {
                        Matcher m = PROGRESS.matcher(line.toString(StandardCharsets.UTF_8));
                        if (m.find()) {
                            try {
                                done.accumulateAndGet(Long.parseLong(m.group(1).replaceAll("[,.]", "")), Math::max);
                            } catch (NumberFormatException ignored) {
                                // not a byte count
                            }
                        }
                        line.reset();
                    } else if (line.size() < 1024) {
                        line.write(c);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "rsync-" + (sink == null ? "out" : "err") + "-" + Integer.toHexString(label.hashCode()));
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void awaitQuietly(Process p) {
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void join(Thread t) {
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
