package dev.juggler.cluster;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.internal.NamedThreadFactory;
import dev.juggler.internal.ProcessTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default {@link ClusterBackend}: runs each worker job as a local operating-system process,
 * at most {@linkplain Builder#slots(int) slots} at a time. Meant for a laptop, a single big machine, and
 * tests of everything above the backend.
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>Job ids are {@code local-1}, {@code local-2}, ... in submission order, per backend instance.</li>
 *   <li>Every job takes one slot, whatever {@link JobSpec#cpus()}, {@link JobSpec#gpus()} or
 *       {@link JobSpec#memoryMegabytes()} say (those, and partition/account/qos/native options, are
 *       ignored locally). Jobs that find no free slot, or whose array already runs
 *       {@code maxConcurrent} jobs, stay {@link JobState#PENDING} and start first-in first-out as slots
 *       free up. Starting is driven by process-exit notifications, not by polling.</li>
 *   <li>A job runs {@link JobSpec#fullCommand()} directly (no shell; with a {@link JobSpec#prologue()}, the
 *       prologue lines run in {@code /bin/sh} first and then exec the command), in
 *       {@link JobSpec#workingDirectory()} (default: this JVM's), with this JVM's environment plus
 *       {@link JobSpec#environment()} and {@link JobSpec#secretEnvironment()} plus {@value ClusterBackend#JOB_ID_ENV} and
 *       {@value ClusterBackend#JOB_DEADLINE_ENV} (start + time limit, epoch milliseconds by the clock).
 *       Standard input is closed; standard output and error go together to
 *       {@code <outputDirectory>/<name>-<id>.out} (see {@link #outputFile(String)}), where the output
 *       directory is {@link JobSpec#outputDirectory()} or else the backend's.</li>
 *   <li>A job that outlives its {@link JobSpec#timeLimit()} (measured with the injected {@link Clock}) is
 *       sent SIGTERM, then SIGKILL after the {@linkplain Builder#killGracePeriod(Duration) grace period},
 *       and ends as {@link JobState#TIMEOUT}. {@link #cancel(Collection)} does the same and ends as
 *       {@link JobState#CANCELLED}; a pending job is cancelled without ever starting. Signals go to the
 *       process and all its descendants, as a batch system would kill the whole job.</li>
 *   <li>{@link #status()} maps exit status 0 to {@link JobState#COMPLETED} and anything else to
 *       {@link JobState#FAILED}; native state {@code exited} with the exit code, or {@code signaled} with
 *       reason {@code "killed by signal 9 (SIGKILL)"} when the process was killed by a signal nobody here
 *       sent (exit value 128 + n on POSIX). A process that could not be started is {@code FAILED} with
 *       native state {@code not-started}. A job whose process handle is lost (its exit cannot be
 *       observed) is {@link JobState#GONE}.</li>
 *   <li>Running workers are recorded under {@code <outputDirectory>/.juggler-local/}. A new backend over
 *       the same directory ends (SIGTERM, then SIGKILL after the grace period) the workers that a backend
 *       whose process died left running, so a host killed with SIGKILL leaves no orphans once it starts
 *       again; their unfinished frames go back to the ledger. Workers of a backend that is still alive
 *       are left alone.</li>
 *   <li>Finished jobs stay in {@link #status()} until more than {@value #MAX_FINISHED_RETAINED} have
 *       finished; then the oldest finished ones are forgotten, so a months-long run does not grow
 *       without bound.</li>
 *   <li>{@link #close()} cancels pending jobs; with {@linkplain Builder#cancelOnClose(boolean)
 *       cancelOnClose} (the default) it also terminates running jobs and their descendants, waits up to
 *       the grace period, kills what is left, and waits up to {@value #CLOSE_KILL_WAIT_MILLIS} ms more.
 *       It never installs a JVM shutdown hook: a host that wants its jobs killed on exit closes the
 *       backend.</li>
 * </ul>
 *
 * <p>Thread-safety: all methods may be called from any thread. State is guarded by one internal lock;
 * timers and exit notifications run on one daemon thread named {@code juggler-local-backend-<n>-1}.
 */
public final class LocalClusterBackend implements ClusterBackend {

    /** Default grace period between SIGTERM and SIGKILL: 10 seconds. */
    public static final Duration DEFAULT_KILL_GRACE_PERIOD = Duration.ofSeconds(10);

    /** Default for {@link Builder#cancelOnClose(boolean)}: {@code true}. */
    public static final boolean DEFAULT_CANCEL_ON_CLOSE = true;

    /** How many finished jobs {@link #status()} keeps reporting before forgetting the oldest. */
    public static final int MAX_FINISHED_RETAINED = 10_000;

    /** How long {@link #close()} waits for processes after SIGKILL, in milliseconds. */
    public static final long CLOSE_KILL_WAIT_MILLIS = 2_000;

    private static final Logger LOG = LoggerFactory.getLogger(LocalClusterBackend.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final int slots;
    private final Path outputDirectory;
    private final Clock clock;
    private final boolean cancelOnClose;
    private final Duration killGracePeriod;
    private final ScheduledExecutorService timers;
    private final Executor callbacks;
    private final LocalJobRegistry registry;
    private final LocalJobTermination termination;

    private final Object lock = new Object();
    /** All tracked jobs in submission order. Guarded by {@link #lock}. */
    private final Map<String, LocalJob> jobs = new LinkedHashMap<>();
    /** Jobs waiting for a slot, oldest first. Guarded by {@link #lock}. */
    private final Deque<LocalJob> pending = new ArrayDeque<>();
    private int running;
    private int finished;
    private long lastId;
    private boolean closed;

    private LocalClusterBackend(Builder b, Path outputDirectory) {
        this.slots = b.slots;
        this.outputDirectory = outputDirectory;
        this.clock = b.clock;
        this.cancelOnClose = b.cancelOnClose;
        this.killGracePeriod = b.killGracePeriod;
        this.registry = new LocalJobRegistry(outputDirectory);
        registry.endLeftovers(killGracePeriod);
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1,
                new NamedThreadFactory("juggler-local-backend-" + INSTANCES.incrementAndGet()));
        // Cancelled deadline timers of finished jobs would otherwise sit in the queue for up to 12 hours.
        executor.setRemoveOnCancelPolicy(true);
        this.timers = executor;
        this.termination = new LocalJobTermination(lock, timers, clock, killGracePeriod);
        // Exit notifications must be recorded even after close() stopped our thread, so that status()
        // stays truthful; then they run on the JDK's process reaper thread instead.
        this.callbacks = task -> {
            try {
                timers.execute(task);
            } catch (RejectedExecutionException e) {
                task.run();
            }
        };
    }

    /** A builder with the documented defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<String> submit(JobSpec spec, int count, int maxConcurrent) {
        Objects.requireNonNull(spec, "spec");
        if (count < 1) {
            throw InvalidConfigException.of("count", count, "must be >= 1");
        }
        if (maxConcurrent < 0) {
            throw InvalidConfigException.of("maxConcurrent", maxConcurrent, "must be >= 0 (0: no cap)");
        }
        Path outDir = spec.outputDirectory().map(Path::of).orElse(outputDirectory);
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw JugglerException.permanentFailure("cannot create the job output directory " + outDir + ": " + e, e);
        }
        List<String> ids = new ArrayList<>(count);
        synchronized (lock) {
            if (closed) {
                throw new JugglerException("LocalClusterBackend is closed; cannot submit " + spec.name());
            }
            LocalJob.ArrayGroup group = new LocalJob.ArrayGroup(maxConcurrent);
            for (int i = 0; i < count; i++) {
                String id = "local-" + (++lastId);
                LocalJob job = new LocalJob(id, spec, group, outDir.resolve(spec.name() + "-" + id + ".out").toAbsolutePath());
                jobs.put(id, job);
                pending.addLast(job);
                ids.add(id);
            }
            LOG.info("submitted {} x {} as {} (maxConcurrent {}, slots {})", count, spec.name(), ids, maxConcurrent,
                    slots);
            dispatchLocked();
        }
        return List.copyOf(ids);
    }

    @Override
    public List<JobStatus> status() {
        synchronized (lock) {
            // The exit notification may lag a moment behind the process; look directly so the snapshot
            // never reports RUNNING for a process that has already ended.
            boolean freed = false;
            for (LocalJob job : jobs.values()) {
                if (job.state == JobState.RUNNING && !job.process.isAlive()) {
                    freed |= finishFromExitLocked(job, null);
                }
            }
            if (freed) {
                dispatchLocked();
            }
            List<JobStatus> all = new ArrayList<>(jobs.size());
            for (LocalJob job : jobs.values()) {
                all.add(job.snapshot());
            }
            return all;
        }
    }

    @Override
    public void cancel(Collection<String> jobIds) {
        Objects.requireNonNull(jobIds, "jobIds");
        synchronized (lock) {
            for (String id : jobIds) {
                LocalJob job = jobs.get(id);
                if (job == null) {
                    continue;
                }
                if (job.state == JobState.PENDING) {
                    pending.remove(job);
                    endLocked(job, JobState.CANCELLED, "cancelled", "cancelled before it started", OptionalInt.empty());
                    LOG.info("cancelled pending job {}", id);
                } else if (job.state == JobState.RUNNING && job.ending == null) {
                    LOG.info("cancelling running job {} (SIGTERM, SIGKILL after {})", id, killGracePeriod);
                    termination.requestEndLocked(job, LocalJob.Ending.CANCEL, true);
                }
            }
        }
    }

    /**
     * The file that receives the job's standard output and error, absolute; empty for an id this
     * backend does not track.
     */
    public Optional<Path> outputFile(String jobId) {
        synchronized (lock) {
            LocalJob job = jobs.get(jobId);
            return job == null ? Optional.empty() : Optional.of(job.outputFile);
        }
    }

    /** The number of jobs that may run at once. */
    public int slots() {
        return slots;
    }

    /** The default directory for job output files (absolute). */
    public Path outputDirectory() {
        return outputDirectory;
    }

    @Override
    public void close() {
        List<LocalJob> stopping = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            // Nobody will start pending jobs after close, so leaving them PENDING would be a lie.
            for (LocalJob job : pending) {
                endLocked(job, JobState.CANCELLED, "cancelled", "backend closed before it started", OptionalInt.empty());
            }
            pending.clear();
            if (cancelOnClose) {
                for (LocalJob job : jobs.values()) {
                    if (job.state == JobState.RUNNING) {
                        if (job.ending == null) {
                            termination.requestEndLocked(job, LocalJob.Ending.CLOSE, false);
                        }
                        stopping.add(job);
                    }
                }
            }
        }
        if (!stopping.isEmpty()) {
            LOG.info("closing: terminating {} running job(s)", stopping.size());
            boolean interrupted = LocalLauncher.awaitExit(stopping, killGracePeriod.toNanos());
            for (LocalJob job : stopping) {
                ProcessTree.kill(job.treeForKill());
            }
            interrupted |= LocalLauncher.awaitExit(stopping, TimeUnit.MILLISECONDS.toNanos(CLOSE_KILL_WAIT_MILLIS));
            synchronized (lock) {
                for (LocalJob job : stopping) {
                    if (job.state == JobState.RUNNING && !job.process.isAlive()) {
                        finishFromExitLocked(job, null);
                    } else if (job.state == JobState.RUNNING) {
                        LOG.warn("job {} (pid {}) survived SIGKILL for {} ms", job.id, job.process.pid(),
                                CLOSE_KILL_WAIT_MILLIS);
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        timers.shutdownNow();
        LOG.debug("LocalClusterBackend closed");
    }

    /**
     * Times out every running job whose deadline has passed by the clock, now. The backend does this by
     * itself when a deadline comes; tests that advance a manual clock call it to skip the real wait.
     */
    void checkDeadlines() {
        synchronized (lock) {
            for (LocalJob job : jobs.values()) {
                termination.checkDeadlineLocked(job, false);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Internals. Methods named *Locked must be called while holding `lock`.

    private void dispatchLocked() {
        Iterator<LocalJob> it = pending.iterator();
        while (it.hasNext() && running < slots && !closed) {
            LocalJob job = it.next();
            if (job.group.atCap()) {
                continue; // its array is at its cap; later jobs of other arrays may still go
            }
            it.remove();
            startLocked(job);
        }
    }

    private void startLocked(LocalJob job) {
        JobSpec spec = job.spec;
        long start = clock.millis();
        long deadline = LocalLauncher.saturatedAdd(start, spec.timeLimit().toMillis());
        ProcessBuilder pb = LocalLauncher.processBuilder(job, deadline);
        Process process;
        try {
            process = pb.start();
        } catch (IOException | RuntimeException e) {
            LOG.warn("job {} could not start {}: {}", job.id, spec.fullCommand().get(0), e.toString());
            endLocked(job, JobState.FAILED, "not-started", "could not start: " + e.getMessage(), OptionalInt.empty());
            return;
        }
        LocalLauncher.closeStdin(job, process);
        job.process = process;
        registry.started(job.id, process.toHandle());
        job.state = JobState.RUNNING;
        job.nativeState = "running";
        job.deadlineMillis = deadline;
        running++;
        job.group.running++;
        termination.scheduleDeadlineLocked(job, Math.max(0, deadline - clock.millis()));
        process.onExit().whenCompleteAsync((p, error) -> onExit(job, error), callbacks);
        LOG.debug("started job {} as pid {}, output {}", job.id, process.pid(), job.outputFile);
    }

    private void onExit(LocalJob job, Throwable error) {
        synchronized (lock) {
            if (finishFromExitLocked(job, error)) {
                dispatchLocked();
            }
        }
    }

    /** Records the end of a running job from its process; returns whether a slot was freed. */
    private boolean finishFromExitLocked(LocalJob job, Throwable error) {
        if (job.state != JobState.RUNNING) {
            return false; // already recorded (status() and the exit notification race benignly)
        }
        running--;
        job.group.running--;
        if (error != null) {
            endLocked(job, JobState.GONE, "lost", "the process handle vanished: " + error, OptionalInt.empty());
            return true;
        }
        int code = job.process.exitValue();
        OptionalInt exit = OptionalInt.of(code);
        if (job.ending == LocalJob.Ending.CANCEL) {
            endLocked(job, JobState.CANCELLED, "cancelled", "cancelled by request", exit);
        } else if (job.ending == LocalJob.Ending.CLOSE) {
            endLocked(job, JobState.CANCELLED, "cancelled", "cancelled because the backend was closed", exit);
        } else if (job.ending == LocalJob.Ending.TIMEOUT) {
            endLocked(job, JobState.TIMEOUT, "timeout", "time limit " + job.spec.timeLimit() + " exceeded", exit);
        } else if (code == 0) {
            endLocked(job, JobState.COMPLETED, "exited", null, exit);
        } else {
            OptionalInt signal = ProcessTree.signalOf(code);
            if (signal.isPresent()) {
                int n = signal.getAsInt();
                endLocked(job, JobState.FAILED, "signaled", "killed by signal " + n + " (" + ProcessTree.signalName(n)
                        + ")", exit);
            } else {
                endLocked(job, JobState.FAILED, "exited", "exited with status " + code, exit);
            }
        }
        return true;
    }

    private void endLocked(LocalJob job, JobState state, String nativeState, String reason, OptionalInt exitCode) {
        if (job.process != null) {
            registry.ended(job.id);
        }
        job.state = state;
        job.nativeState = nativeState;
        job.reason = reason;
        job.exitCode = exitCode;
        job.cancelDeadlineTimer();
        finished++;
        LOG.info("job {} ({}) ended {} [{}]{}{}", job.id, job.spec.name(), state, nativeState,
                exitCode.isPresent() ? " exit " + exitCode.getAsInt() : "", reason == null ? "" : ": " + reason);
        forgetOldFinishedLocked();
    }

    private void forgetOldFinishedLocked() {
        if (finished <= MAX_FINISHED_RETAINED) {
            return;
        }
        Iterator<LocalJob> it = jobs.values().iterator();
        while (finished > MAX_FINISHED_RETAINED && it.hasNext()) {
            if (it.next().state.isTerminal()) {
                it.remove();
                finished--;
            }
        }
    }

    /**
     * Configures a {@link LocalClusterBackend}; every setter checks its value and names the field in the
     * {@link InvalidConfigException} it throws. Not thread-safe.
     */
    public static final class Builder {
        private int slots = Runtime.getRuntime().availableProcessors();
        private Path outputDirectory;
        private Clock clock = Clock.systemUTC();
        private boolean cancelOnClose = DEFAULT_CANCEL_ON_CLOSE;
        private Duration killGracePeriod = DEFAULT_KILL_GRACE_PERIOD;

        private Builder() {
        }

        /** How many jobs may run at once, {@code >= 1}; default: the number of available processors. */
        public Builder slots(int slots) {
            if (slots < 1) {
                throw InvalidConfigException.of("slots", slots, "must be >= 1");
            }
            this.slots = slots;
            return this;
        }

        /**
         * Where job output files go unless the {@link JobSpec} names a directory; absolute. Default: a new
         * temporary directory {@code juggler-local-jobs-*}, which is kept after close so the output can
         * be read.
         */
        public Builder outputDirectory(Path dir) {
            if (dir == null || !dir.isAbsolute()) {
                throw InvalidConfigException.of("outputDirectory", dir, "must be an absolute path");
            }
            this.outputDirectory = dir;
            return this;
        }

        /** The time source for job deadlines; default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = InvalidConfigException.required(clock, "clock");
            return this;
        }

        /** Whether {@link #close()} terminates running jobs; default {@code true}. */
        public Builder cancelOnClose(boolean cancelOnClose) {
            this.cancelOnClose = cancelOnClose;
            return this;
        }

        /** Time between SIGTERM and SIGKILL, {@code >= 0}; default {@link #DEFAULT_KILL_GRACE_PERIOD}. */
        public Builder killGracePeriod(Duration grace) {
            this.killGracePeriod = InvalidConfigException.requireNonNegative("killGracePeriod", grace);
            return this;
        }

        /**
         * Builds the backend and starts its timer thread.
         *
         * @throws JugglerException if the default output directory cannot be created
         */
        public LocalClusterBackend build() {
            Path dir = outputDirectory;
            try {
                if (dir == null) {
                    dir = Files.createTempDirectory("juggler-local-jobs-").toAbsolutePath();
                } else {
                    Files.createDirectories(dir);
                }
            } catch (IOException e) {
                throw JugglerException.permanentFailure("cannot create the job output directory " + (dir == null
                        ? "in " + System.getProperty("java.io.tmpdir") : dir) + ": " + e, e);
            }
            return new LocalClusterBackend(this, dir);
        }
    }
}
