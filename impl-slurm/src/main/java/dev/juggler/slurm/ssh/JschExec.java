package dev.juggler.slurm.ssh;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSchException;
import dev.juggler.JugglerException;
import dev.juggler.UnavailableException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one {@link RemoteCommand} on an exec channel of a {@link JschConnection}: standard input from the
 * command, both outputs collected in memory up to {@link #MAX_OUTPUT_BYTES} each (more is an error, not an
 * {@link OutOfMemoryError}), and the command's time limit enforced by closing the channel. Stateless apart
 * from the connection; thread-safe.
 */
final class JschExec {

    /** Stdout beyond this is an error rather than an OutOfMemoryError. */
    static final int MAX_OUTPUT_BYTES = 64 << 20;

    private final JschConnection connection;

    JschExec(JschConnection connection) {
        this.connection = connection;
    }

    ExecResult run(RemoteCommand command) {
        SshConfig config = connection.config();
        String target = connection.target();
        Duration timeout = command.timeout().orElse(config.commandTimeout());
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        connection.acquire(deadline, command);
        ChannelExec channel = null;
        try {
            channel = (ChannelExec) connection.openChannel("exec");
            channel.setCommand(command.commandLine().getBytes(StandardCharsets.UTF_8));
            // JSch's session thread writes both streams straight into these buffers: no pipes, whose
            // fixed buffers and reader/writer thread checks stall large outputs.
            BoundedBuffer stdout = new BoundedBuffer();
            BoundedBuffer err = new BoundedBuffer();
            channel.setOutputStream(stdout, true);
            channel.setErrStream(err, true);
            OutputStream in = null;
            Optional<byte[]> stdin = command.stdin();
            if (stdin.isPresent()) {
                in = channel.getOutputStream();
            } else {
                channel.setInputStream(null);
            }
            channel.connect(JschConnection.millis(config.connectTimeout()));
            if (in != null) {
                writeAndClose(in, stdin.get()); // small (RemoteCommand caps it): fits the channel window
            }
            long pause = 50_000; // ns; grows to 5 ms while the command runs
            while (!channel.isClosed()) {
                if (stdout.overflow || err.overflow) {
                    throw JugglerException.permanentFailure(command + " on " + target + " wrote more than " + MAX_OUTPUT_BYTES
                            + " bytes", null);
                }
                if (!channel.getSession().isConnected()) {
                    throw connection.broken(command + ": the connection to " + target + " broke while it ran", null);
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new UnavailableException(command + " on " + target + " did not finish within " + timeout
                            + "; its channel was closed", connection.unavailableSince().orElse(null), null);
                }
                LockSupport.parkNanos(pause);
                pause = Math.min(pause * 2, 5_000_000);
            }
            connection.answered();
            return new ExecResult(channel.getExitStatus(), stdout.toByteArray(), err.toByteArray(),
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (JSchException | IOException e) {
            throw connection.broken(command + " on " + target + " failed: " + e.getMessage(), e);
        } finally {
            if (channel != null) {
                channel.disconnect();
            }
            connection.release();
        }
    }

    private static void writeAndClose(OutputStream out, byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        out.close(); // EOF: sbatch and sh read to the end of their input
    }

    /** A thread-safe byte buffer that stops growing (and flags it) beyond {@link #MAX_OUTPUT_BYTES}. */
    private static final class BoundedBuffer extends ByteArrayOutputStream {
        volatile boolean overflow;

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            if (count + len > MAX_OUTPUT_BYTES) {
                overflow = true;
                return;
            }
            super.write(b, off, len);
        }

        @Override
        public synchronized void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }
    }
}
