package dev.juggler.slurm.cluster;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.UnavailableException;
import dev.juggler.cluster.ClusterBackend;
import dev.juggler.cluster.JobSpec;
import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import dev.juggler.slurm.internal.BatchScript;
import dev.juggler.slurm.internal.SlurmStates;
import dev.juggler.slurm.ssh.ExecResult;
import dev.juggler.slurm.ssh.RemoteCommand;
import dev.juggler.slurm.ssh.SshClient;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ClusterBackend} for SLURM, driven over one SSH connection with {@code sbatch}, {@code squeue},
 * {@code sacct} and {@code scancel}.
 *
 * <h2>Submitting</h2>
 * {@link #submit} generates a batch script from the {@link JobSpec} (see {@code BatchScript}: every
 * value single-quoted, the worker command {@code exec}ed, {@value ClusterBackend#JOB_ID_ENV} and
 * {@value ClusterBackend#JOB_DEADLINE_ENV} exported) and sends it to {@code sbatch --parsable} on
 * standard input. {@code count > 1} jobs become one array {@code --array=0-N%K} (split into several
 * arrays above {@link Builder#maxArraySize(int)}). Job ids are {@code <jobid>} for single jobs and
 * {@code <arrayjobid>_<task>} for array tasks, stable from pending to finished. Each submission carries
 * a unique {@code --comment=juggler:<tag>:<uuid>}: when an {@code sbatch} call fails ambiguously (the
 * connection broke, the controller timed out), the retry first looks for that comment with
 * {@code squeue} and adopts the jobs it finds, so nothing is ever submitted twice.
 *
 * <h2>Status</h2>
 * {@link #status()} makes <b>one</b> {@code squeue --me --states=all -r} call per poll and keeps the
 * lines whose comment starts with {@code juggler:<tag>:}; so all of this backend's jobs, array tasks
 * included, cost one controller call, and a new backend with the same {@link Builder#tag(String) tag}
 * adopts the jobs of its predecessor. Only jobs that vanished from squeue while active (squeue forgets
 * finished jobs after {@code MinJobAge}) are looked up with one {@code sacct} call; if accounting is
 * off they are reported {@link JobState#GONE} once. ({@code scontrol} reads the same in-memory table as
 * squeue, so it cannot know more.) Calls closer together than {@link Builder#minPollInterval(Duration)}
 * return the last snapshot. Native state, reason and exit code are kept in each {@link JobStatus}.
 *
 * <h2>Politeness and failures</h2>
 * Every controller call passes a rate limiter ({@link Builder#controllerCallsPerSecond(int)}), a
 * Resilience4j retry for transient failures (lost connection, "Socket timed out", "Unable to contact
 * slurm controller") and a circuit breaker: while the controller is down, calls fail fast with an
 * {@link UnavailableException} that says since when. Permanent errors (an invalid partition) are
 * {@link JugglerException}s that are neither retried nor counted by the breaker.
 *
 * <p>Thread-safety: all methods may be called from any thread; job tracking is guarded by one lock
 * and polls are serialised.
 */
public final class SlurmClusterBackend implements ClusterBackend {

    /** Default {@link Builder#minPollInterval(Duration)}: 30 s (SLURM admins ask for about a minute). */
    public static final Duration DEFAULT_MIN_POLL_INTERVAL = Duration.ofSeconds(30);
    /** Default {@link Builder#controllerCallsPerSecond(int)}. */
    public static final int DEFAULT_CONTROLLER_CALLS_PER_SECOND = 5;
    /** Default {@link Builder#maxArraySize(int)} (SLURM's default MaxArraySize is 1001). */
    public static final int DEFAULT_MAX_ARRAY_SIZE = 1000;
    /** Default retry attempts per controller call (including the first). */
    public static final int DEFAULT_RETRY_ATTEMPTS = 3;
    /** Default pause before the first retry (doubled for each further one). */
    public static final Duration DEFAULT_RETRY_WAIT = Duration.ofSeconds(2);
    /** Default time the breaker stays open before it lets one trial call through. */
    public static final Duration DEFAULT_BREAKER_OPEN = Duration.ofSeconds(30);
    /** Default output directory on the cluster when the spec names none. */
    public static final String DEFAULT_OUTPUT_DIRECTORY = "/tmp/juggler-jobs";

    private static final Logger LOG = LoggerFactory.getLogger(SlurmClusterBackend.class);
    private static final Pattern JOB_ID = Pattern.compile("[0-9]+(_[0-9]+)?");
    private static final Pattern TRANSIENT = Pattern.compile(
            "(?i)socket timed out|unable to contact slurm controller|connection refused|zero bytes were transmitted"
                    + "|temporarily unavailable|try again|communication connection failure|slurm_persist_conn"
                    + "|transport endpoint|connection reset|timed out");
    private static final String SQUEUE_FORMAT =
            "JobID:|,ArrayJobID:|,ArrayTaskID:|,State:|,exit_code:|,Comment:|,Name:|,Reason:|";

    private final SshClient ssh;
    private final String prefix;
    private final String tag;
    private final String defaultOutputDirectory;
    private final Duration minPollInterval;
    private final int maxArraySize;
    private final boolean cancelOnClose;
    private final Clock clock;
    private final RateLimiter rateLimiter;
    private final Retry retry;
    private final CircuitBreaker breaker;

    private final Object lock = new Object();
    /** Guarded by {@link #lock}: every job this backend tracks, in submission order, with its last status. */
    private final Map<String, JobStatus> tracked = new LinkedHashMap<>();
    private final Object pollLock = new Object();
    /** Guarded by {@link #pollLock}. */
    private Instant lastPoll;
    private List<JobStatus> lastSnapshot = List.of();
    private volatile Boolean accounting; // null: unknown yet
    private final Set<String> madeDirectories = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Instant> downSince = new AtomicReference<>();
    private volatile boolean closed;

    private SlurmClusterBackend(Builder b) {
        this.ssh = b.ssh;
        this.tag = b.tag;
        this.prefix = "juggler:" + b.tag + ":";
        this.defaultOutputDirectory = b.outputDirectory;
        this.minPollInterval = b.minPollInterval;
        this.maxArraySize = b.maxArraySize;
        this.cancelOnClose = b.cancelOnClose;
        this.clock = b.clock;
        this.rateLimiter = RateLimiter.of("slurm-" + tag, RateLimiterConfig.custom()
                .limitForPeriod(b.callsPerSecond)
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ofMinutes(5))
                .build());
        this.retry = Retry.of("slurm-" + tag, RetryConfig.custom()
                .maxAttempts(b.retryAttempts)
                .intervalFunction(io.github.resilience4j.core.IntervalFunction.ofExponentialBackoff(b.retryWait, 2.0))
                .retryOnException(e -> e instanceof UnavailableException)
                .build());
        this.breaker = CircuitBreaker.of("slurm-" + tag, CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(4)
                .minimumNumberOfCalls(2)
                .failureRateThreshold(50)
                .waitDurationInOpenState(b.breakerOpen)
                .permittedNumberOfCallsInHalfOpenState(1)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .recordException(e -> e instanceof UnavailableException)
                .build());
        breaker.getEventPublisher().onStateTransition(e -> LOG.warn("SLURM controller via {}: circuit {}", ssh.target(),
                e.getStateTransition()));
    }

    /** A builder over this SSH client (which the backend uses but does not close). */
    public static Builder builder(SshClient ssh) {
        return new Builder(ssh);
    }

    /** The tag that marks this backend's jobs ({@code --comment=juggler:<tag>:…}). */
    public String tag() {
        return tag;
    }

    /** The circuit breaker's state name ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}): for status panels. */
    public String breakerState() {
        return breaker.getState().name();
    }

    /** Since when the controller has been failing, empty while it answers. */
    public Optional<Instant> unavailableSince() {
        return Optional.ofNullable(downSince.get());
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
        ensureOpen();
        String outputDir = spec.outputDirectory().map(Object::toString).orElse(defaultOutputDirectory);
        ensureDirectory(outputDir);
        String script = BatchScript.script(spec, writeSecrets(spec, outputDir));
        List<String> ids = new ArrayList<>(count);
        for (int offset = 0; offset < count; offset += maxArraySize) {
            int n = Math.min(maxArraySize, count - offset);
            String comment = prefix + UUID.randomUUID();
            List<String> argv = BatchScript.sbatchArgs(spec, comment, outputDir, n, maxConcurrent);
            String base = submitOnce(argv, script, comment);
            List<String> chunk = new ArrayList<>(n);
            if (n == 1) {
                chunk.add(base);
            } else {
                for (int i = 0; i < n; i++) {
                    chunk.add(base + "_" + i);
                }
            }
            synchronized (lock) {
                for (String id : chunk) {
                    tracked.put(id, new JobStatus(id, spec.name(), JobState.PENDING, "PENDING", Optional.of("submitted"),
                            OptionalInt.empty()));
                }
            }
            ids.addAll(chunk);
            LOG.info("submitted {} job(s) {} as SLURM {} ({})", n, spec.name(), n == 1 ? "job" : "array", base);
        }
        return ids;
    }

    @Override
    public List<JobStatus> status() {
        ensureOpen();
        synchronized (pollLock) {
            Instant now = clock.instant();
            if (lastPoll != null && now.isBefore(lastPoll.plus(minPollInterval))) {
                return lastSnapshot;
            }
            List<JobStatus> snapshot = poll();
            lastPoll = clock.instant();
            lastSnapshot = snapshot;
            return snapshot;
        }
    }

    @Override
    public void cancel(Collection<String> jobIds) {
        ensureOpen();
        List<String> ids = new ArrayList<>();
        for (String id : jobIds) {
            if (!JOB_ID.matcher(id).matches()) {
                throw InvalidConfigException.of("jobId", id, "must be a SLURM job id like 123 or 123_4");
            }
            ids.add(id);
        }
        // scancel returns 0 for unknown and finished jobs, so "ignored" comes for free; batches keep the
        // command line short.
        for (int i = 0; i < ids.size(); i += 200) {
            List<String> argv = new ArrayList<>(List.of("scancel"));
            argv.addAll(ids.subList(i, Math.min(ids.size(), i + 200)));
            // A controller that does not answer is thrown inside the call, as for sbatch and squeue, so that
            // it is retried and counted by the circuit breaker; anything else is classified below.
            ExecResult r = controllerCall("scancel", () -> failIfTransient("scancel", run(RemoteCommand.of(argv))));
            if (!r.ok()) {
                throw classify("scancel", r);
            }
        }
    }

    /** Stops tracking; with {@link Builder#cancelOnClose(boolean)} cancels the active jobs first. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (cancelOnClose) {
            List<String> active = new ArrayList<>();
            synchronized (lock) {
                tracked.values().stream().filter(s -> s.state().isActive()).forEach(s -> active.add(s.jobId()));
            }
            try {
                if (!active.isEmpty()) {
                    cancel(active);
                }
            } catch (JugglerException e) {
                LOG.warn("could not cancel {} job(s) on close: {}", active.size(), e.getMessage());
            }
        }
        closed = true;
    }

    @Override
    public String toString() {
        return "SlurmClusterBackend[" + ssh.target() + ", tag=" + tag + "]";
    }

    // ---------------------------------------------------------------------------------------------

    private String submitOnce(List<String> argv, String script, String comment) {
        boolean[] attempted = {false};
        ExecResult result = controllerCall("sbatch", () -> {
            if (attempted[0]) {
                // An earlier attempt may have reached the controller: adopt what it submitted.
                Optional<String> existing = findByComment(comment);
                if (existing.isPresent()) {
                    LOG.warn("an earlier sbatch attempt had succeeded ({}); not submitting again", existing.get());
                    return new ExecResult(0, existing.get().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                            new byte[0], Duration.ZERO);
                }
            }
            attempted[0] = true;
            return failIfTransient("sbatch", run(RemoteCommand.of(argv).withStdin(script)));
        });
        if (!result.ok()) {
            throw classify("sbatch", result);
        }
        String out = result.out().trim();
        int semicolon = out.indexOf(';'); // "<id>;<cluster>" on multi-cluster setups
        String id = semicolon >= 0 ? out.substring(0, semicolon) : out;
        if (!id.matches("[0-9]+")) {
            throw new JugglerException("sbatch on " + ssh.target() + " answered '" + out + "' instead of a job id", false, null);
        }
        return id;
    }

    private Optional<String> findByComment(String comment) {
        ExecResult r = run(RemoteCommand.of("squeue", "--me", "-h", "--states=all", "-O", "ArrayJobID:|,Comment:|"));
        if (!r.ok()) {
            throw transientFailure("squeue", r);
        }
        for (String line : r.out().split("\n")) {
            String[] f = line.split("\\|", -1);
            if (f.length >= 2 && f[1].trim().equals(comment)) {
                return Optional.of(f[0].trim());
            }
        }
        return Optional.empty();
    }

    private List<JobStatus> poll() {
        ExecResult r = controllerCall("squeue", () -> {
            ExecResult q = run(RemoteCommand.of("squeue", "--me", "-h", "-r", "--states=all", "-O", SQUEUE_FORMAT));
            if (!q.ok()) {
                throw transientFailure("squeue", q); // squeue fails only when it cannot talk to the controller
            }
            return q;
        });
        Map<String, JobStatus> seen = new LinkedHashMap<>();
        for (String line : r.out().split("\n")) {
            String[] f = line.split("\\|", 8);
            if (f.length < 8 || !f[5].trim().startsWith(prefix)) {
                continue;
            }
            String jobId = f[0].trim();
            String arrayJob = f[1].trim();
            String task = f[2].trim();
            String nativeState = SlurmStates.nativeWord(f[3]);
            JobState state = SlurmStates.map(nativeState);
            OptionalInt exit = state.isTerminal() ? SlurmStates.waitStatusExit(f[4]) : OptionalInt.empty();
            String reason = f[7].endsWith("|") ? f[7].substring(0, f[7].length() - 1) : f[7];
            reason = reason.trim();
            Optional<String> why = reason.isEmpty() || reason.equals("None") ? Optional.empty() : Optional.of(reason);
            // Tasks that never started (pending, or cancelled while pending) can share one record whose
            // task field is a range such as "8-199" or "[2-9%2]": one status per task id.
            for (String id : ids(jobId, arrayJob, task)) {
                seen.put(id, new JobStatus(id, f[6].trim(), state, nativeState, why, exit));
            }
        }
        List<String> vanished = new ArrayList<>();
        synchronized (lock) {
            // An array cancelled before any task started stays one record under the array's own id:
            // it speaks for each of its tasks that has no record of its own.
            for (String id : List.copyOf(tracked.keySet())) {
                int underscore = id.indexOf('_');
                if (underscore > 0 && !seen.containsKey(id)) {
                    JobStatus whole = seen.get(id.substring(0, underscore));
                    if (whole != null) {
                        seen.put(id, copyAs(id, whole));
                    }
                }
            }
            tracked.putAll(seen); // also adopts jobs of an earlier backend with the same tag
            for (JobStatus s : tracked.values()) {
                if (!seen.containsKey(s.jobId()) && s.state().isActive()) {
                    vanished.add(s.jobId());
                }
            }
        }
        Map<String, JobStatus> resolved = vanished.isEmpty() ? Map.of() : accounting(vanished);
        List<JobStatus> snapshot = new ArrayList<>();
        synchronized (lock) {
            for (String id : vanished) {
                JobStatus old = tracked.get(id);
                if (old == null) {
                    continue;
                }
                JobStatus now = resolved.get(id);
                if (now == null || now.state().isActive()) {
                    now = new JobStatus(id, old.name(), JobState.GONE, "GONE",
                            Optional.of("no longer known to SLURM (last seen " + old.nativeState() + ")"), OptionalInt.empty());
                }
                tracked.put(id, now);
            }
            snapshot.addAll(tracked.values());
            // Terminal jobs squeue no longer lists have been reported with their final state: forget them.
            tracked.values().removeIf(s -> s.state().isTerminal() && !seen.containsKey(s.jobId()));
        }
        return List.copyOf(snapshot);
    }

    private static JobStatus copyAs(String id, JobStatus s) {
        return new JobStatus(id, s.name(), s.state(), s.nativeState(), s.reason(), s.exitCode());
    }

    static List<String> ids(String jobId, String arrayJob, String task) {
        if (task.isEmpty() || task.equals("N/A")) {
            return List.of(jobId);
        }
        String t = task.startsWith("[") && task.endsWith("]") ? task.substring(1, task.length() - 1) : task;
        int throttle = t.indexOf('%');
        if (throttle >= 0) {
            t = t.substring(0, throttle);
        }
        List<String> out = new ArrayList<>();
        for (String part : t.split(",")) {
            int dash = part.indexOf('-');
            try {
                if (dash < 0) {
                    out.add(arrayJob + "_" + Integer.parseInt(part.trim()));
                } else {
                    int from = Integer.parseInt(part.substring(0, dash).trim());
                    int to = Integer.parseInt(part.substring(dash + 1).trim());
                    for (int i = from; i <= to && out.size() < 100_000; i++) {
                        out.add(arrayJob + "_" + i);
                    }
                }
            } catch (NumberFormatException e) {
                LOG.debug("unexpected array task field '{}' for job {}", task, arrayJob);
            }
        }
        return out;
    }

    /** Final states of jobs squeue forgot, from sacct (one call per 200 jobs); empty if accounting is off. */
    private Map<String, JobStatus> accounting(List<String> ids) {
        Map<String, JobStatus> out = new LinkedHashMap<>();
        if (Boolean.FALSE.equals(accounting)) {
            return out;
        }
        // `sacct -j <array id>` lists every task of the array (and the whole array's record when none
        // started), so array tasks are asked for by their array: one short command line.
        java.util.LinkedHashSet<String> query = new java.util.LinkedHashSet<>();
        for (String id : ids) {
            int underscore = id.indexOf('_');
            query.add(underscore > 0 ? id.substring(0, underscore) : id);
        }
        List<String> all = new ArrayList<>(query);
        for (int i = 0; i < all.size(); i += 200) {
            String list = String.join(",", all.subList(i, Math.min(all.size(), i + 200)));
            ExecResult r = controllerCall("sacct", () -> failIfTransient("sacct", run(RemoteCommand.of("sacct", "-n", "-P",
                    "-X", "-j", list, "-o", "JobID,JobName,State,ExitCode,Reason"))));
            if (!r.ok()) {
                if (r.err().toLowerCase(java.util.Locale.ROOT).contains("accounting storage is disabled")) {
                    accounting = false;
                    LOG.info("SLURM accounting is off on {}; vanished jobs are reported GONE", ssh.target());
                } else {
                    LOG.warn("sacct failed on {}: {}", ssh.target(), r.err().trim());
                }
                return out;
            }
            accounting = true;
            for (String line : r.out().split("\n")) {
                String[] f = line.split("\\|", -1);
                if (f.length < 5) {
                    continue;
                }
                String id = f[0].trim();
                String nativeState = SlurmStates.nativeWord(f[2]);
                JobState state = SlurmStates.map(nativeState);
                String reason = f[4].trim();
                JobStatus template = new JobStatus(id, f[1], state, nativeState,
                        reason.isEmpty() || reason.equals("None") ? Optional.empty() : Optional.of(reason),
                        state.isTerminal() ? SlurmStates.sacctExit(f[3]) : OptionalInt.empty());
                int underscore = id.indexOf('_');
                // Array tasks that never started share one record such as "12_[7-199]".
                List<String> each = underscore < 0 ? List.of(id)
                        : ids(id, id.substring(0, underscore), id.substring(underscore + 1));
                for (String one : each) {
                    out.put(one, copyAs(one, template));
                }
            }
        }
        for (String id : ids) {
            int underscore = id.indexOf('_');
            if (underscore > 0 && !out.containsKey(id) && out.containsKey(id.substring(0, underscore))) {
                out.put(id, copyAs(id, out.get(id.substring(0, underscore))));
            }
        }
        return out;
    }

    /**
     * Writes the spec's secrets to a file only this user can read (umask 077, under a 0700 directory,
     * renamed into place) and returns its path; {@code null} when there are none. The values travel on
     * the SSH channel's standard input, never on a command line.
     */
    private String writeSecrets(JobSpec spec, String outputDir) {
        if (spec.secretEnvironment().isEmpty()) {
            return null;
        }
        String dir = (outputDir.endsWith("/") ? outputDir : outputDir + "/") + ".juggler-secrets";
        String file = dir + "/" + BatchScript.secretFileName(spec, tag);
        if (madeDirectories.contains(file)) {
            return file;
        }
        ExecResult r = run(RemoteCommand.script("umask 077 && mkdir -p -- \"$1\" && chmod 700 -- \"$1\" && "
                + "cat > \"$2.part\" && mv -f -- \"$2.part\" \"$2\"", List.of(dir, file))
                .withStdin(BatchScript.secretFile(spec)));
        if (!r.ok()) {
            throw new JugglerException("cannot write the job secrets file under " + dir + " on " + ssh.target() + ": "
                    + firstLine(r.err()), false, null);
        }
        madeDirectories.add(file);
        return file;
    }

    private void ensureDirectory(String dir) {
        if (madeDirectories.contains(dir)) {
            return;
        }
        ExecResult r = run(RemoteCommand.of("mkdir", "-p", "--", dir));
        if (!r.ok()) {
            throw new JugglerException("cannot create the job output directory " + dir + " on " + ssh.target() + ": "
                    + r.err().trim(), false, null);
        }
        madeDirectories.add(dir);
    }

    private ExecResult run(RemoteCommand command) {
        return ssh.exec(command);
    }

    /** Rate limit → circuit breaker → retry → the call; turns an open breaker into "unavailable since". */
    private <T> T controllerCall(String what, Supplier<T> call) {
        Supplier<T> limited = RateLimiter.decorateSupplier(rateLimiter, call);
        Supplier<T> retried = Retry.decorateSupplier(retry, limited);
        try {
            T result = breaker.executeSupplier(retried);
            downSince.set(null);
            return result;
        } catch (CallNotPermittedException e) {
            Instant since = downSince.get();
            throw new UnavailableException("the SLURM controller behind " + ssh.target() + " has been unavailable since "
                    + since + "; not calling it (" + what + ") while the circuit is open", since, e);
        } catch (UnavailableException e) {
            downSince.compareAndSet(null, e.since().orElse(clock.instant()));
            Instant since = downSince.get();
            throw new UnavailableException(what + " via " + ssh.target() + " failed (unavailable since " + since + "): "
                    + e.getMessage(), since, e);
        }
    }

    /** Throws when a command failed because the controller could not be reached; returns it otherwise. */
    private ExecResult failIfTransient(String what, ExecResult r) {
        if (!r.ok() && TRANSIENT.matcher(r.err()).find()) {
            throw transientFailure(what, r);
        }
        return r;
    }

    private UnavailableException transientFailure(String what, ExecResult r) {
        Instant since = downSince.get() != null ? downSince.get() : clock.instant();
        return new UnavailableException(what + " on " + ssh.target() + " exited " + r.exitCode() + ": " + firstLine(r.err()),
                since, null);
    }

    private JugglerException classify(String what, ExecResult r) {
        if (TRANSIENT.matcher(r.err()).find()) {
            return transientFailure(what, r);
        }
        return new JugglerException(what + " on " + ssh.target() + " refused (exit " + r.exitCode() + "): "
                + firstLine(r.err()), false, null);
    }

    private static String firstLine(String text) {
        String t = text.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl) + " …";
    }

    private void ensureOpen() {
        if (closed) {
            throw new JugglerException("the SLURM backend " + tag + " is closed", false, null);
        }
    }

    /**
     * Configures a {@link SlurmClusterBackend}; every setter checks its value and names the field in the
     * {@link InvalidConfigException} it throws. Not thread-safe.
     */
    public static final class Builder {
        private final SshClient ssh;
        private String tag;
        private String outputDirectory = DEFAULT_OUTPUT_DIRECTORY;
        private Duration minPollInterval = DEFAULT_MIN_POLL_INTERVAL;
        private int callsPerSecond = DEFAULT_CONTROLLER_CALLS_PER_SECOND;
        private int maxArraySize = DEFAULT_MAX_ARRAY_SIZE;
        private int retryAttempts = DEFAULT_RETRY_ATTEMPTS;
        private Duration retryWait = DEFAULT_RETRY_WAIT;
        private Duration breakerOpen = DEFAULT_BREAKER_OPEN;
        private boolean cancelOnClose;
        private Clock clock = Clock.systemUTC();

        private Builder(SshClient ssh) {
            if (ssh == null) {
                throw InvalidConfigException.of("ssh", null, "must be an SshClient (SshClient.open(config))");
            }
            this.ssh = ssh;
        }

        /**
         * Marks this backend's jobs; a backend with the same tag (after a restart) adopts them. Required,
         * and must stay the same for the life of a run: with a new tag, a restarted host would not see its
         * queued jobs and would submit as if nothing were queued.
         */
        public Builder tag(String value) {
            if (value == null || !value.matches("[A-Za-z0-9_.-]{1,32}")) {
                throw InvalidConfigException.of("tag", value, "1-32 characters from A-Z a-z 0-9 _ . -");
            }
            this.tag = value;
            return this;
        }

        /** Absolute directory on the cluster for job output when the spec names none; created on demand. */
        public Builder outputDirectory(String value) {
            if (value == null || !value.startsWith("/")) {
                throw InvalidConfigException.of("outputDirectory", value, "must be an absolute path on the cluster");
            }
            this.outputDirectory = value;
            return this;
        }

        /** Polls closer together than this return the last snapshot. */
        public Builder minPollInterval(Duration value) {
            this.minPollInterval = InvalidConfigException.requireNonNegative("minPollInterval", value);
            return this;
        }

        /** At most this many calls to the controller per second (each retry counts). */
        public Builder controllerCallsPerSecond(int value) {
            if (value < 1 || value > 1000) {
                throw InvalidConfigException.of("controllerCallsPerSecond", value, "must be 1..1000");
            }
            this.callsPerSecond = value;
            return this;
        }

        /** Largest array per sbatch call; larger submissions become several arrays. */
        public Builder maxArraySize(int value) {
            if (value < 1) {
                throw InvalidConfigException.of("maxArraySize", value, "must be >= 1 (SLURM's MaxArraySize - 1)");
            }
            this.maxArraySize = value;
            return this;
        }

        /** Attempts per controller call including the first, and the first back-off (doubling). */
        public Builder retry(int attempts, Duration firstWait) {
            if (attempts < 1) {
                throw InvalidConfigException.of("retry attempts", attempts, "must be >= 1");
            }
            InvalidConfigException.requirePositive("retry wait", firstWait);
            this.retryAttempts = attempts;
            this.retryWait = firstWait;
            return this;
        }

        /** How long the breaker stays open (fast "unavailable") before one trial call. */
        public Builder breakerOpenDuration(Duration value) {
            InvalidConfigException.requirePositive("breakerOpenDuration", value);
            this.breakerOpen = value;
            return this;
        }

        /** Cancel still-active jobs on {@link #close()}; default {@code false} (workers finish their work). */
        public Builder cancelOnClose(boolean value) {
            this.cancelOnClose = value;
            return this;
        }

        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        public SlurmClusterBackend build() {
            if (tag == null) {
                throw InvalidConfigException.of("tag", null, "is required: the tag is how a restarted juggler finds the"
                        + " jobs it submitted (status() lists every job with this tag); use one stable tag per run,"
                        + " e.g. the project's name");
            }
            return new SlurmClusterBackend(this);
        }
    }
}
