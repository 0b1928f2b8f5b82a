package dev.juggler.slurm.cluster;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.UnavailableException;
import dev.juggler.cluster.ClusterBackend;
import dev.juggler.cluster.JobSpec;
import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import dev.juggler.slurm.internal.BatchScript;
import dev.juggler.slurm.internal.ControllerGate;
import dev.juggler.slurm.internal.SlurmOutput;
import dev.juggler.slurm.ssh.ExecResult;
import dev.juggler.slurm.ssh.RemoteCommand;
import dev.juggler.slurm.ssh.SshClient;
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
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
 * {@link UnavailableException} that says since when; how long it stays open is measured with the injected
 * {@link Builder#clock(Clock) clock}. Permanent errors (an invalid partition) are
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

    private final SshClient ssh;
    private final String prefix;
    private final String tag;
    private final String defaultOutputDirectory;
    private final Duration minPollInterval;
    private final int maxArraySize;
    private final boolean cancelOnClose;
    private final Clock clock;
    private final ControllerGate gate;

    private final SlurmJobTracker tracker = new SlurmJobTracker();
    private final Object pollLock = new Object();
    /** Guarded by {@link #pollLock}. */
    private Instant lastPoll;
    private List<JobStatus> lastSnapshot = List.of();
    private volatile Boolean accounting; // null: unknown yet
    private final Set<String> madeDirectories = ConcurrentHashMap.newKeySet();
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
        this.gate = new ControllerGate("slurm-" + tag, ssh.target(), b.clock, b.callsPerSecond, b.retryAttempts,
                b.retryWait, b.breakerOpen);
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
        return gate.breakerState();
    }

    /** Since when the controller has been failing, empty while it answers. */
    public Optional<Instant> unavailableSince() {
        return gate.unavailableSince();
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
            tracker.submitted(chunk, spec.name());
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
            ExecResult r = gate.call("scancel", () -> gate.failIfTransient("scancel", run(RemoteCommand.of(argv))));
            if (!r.ok()) {
                throw gate.classify("scancel", r);
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
            List<String> active = tracker.active();
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
        ExecResult result = gate.call("sbatch", () -> {
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
            return gate.failIfTransient("sbatch", run(RemoteCommand.of(argv).withStdin(script)));
        });
        if (!result.ok()) {
            throw gate.classify("sbatch", result);
        }
        return SlurmOutput.sbatchJobId(result.out()).orElseThrow(() -> JugglerException.permanentFailure("sbatch on " + ssh.target()
                + " answered '" + result.out().trim() + "' instead of a job id", null));
    }

    private Optional<String> findByComment(String comment) {
        ExecResult r = run(RemoteCommand.of("squeue", "--me", "-h", "--states=all", "-O", SlurmOutput.COMMENT_FORMAT));
        if (!r.ok()) {
            throw gate.transientFailure("squeue", r);
        }
        return SlurmOutput.arrayJobWithComment(r.out(), comment);
    }

    private List<JobStatus> poll() {
        ExecResult r = gate.call("squeue", () -> {
            ExecResult q = run(RemoteCommand.of("squeue", "--me", "-h", "-r", "--states=all", "-O", SlurmOutput.SQUEUE_FORMAT));
            if (!q.ok()) {
                throw gate.transientFailure("squeue", q); // squeue fails only when it cannot talk to the controller
            }
            return q;
        });
        // Array tasks that never started share one record ("8-199", "[2-9%2]"): one status per task id.
        Map<String, JobStatus> seen = SlurmOutput.squeue(r.out(), prefix);
        List<String> vanished = tracker.seen(seen); // also adopts jobs of an earlier backend with the same tag
        Map<String, JobStatus> resolved = vanished.isEmpty() ? Map.of() : accounting(vanished);
        return tracker.settle(vanished, resolved, seen);
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
            ExecResult r = gate.call("sacct", () -> gate.failIfTransient("sacct", run(RemoteCommand.of("sacct", "-n", "-P",
                    "-X", "-j", list, "-o", SlurmOutput.SACCT_FIELDS))));
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
            // Array tasks that never started share one record such as "12_[7-199]".
            out.putAll(SlurmOutput.sacct(r.out()));
        }
        for (String id : ids) {
            int underscore = id.indexOf('_');
            if (underscore > 0 && !out.containsKey(id) && out.containsKey(id.substring(0, underscore))) {
                out.put(id, SlurmOutput.withId(id, out.get(id.substring(0, underscore))));
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
            throw JugglerException.permanentFailure("cannot write the job secrets file under " + dir + " on " + ssh.target() + ": "
                    + ControllerGate.firstLine(r.err()), null);
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
            throw JugglerException.permanentFailure("cannot create the job output directory " + dir + " on " + ssh.target() + ": "
                    + r.err().trim(), null);
        }
        madeDirectories.add(dir);
    }

    private ExecResult run(RemoteCommand command) {
        return ssh.exec(command);
    }

    private void ensureOpen() {
        if (closed) {
            throw JugglerException.permanentFailure("the SLURM backend " + tag + " is closed", null);
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

        /**
         * The time source for the poll interval, the start of an outage and the circuit breaker's open time
         * (a manual clock moves the breaker to half-open without waiting); default {@link Clock#systemUTC()}.
         */
        public Builder clock(Clock value) {
            this.clock = InvalidConfigException.required(value, "clock");
            return this;
        }

        /** The backend; refused without a {@link #tag(String) tag}. */
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
