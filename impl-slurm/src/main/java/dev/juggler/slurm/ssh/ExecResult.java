package dev.juggler.slurm.ssh;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * What a remote command returned. Immutable and thread-safe.
 *
 * @param exitCode the remote exit status ({@code -1} if the server sent none, e.g. killed by a signal)
 * @param stdout standard output, raw bytes
 * @param stderr standard error, raw bytes
 * @param elapsed wall time from opening the channel to its close
 */
public record ExecResult(int exitCode, byte[] stdout, byte[] stderr, Duration elapsed) {

    public ExecResult {
        stdout = stdout.clone();
        stderr = stderr.clone();
    }

    @Override
    public byte[] stdout() {
        return stdout.clone();
    }

    @Override
    public byte[] stderr() {
        return stderr.clone();
    }

    /** Standard output decoded as UTF-8. */
    public String out() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    /** Standard error decoded as UTF-8. */
    public String err() {
        return new String(stderr, StandardCharsets.UTF_8);
    }

    /** {@code true} if the exit status is 0. */
    public boolean ok() {
        return exitCode == 0;
    }

    @Override
    public String toString() {
        return "ExecResult[exit=" + exitCode + ", stdout=" + stdout.length + " bytes, stderr=" + stderr.length
                + " bytes, elapsed=" + elapsed + "]";
    }
}
