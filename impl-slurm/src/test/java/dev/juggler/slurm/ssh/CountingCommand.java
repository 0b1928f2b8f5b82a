package dev.juggler.slurm.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/** Wraps a server-side command to count how many run at once (to check the client's channel bound). */
final class CountingCommand implements Command {
    private final Command delegate;
    private final AtomicInteger running;
    private final AtomicInteger max;
    private volatile boolean counted;

    CountingCommand(Command delegate, AtomicInteger running, AtomicInteger max) {
        this.delegate = delegate;
        this.running = running;
        this.max = max;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        delegate.setExitCallback((code, message, closeImmediately) -> {
            if (counted) {
                counted = false;
                running.decrementAndGet();
            }
            callback.onExit(code, message, closeImmediately);
        });
    }

    @Override
    public void setErrorStream(OutputStream err) {
        delegate.setErrorStream(err);
    }

    @Override
    public void setInputStream(InputStream in) {
        delegate.setInputStream(in);
    }

    @Override
    public void setOutputStream(OutputStream out) {
        delegate.setOutputStream(out);
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        int now = running.incrementAndGet();
        counted = true;
        max.accumulateAndGet(now, Math::max);
        delegate.start(channel, env);
    }

    @Override
    public void destroy(ChannelSession channel) throws Exception {
        if (counted) {
            counted = false;
            running.decrementAndGet();
        }
        delegate.destroy(channel);
    }
}
