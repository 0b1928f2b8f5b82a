package dev.juggler.inference.accel.internal;

import dev.juggler.JugglerException;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running bridge process and the line protocol of {@code docs/stick-bridge-protocol.md}: requests
 * are written to its stdin, answers read from its stdout by a reader thread (so that a silent bridge
 * becomes a timeout, not a hang), and its stderr is logged. Internal.
 *
 * <p>Not thread-safe: the owner serialises requests. {@link #kill()} may be called from any thread.
 */
public final class BridgeProcess {
    private static final Logger LOG = LoggerFactory.getLogger(BridgeProcess.class);
    private static final String EOF = "\u0000eof";
    private static final int STDERR_TAIL = 20;

    private final String name;
    private final Process process;
    private final BufferedWriter stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private volatile boolean broken;

    private BridgeProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stdin = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        Thread out = new Thread(this::readStdout, "juggler-bridge-" + name + "-out");
        out.setDaemon(true);
        out.start();
        Thread err = new Thread(this::readStderr, "juggler-bridge-" + name + "-err");
        err.setDaemon(true);
        err.start();
    }

    /**
     * Starts the bridge and waits for its {@code ready <version> <description>} line.
     *
     * @return the description the bridge gave
     */
    public static BridgeProcess start(String name, List<String> command, Duration timeout, StringBuilder description) {
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw JugglerException.permanentFailure("stick " + name + ": cannot start bridge " + command + ": " + e.getMessage(), e);
        }
        BridgeProcess bridge = new BridgeProcess(name, process);
        String ready = bridge.next(timeout, "ready");
        String[] parts = ready.split(" ", 3);
        if (!parts[0].equals("ready") || parts.length < 2 || !parts[1].equals("1")) {
            bridge.kill();
            throw JugglerException.permanentFailure("stick " + name + ": bridge greeted with '" + ready
                    + "', expected 'ready 1 <description>' (protocol version 1)", null);
        }
        description.append(parts.length > 2 ? parts[2] : "");
        return bridge;
    }

    /**
     * Sends a request and reads the answer: the header's words after {@code ok}, then {@code extraLines}
     * lines of payload.
     *
     * @param extraLinesFromHeader how many payload lines follow, computed from the header's words
     * @throws JugglerException with the bridge's own transient/permanent flag for {@code err}; transient
     *     for a timeout or a dead bridge (the process is killed then)
     */
    public Answer request(List<String> requestLines, Duration timeout,
            java.util.function.ToIntFunction<String[]> extraLinesFromHeader) {
        try {
            for (String line : requestLines) {
                stdin.write(line);
                stdin.write('\n');
            }
            stdin.flush();
        } catch (IOException e) {
            kill();
            throw JugglerException.transientFailure("stick " + name + ": bridge stdin closed (" + e.getMessage() + ")" + diagnosis(), e);
        }
        String header = next(timeout, requestLines.get(0));
        if (header.startsWith("err ")) {
            String[] parts = header.split(" ", 3);
            boolean transientFailure = parts.length > 1 && parts[1].equals("transient");
            String message = parts.length > 2 ? parts[2] : header;
            throw new JugglerException("stick " + name + ": bridge refused '" + verb(requestLines.get(0)) + "': " + message,
                    transientFailure, null);
        }
        if (!header.equals("ok") && !header.startsWith("ok ")) {
            kill();
            throw JugglerException.transientFailure("stick " + name + ": bridge answered '" + header + "' to '"
                    + verb(requestLines.get(0)) + "'; expected 'ok ...' or 'err ...'", null);
        }
        String[] words = header.length() > 3 ? header.substring(3).split(" ") : new String[0];
        int extra = extraLinesFromHeader.applyAsInt(words);
        List<String> payload = new ArrayList<>(extra);
        for (int i = 0; i < extra; i++) {
            payload.add(next(timeout, requestLines.get(0)));
        }
        return new Answer(words, payload);
    }

    /** What the bridge answered: the words after {@code ok} and the payload lines. */
    public record Answer(String[] words, List<String> payload) {
    }

    /** {@code false} once the process exited or the conversation broke (timeout, EOF, garbage). */
    public boolean isAlive() {
        return !broken && process.isAlive();
    }

    /** Asks the bridge to exit and waits a little; kills it if it does not. */
    public void close(Duration grace) {
        try {
            if (process.isAlive()) {
                stdin.write("close\n");
                stdin.flush();
                stdin.close();
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("stick {}: bridge did not exit within {}; killing it", name, grace);
                }
            }
        } catch (IOException e) {
            // Already gone.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            kill();
        }
    }

    public void kill() {
        broken = true;
        process.destroyForcibly();
        try {
            // The pipe's file descriptor is ours until closed: a bridge restarted often would leak them.
            stdin.close();
        } catch (IOException e) {
            // The bridge is gone already; nothing more to release.
        }
    }

    private String next(Duration timeout, String request) {
        String line;
        try {
            line = lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw JugglerException.transientFailure("stick " + name + ": interrupted waiting for the bridge", e);
        }
        if (line == null) {
            kill();
            throw JugglerException.transientFailure("stick " + name + ": bridge gave no answer to '" + verb(request) + "' within "
                    + timeout + "; killed it" + diagnosis(), null);
        }
        if (line == EOF) {
            lines.add(EOF);
            broken = true;
            throw JugglerException.transientFailure("stick " + name + ": bridge exited during '" + verb(request) + "'" + diagnosis(), null);
        }
        return line;
    }

    private String diagnosis() {
        StringBuilder sb = new StringBuilder();
        try {
            if (process.waitFor(200, TimeUnit.MILLISECONDS)) {
                sb.append("; exit code ").append(process.exitValue());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (stderrTail) {
            if (!stderrTail.isEmpty()) {
                sb.append("; stderr: ").append(String.join(" | ", stderrTail));
            }
        }
        return sb.toString();
    }

    private static String verb(String line) {
        int space = line.indexOf(' ');
        return space < 0 ? line : line.substring(0, space);
    }

    private void readStdout() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("#")) {
                    LOG.debug("stick {}: {}", name, line);
                } else {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            // Closed while reading: the bridge is gone.
        } finally {
            lines.add(EOF);
        }
    }

    private void readStderr() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                LOG.info("stick {} bridge: {}", name, line);
                synchronized (stderrTail) {
                    stderrTail.addLast(line);
                    if (stderrTail.size() > STDERR_TAIL) {
                        stderrTail.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            // Gone.
        }
    }

}
