package dev.juggler.slurm;

import dev.juggler.slurm.ssh.ExecResult;
import dev.juggler.slurm.ssh.RemoteCommand;
import dev.juggler.slurm.ssh.RemoteFiles;
import dev.juggler.slurm.ssh.SshClient;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * Decorates an {@link SshClient} to count remote commands by program (controller calls are
 * sbatch/squeue/sacct/scancel/scontrol) and to let tests tamper with results. Thread-safe.
 */
public final class CountingSsh implements SshClient {

    public static final Set<String> CONTROLLER = Set.of("sbatch", "squeue", "sacct", "scancel", "scontrol");

    private final SshClient delegate;
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    /** (command, result) → result to return; may throw. Identity by default. */
    public volatile BiFunction<RemoteCommand, ExecResult, ExecResult> tamper = (c, r) -> r;

    public CountingSsh(SshClient delegate) {
        this.delegate = delegate;
    }

    public int count(String program) {
        AtomicInteger c = counts.get(program);
        return c == null ? 0 : c.get();
    }

    public int controllerCalls() {
        return CONTROLLER.stream().mapToInt(this::count).sum();
    }

    @Override
    public ExecResult exec(RemoteCommand command) {
        counts.computeIfAbsent(command.argv().get(0), k -> new AtomicInteger()).incrementAndGet();
        return tamper.apply(command, delegate.exec(command));
    }

    @Override
    public RemoteFiles files() {
        return delegate.files();
    }

    @Override
    public Optional<Instant> unavailableSince() {
        return delegate.unavailableSince();
    }

    @Override
    public String target() {
        return delegate.target();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
