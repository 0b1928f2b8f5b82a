package dev.juggler.run;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.cluster.ClusterBackend;
import dev.juggler.internal.Listeners;
import dev.juggler.ledger.ClaimRequest;
import dev.juggler.ledger.DamagedFrame;
import dev.juggler.ledger.Lease;
import dev.juggler.ledger.LeaseLostException;
import dev.juggler.ledger.ResultStore;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.ledger.WorkQueue;
import dev.juggler.pipeline.CheckpointingSink;
import dev.juggler.pipeline.FramePipeline;
import dev.juggler.pipeline.PipelineReport;
import dev.juggler.pipeline.PipelineRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The program inside one cluster job: claims as many frames as it can finish in its remaining time,
 * runs the pipeline over them, heartbeats with a checkpoint as results become durable, completes, and
 * repeats until nothing is claimable, its time budget ends, or it is asked to stop (SIGTERM). A failing
 * range (a broken video) is recorded in the ledger with its reason and the worker moves on.
 *
 * <p>Adaptive chunk size: the worker measures its own rate in frames per second and asks for
 * {@code rate × min(remaining time, target chunk duration)} frames, so a job cut off by the time limit
 * leaves little behind and what it leaves returns to the ledger as a new chunk.
 *
 * <p>Checkpoint policy: the worker owns it. Each range runs with one {@link CheckpointingSink} that buffers
 * results for the result store and, every {@link Builder#checkpointEveryFrames} frames or
 * {@link Builder#checkpointInterval}, flushes them and then heartbeats with the checkpoint; the pipeline only
 * delivers results in frame order and reports frames done.
 *
 * <p>{@link #run()} is called once, from one thread; {@link #requestStop()} may be called from any
 * thread (a signal handler, a shutdown hook the host installs).
 */
public final class Worker {

    /** Default time kept free before the job's end to checkpoint and return the rest. */
    public static final Duration DEFAULT_SAFETY_MARGIN = Duration.ofMinutes(2);
    /** Default lease duration; heartbeats extend it. */
    public static final Duration DEFAULT_LEASE_DURATION = Duration.ofMinutes(10);
    /** Default frames per claim before the worker has measured its own rate. */
    public static final long DEFAULT_INITIAL_CHUNK_FRAMES = 500;
    /** Default upper bound of frames per claim. */
    public static final long DEFAULT_MAX_CHUNK_FRAMES = 100_000;
    /** Default time one claim should take at the measured rate. */
    public static final Duration DEFAULT_TARGET_CHUNK_DURATION = Duration.ofMinutes(15);
    /** Default results per ledger write. */
    public static final int DEFAULT_RESULT_BATCH = 256;
    /** Default checkpoint period in frames. */
    public static final int DEFAULT_CHECKPOINT_FRAMES = CheckpointingSink.DEFAULT_CHECKPOINT_FRAMES;
    /** Default checkpoint period in time. */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = CheckpointingSink.DEFAULT_CHECKPOINT_INTERVAL;

    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    /** Why {@link #run()} returned. */
    public enum StopReason {
        /** Nothing claimable was left. */
        NO_WORK,
        /** The job's time budget was used up. */
        BUDGET,
        /** {@link #requestStop()} was called. */
        STOP_REQUESTED,
        /** The ledger could not be reached. */
        LEDGER_UNAVAILABLE
    }

    /**
     * What a worker did. Immutable and thread-safe.
     *
     * @param framesDone frames whose results were stored and completed
     * @param rangesCompleted leases completed in full
     * @param rangesFailed leases that ended with a recorded failure
     * @param leasesLost leases revoked or reaped while being worked on
     * @param failures the recorded failure reasons, in order
     * @param stopReason why the worker stopped
     * @param framesPerSecond the measured rate over all ranges
     */
    public record Report(long framesDone, int rangesCompleted, int rangesFailed, int leasesLost, List<String> failures,
            StopReason stopReason, double framesPerSecond) {
        public Report {
            failures = List.copyOf(failures);
        }
    }

    /** Told what the worker does; methods are called on the worker's thread and must be fast. */
    public interface Listener {
        default void onClaimed(Lease lease) {
        }

        default void onRangeFinished(Lease lease, PipelineReport report) {
        }
    }

    private final WorkQueue queue;
    private final ResultStore results;
    private final FramePipeline pipeline;
    private final String workerId;
    private final Optional<String> jobId;
    private final Optional<Instant> deadline;
    private final Duration safetyMargin;
    private final Duration leaseDuration;
    private final long initialChunkFrames;
    private final long maxChunkFrames;
    private final Duration targetChunkDuration;
    private final int resultBatch;
    private final int checkpointFrames;
    private final Duration checkpointInterval;
    private final Optional<String> analysis;
    private final Clock clock;
    private final Listeners<Listener> listeners = new Listeners<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();

    private Worker(Builder b) {
        this.queue = b.queue;
        this.results = b.results;
        this.pipeline = b.pipeline;
        this.workerId = b.workerId;
        this.jobId = Optional.ofNullable(b.jobId);
        this.deadline = Optional.ofNullable(b.deadline);
        this.safetyMargin = b.safetyMargin;
        this.leaseDuration = b.leaseDuration;
        this.initialChunkFrames = b.initialChunkFrames;
        this.maxChunkFrames = b.maxChunkFrames;
        this.targetChunkDuration = b.targetChunkDuration;
        this.resultBatch = b.resultBatch;
        this.checkpointFrames = b.checkpointFrames;
        this.checkpointInterval = b.checkpointInterval;
        this.analysis = Optional.ofNullable(b.analysis);
        this.clock = b.clock;
        listeners.addAll(b.listeners);
    }

    /** A worker on one ledger, which is both its work queue and its result store. */
    public static Builder builder(WorkLedger ledger, FramePipeline pipeline) {
        return new Builder(ledger, ledger, pipeline);
    }

    /** A worker that claims from {@code queue} and writes its results to {@code results}. */
    public static Builder builder(WorkQueue queue, ResultStore results, FramePipeline pipeline) {
        return new Builder(queue, results, pipeline);
    }

    /** Asks the worker to checkpoint, return the rest of its range and stop. Thread-safe, idempotent. */
    public void requestStop() {
        stop.set(true);
    }

    /** Works until there is nothing left, the budget ends or a stop is requested. Call once. */
    public Report run() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("worker " + workerId + " has already run");
        }
        long framesDone = 0;
        long measuredFrames = 0;
        double measuredSeconds = 0;
        int completed = 0;
        int failed = 0;
        int lost = 0;
        List<String> failures = new ArrayList<>();
        StopReason reason;
        while (true) {
            if (stop.get()) {
                reason = StopReason.STOP_REQUESTED;
                break;
            }
            double rate = measuredSeconds > 0 ? measuredFrames / measuredSeconds : 0;
            long maxFrames = framesToClaim(rate);
            if (maxFrames < 1) {
                reason = StopReason.BUDGET;
                break;
            }
            Optional<Lease> claimed;
            try {
                ClaimRequest request = new ClaimRequest(workerId, jobId, maxFrames, leaseDuration, analysis);
                claimed = queue.claim(request);
            } catch (JugglerException e) {
                LOG.error("worker {}: cannot claim work: {}", workerId, e.getMessage(), e);
                reason = StopReason.LEDGER_UNAVAILABLE;
                break;
            }
            if (claimed.isEmpty()) {
                reason = StopReason.NO_WORK;
                break;
            }
            Lease lease = claimed.get();
            listeners.fire(l -> l.onClaimed(lease));
            Outcome outcome = work(lease);
            framesDone += outcome.framesDone;
            if (outcome.report != null && outcome.report.framesDone() > 0) {
                measuredFrames += outcome.report.framesDone();
                measuredSeconds += outcome.report.wall().toNanos() / 1e9;
            }
            switch (outcome.kind) {
                case COMPLETED -> completed++;
                case FAILED -> {
                    failed++;
                    failures.add(outcome.detail);
                }
                case LOST -> lost++;
                case LEDGER_DOWN -> failures.add(outcome.detail);
            }
            if (outcome.kind == OutcomeKind.LEDGER_DOWN) {
                reason = StopReason.LEDGER_UNAVAILABLE;
                break;
            }
        }
        double rate = measuredSeconds > 0 ? measuredFrames / measuredSeconds : 0;
        Report report = new Report(framesDone, completed, failed, lost, failures, reason, rate);
        LOG.info("worker {} stopped ({}): {} frames, {} ranges done, {} failed, {} leases lost, {} frames/s", workerId,
                reason, framesDone, completed, failed, lost, String.format(java.util.Locale.ROOT, "%.1f", rate));
        return report;
    }

    /** How many frames to ask for: what fits into the remaining budget at the measured rate. */
    long framesToClaim(double framesPerSecond) {
        Duration window = targetChunkDuration;
        if (deadline.isPresent()) {
            Duration remaining = Duration.between(clock.instant(), deadline.get()).minus(safetyMargin);
            if (remaining.isNegative() || remaining.isZero()) {
                return 0;
            }
            window = remaining.compareTo(window) < 0 ? remaining : window;
        }
        if (framesPerSecond <= 0) {
            return Math.min(initialChunkFrames, maxChunkFrames);
        }
        long frames = (long) Math.floor(framesPerSecond * window.toNanos() / 1e9);
        return Math.max(1, Math.min(frames, maxChunkFrames));
    }

    private enum OutcomeKind { COMPLETED, FAILED, LOST, LEDGER_DOWN }

    private record Outcome(OutcomeKind kind, long framesDone, PipelineReport report, String detail) {
    }

    private Outcome work(Lease lease) {
        AtomicReference<Lease> current = new AtomicReference<>(lease);
        AtomicBoolean leaseLost = new AtomicBoolean();
        CheckpointingSink sink = new CheckpointingSink(new ResultBuffer(results, resultBatch),
                next -> heartbeat(current, next, leaseLost), lease.range().from(), checkpointFrames, checkpointInterval,
                clock);
        PipelineRequest request = PipelineRequest.checkpointed(lease.trackId(), lease.videoLocation(), lease.range(),
                sink, () -> stop.get() || budgetSpent());
        PipelineReport report;
        try {
            report = pipeline.run(request);
        } catch (RuntimeException e) {
            // A pipeline that throws instead of reporting is a bug; record it against the range so the
            // frames come back to pending instead of waiting for the lease to expire.
            LOG.error("worker {}: pipeline threw on {}", workerId, lease, e);
            return recordFailure(current.get(), lease.range().from(), "pipeline error: " + e, false, null);
        }
        listeners.fire(l -> l.onRangeFinished(current.get(), report));
        LOG.info("worker {}: video {} {}: {} frames at {} frames/s; {}", workerId, lease.videoId(), lease.range(),
                report.framesDone(), String.format(java.util.Locale.ROOT, "%.1f", report.framesPerSecond()),
                report.stagesSummary());
        if (leaseLost.get()) {
            return new Outcome(OutcomeKind.LOST, 0, report, "lease lost");
        }
        // A run that failed in the sink reports the frames it handed over; only the sink knows which are stored.
        long done = Math.min(report.doneUntil(), sink.durableUntil());
        List<DamagedFrame> damaged = sink.damaged().stream().filter(d -> d.frame() < done).toList();
        if (report.failure().isPresent()) {
            JugglerException failure = report.failure().get();
            // fail() would mark the damaged frames done: those from the first one on are redone instead.
            long kept = damaged.isEmpty() ? done : damaged.get(0).frame();
            return recordFailure(current.get(), kept, failure.getMessage(), !failure.isTransient(), report);
        }
        if (!damaged.isEmpty()) {
            LOG.warn("worker {}: video {} {}: {} damaged frame(s) recorded as failed, the first {}: {}", workerId,
                    lease.videoId(), lease.range(), damaged.size(), damaged.get(0).frame(), damaged.get(0).reason());
        }
        try {
            queue.complete(current.get(), done, damaged);
            return new Outcome(OutcomeKind.COMPLETED, done - lease.range().from(), report, null);
        } catch (LeaseLostException e) {
            LOG.warn("worker {}: {}", workerId, e.getMessage());
            return new Outcome(OutcomeKind.LOST, 0, report, e.getMessage());
        } catch (JugglerException e) {
            LOG.error("worker {}: cannot complete {}: {}", workerId, lease, e.getMessage(), e);
            return new Outcome(OutcomeKind.LEDGER_DOWN, 0, report, e.getMessage());
        }
    }

    private Outcome recordFailure(Lease lease, long doneUntil, String reason, boolean permanent, PipelineReport report) {
        LOG.warn("worker {}: frames {} of video {} failed from frame {}: {}", workerId, lease.range(), lease.videoId(),
                doneUntil, reason);
        try {
            queue.fail(lease, doneUntil, reason, permanent);
            return new Outcome(OutcomeKind.FAILED, doneUntil - lease.range().from(), report,
                    "video " + lease.videoId() + " " + lease.range() + ": " + reason);
        } catch (LeaseLostException e) {
            return new Outcome(OutcomeKind.LOST, 0, report, e.getMessage());
        } catch (JugglerException e) {
            LOG.error("worker {}: cannot record the failure of {}: {}", workerId, lease, e.getMessage(), e);
            return new Outcome(OutcomeKind.LEDGER_DOWN, 0, report, e.getMessage());
        }
    }

    private boolean heartbeat(AtomicReference<Lease> current, long next, AtomicBoolean leaseLost) {
        try {
            current.set(queue.heartbeat(current.get(), next));
        } catch (LeaseLostException e) {
            LOG.warn("worker {}: {}; abandoning the range", workerId, e.getMessage());
            leaseLost.set(true);
            return false;
        } catch (JugglerException e) {
            // The lease may still be alive: keep working and let completion decide.
            LOG.warn("worker {}: heartbeat failed, going on: {}", workerId, e.getMessage());
        }
        return !stop.get() && !budgetSpent();
    }

    private boolean budgetSpent() {
        return deadline.isPresent() && !clock.instant().isBefore(deadline.get().minus(safetyMargin));
    }

    /** A default worker id: host name and process id. */
    public static String defaultWorkerId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        return host + ":" + ProcessHandle.current().pid();
    }

    /** Configures a {@link Worker}; setters check their values. Not thread-safe. */
    public static final class Builder {
        private final WorkQueue queue;
        private final ResultStore results;
        private final FramePipeline pipeline;
        private String workerId = defaultWorkerId();
        private String jobId;
        private Instant deadline;
        private Duration safetyMargin = DEFAULT_SAFETY_MARGIN;
        private Duration leaseDuration = DEFAULT_LEASE_DURATION;
        private long initialChunkFrames = DEFAULT_INITIAL_CHUNK_FRAMES;
        private long maxChunkFrames = DEFAULT_MAX_CHUNK_FRAMES;
        private Duration targetChunkDuration = DEFAULT_TARGET_CHUNK_DURATION;
        private int resultBatch = DEFAULT_RESULT_BATCH;
        private int checkpointFrames = DEFAULT_CHECKPOINT_FRAMES;
        private Duration checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;
        private String analysis;
        private Clock clock = Clock.systemUTC();
        private final List<Listener> listeners = new ArrayList<>();

        private Builder(WorkQueue queue, ResultStore results, FramePipeline pipeline) {
            this.queue = InvalidConfigException.required(queue, "queue");
            this.results = InvalidConfigException.required(results, "results");
            this.pipeline = InvalidConfigException.required(pipeline, "pipeline");
        }

        /**
         * Reads the job id and deadline that a {@link ClusterBackend} gives its jobs
         * ({@link ClusterBackend#JOB_ID_ENV}, {@link ClusterBackend#JOB_DEADLINE_ENV}); absent variables are
         * ignored.
         */
        public Builder fromEnvironment(Map<String, String> env) {
            String id = env.get(ClusterBackend.JOB_ID_ENV);
            if (id != null && !id.isBlank()) {
                jobId(id);
            }
            String end = env.get(ClusterBackend.JOB_DEADLINE_ENV);
            if (end != null && !end.isBlank()) {
                try {
                    deadline(Instant.ofEpochMilli(Long.parseLong(end.trim())));
                } catch (NumberFormatException e) {
                    throw InvalidConfigException.of(ClusterBackend.JOB_DEADLINE_ENV, end, "must be epoch milliseconds");
                }
            }
            return this;
        }

        public Builder workerId(String id) {
            if (id == null || id.isBlank()) {
                throw InvalidConfigException.of("workerId", id, "must not be blank");
            }
            this.workerId = id;
            return this;
        }

        public Builder jobId(String id) {
            if (id == null || id.isBlank()) {
                throw InvalidConfigException.of("jobId", id, "must not be blank");
            }
            this.jobId = id;
            return this;
        }

        /** When the job will be killed; the worker stops claiming {@link #safetyMargin} before it. */
        public Builder deadline(Instant end) {
            this.deadline = InvalidConfigException.required(end, "deadline");
            return this;
        }

        public Builder safetyMargin(Duration margin) {
            this.safetyMargin = InvalidConfigException.requireNonNegative("safetyMargin", margin);
            return this;
        }

        public Builder leaseDuration(Duration duration) {
            if (duration == null || duration.compareTo(Duration.ofSeconds(1)) < 0) {
                throw InvalidConfigException.of("leaseDuration", duration, "must be at least 1 s");
            }
            this.leaseDuration = duration;
            return this;
        }

        public Builder initialChunkFrames(long frames) {
            if (frames < 1) {
                throw InvalidConfigException.of("initialChunkFrames", frames, "must be >= 1");
            }
            this.initialChunkFrames = frames;
            return this;
        }

        public Builder maxChunkFrames(long frames) {
            if (frames < 1) {
                throw InvalidConfigException.of("maxChunkFrames", frames, "must be >= 1");
            }
            this.maxChunkFrames = frames;
            return this;
        }

        public Builder targetChunkDuration(Duration duration) {
            if (duration == null || duration.compareTo(Duration.ofSeconds(1)) < 0) {
                throw InvalidConfigException.of("targetChunkDuration", duration, "must be at least 1 s");
            }
            this.targetChunkDuration = duration;
            return this;
        }

        public Builder resultBatch(int results) {
            if (results < 1) {
                throw InvalidConfigException.of("resultBatch", results, "must be >= 1");
            }
            this.resultBatch = results;
            return this;
        }

        /** Flush results and heartbeat at least every this many frames; default 250. */
        public Builder checkpointEveryFrames(int frames) {
            this.checkpointFrames = CheckpointingSink.requireFrames(frames);
            return this;
        }

        /** Flush results and heartbeat at least this often (by the worker's clock); default 30 s. */
        public Builder checkpointInterval(Duration interval) {
            this.checkpointInterval = CheckpointingSink.requireInterval(interval);
            return this;
        }

        /** Only claim tracks of this analysis. */
        public Builder analysis(String name) {
            if (name == null || name.isBlank()) {
                throw InvalidConfigException.of("analysis", name, "must not be blank");
            }
            this.analysis = name;
            return this;
        }

        public Builder clock(Clock value) {
            this.clock = InvalidConfigException.required(value, "clock");
            return this;
        }

        public Builder listener(Listener listener) {
            listeners.add(InvalidConfigException.required(listener, "listener"));
            return this;
        }

        public Worker build() {
            return new Worker(this);
        }
    }
}
