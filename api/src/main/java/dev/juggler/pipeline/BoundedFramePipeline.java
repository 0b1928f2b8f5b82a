package dev.juggler.pipeline;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.accel.Accelerator;
import dev.juggler.accel.StageTimed;
import dev.juggler.internal.Listeners;
import dev.juggler.internal.NamedThreadFactory;
import dev.juggler.ledger.FrameResult;
import dev.juggler.video.FrameRange;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The portable pipeline engine: one decoding thread, one preprocessing thread and N inference threads
 * joined by bounded queues, with results delivered in frame order on the calling thread.
 *
 * <pre>
 * decode ─▶ [decode queue] ─▶ preprocess ─▶ [inference queue] ─▶ N × (batch ▶ infer ▶ encode) ─▶ reorder ─▶ sink
 * </pre>
 *
 * <p>Memory is fixed by {@link Builder#maxInFlight(int)}: a frame takes a permit before it is decoded
 * and gives it back when its result has been delivered, so however long the video and however uneven
 * the inference threads, at most that many frames exist at once. A broken video or a failing model ends
 * the run with a {@link PipelineReport#failure()}; the frames before the failure are delivered.
 *
 * <p>Per-stage metrics: the {@link PipelineReport} carries decode, inference and whole-loop latency, and
 * {@link PipelineListener}s receive {@link PipelineProgress} snapshots (rate, queue depths, latencies)
 * every {@link Builder#progressInterval} and at the end of a run. With {@link Builder#recycleFrames} the
 * decoded frames' buffers are handed back to the source after preprocessing and reused.
 *
 * <p>It keeps no checkpoint policy: it reports every delivered frame to the request's checkpoint listener
 * ({@link ResultDelivery}), and the run's owner decides when to flush and checkpoint ({@link CheckpointingSink}).
 * The stages live in {@code DecodeStage}, {@code InferenceStage}, {@code RunState} (what they share) and
 * {@code RunStats}.
 *
 * <p>Thread-safe; {@link #run} calls are serialised (one run at a time per pipeline). Closing the pipeline
 * during a run ends that run as stopped, with the frames delivered so far. The pipeline owns its threads and closes the accelerator only if told to ({@link Builder#closeAcceleratorOnClose}).
 *
 * @param <I> the model input per frame
 * @param <O> the model output per frame
 */
public final class BoundedFramePipeline<I, O> implements FramePipeline {

    /** Default bound on frames in flight between decoding and delivery. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 64;
    /** Default capacity of each queue between stages. */
    public static final int DEFAULT_QUEUE_CAPACITY = 16;
    /** Default time an inference thread waits to fill a batch. */
    public static final Duration DEFAULT_MAX_BATCH_WAIT = Duration.ofMillis(5);
    /** Default period of {@link PipelineListener} progress events. */
    public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(BoundedFramePipeline.class);

    /** Turns a model output into the stored payload of one frame. Must be thread-safe. */
    @FunctionalInterface
    public interface ResultEncoder<O> {
        String encode(FrameInfo frame, O output);
    }

    private final FrameSourceFactory sources;
    private final Function<Frame, I> preprocess;
    private final Accelerator<I, O> accelerator;
    private final ResultEncoder<O> encoder;
    private final int maxInFlight;
    private final int queueCapacity;
    private final int inferenceThreads;
    private final int maxBatchSize;
    private final Duration maxBatchWait;
    private final boolean closeAccelerator;
    private final boolean recycleFrames;
    private final Duration progressInterval;
    private final Listeners<PipelineListener> listeners = new Listeners<>();
    private final Clock clock;
    private final ExecutorService threads;
    private final RunGate gate = new RunGate();
    // The state of the run in progress, so that close() can end it.
    private volatile RunState<?> active;

    private BoundedFramePipeline(Builder<I, O> b) {
        this.sources = b.sources;
        this.preprocess = b.preprocess;
        this.accelerator = b.accelerator;
        this.encoder = b.encoder;
        this.maxInFlight = b.maxInFlight;
        this.queueCapacity = b.queueCapacity;
        this.inferenceThreads = b.inferenceThreads;
        this.maxBatchSize = b.maxBatchSize > 0 ? b.maxBatchSize : Math.max(1, accelerator.maxBatchSize());
        this.maxBatchWait = b.maxBatchWait;
        this.closeAccelerator = b.closeAccelerator;
        this.recycleFrames = b.recycleFrames;
        this.progressInterval = b.progressInterval;
        this.listeners.addAll(b.listeners);
        this.clock = b.clock;
        this.threads = Executors.newCachedThreadPool(new NamedThreadFactory(b.threadNamePrefix));
    }

    /**
     * Starts a builder.
     *
     * @param sources opens the video of each run
     * @param preprocess turns a decoded frame into the model input (runs on the preprocessing thread; the
     *     frame's pixels must be copied if the input keeps them beyond the call)
     * @param accelerator runs the model
     * @param encoder serialises one model output (runs on the inference threads)
     */
    public static <I, O> Builder<I, O> builder(FrameSourceFactory sources, Function<Frame, I> preprocess,
            Accelerator<I, O> accelerator, ResultEncoder<O> encoder) {
        return new Builder<>(sources, preprocess, accelerator, encoder);
    }

    @Override
    public PipelineReport run(PipelineRequest request) {
        Objects.requireNonNull(request, "request");
        return gate.run(() -> new Run(request).execute());
    }

    @Override
    public void close() {
        if (gate.close()) {
            RunState<?> running = active;
            if (running != null) {
                // Closing ends a run like a stop request: the delivering thread reports what it delivered.
                running.markStopped();
                running.abandon();
            }
            threads.shutdownNow();
            if (closeAccelerator) {
                accelerator.close();
            }
        }
    }


    /**
     * One execution of a request: starts the decoding, preprocessing and inference threads, then delivers
     * their results in frame order on the calling thread (the ordering and writing stage).
     */
    private final class Run {
        private final PipelineRequest request;
        private final FrameRange range;
        private final RunState<I> state;
        private final RunStats stats;

        Run(PipelineRequest request) {
            this.request = request;
            this.range = request.range();
            this.state = new RunState<>(request.videoLocation(), maxInFlight, queueCapacity);
            this.stats = new RunStats(range);
        }

        PipelineReport execute() {
            if (range.isEmpty()) {
                return stats.report(range.from(), null, false, Map.of());
            }
            Map<String, StageTimed.StageTotal> stagesBefore = stageTotals();
            FrameSource source;
            try {
                source = sources.open(request.videoLocation(), range);
            } catch (JugglerException e) {
                return stats.unopened(e);
            } catch (RuntimeException e) {
                return stats.unopened(JugglerException.permanentFailure("cannot open " + request.videoLocation() + ": " + e, e));
            }
            DecodeStage<I> decoding = new DecodeStage<>(request, state, stats, preprocess, recycleFrames, inferenceThreads);
            InferenceStage<I, O> inference = new InferenceStage<>(request, state, stats, accelerator, encoder, maxBatchSize,
                    maxBatchWait);
            List<Future<?>> tasks = new ArrayList<>();
            active = state;
            try {
                tasks.add(threads.submit(() -> decoding.decode(source)));
                tasks.add(threads.submit(() -> decoding.prepare(source)));
                for (int i = 0; i < inferenceThreads; i++) {
                    tasks.add(threads.submit(inference::infer));
                }
            } catch (RejectedExecutionException e) {
                // Closed while starting: end like a stop, and close the source if no decoder took it.
                state.markStopped();
                state.abandon();
                if (tasks.isEmpty()) {
                    source.close();
                }
            }
            long doneUntil = range.from();
            try {
                doneUntil = deliver();
            } finally {
                active = null;
                state.abandon();
                awaitAll(tasks);
            }
            fireProgress(doneUntil, true);
            return stats.report(doneUntil, state.failure(), state.stopped(), modelStages(stagesBefore));
        }

        /** The accelerator's own stage totals, if it keeps them; a failure to read them only costs the numbers. */
        private Map<String, StageTimed.StageTotal> stageTotals() {
            if (!(accelerator instanceof StageTimed timed)) {
                return Map.of();
            }
            try {
                return timed.stageTotals();
            } catch (RuntimeException e) {
                LOG.debug("{}: cannot read its stage times", accelerator.name(), e);
                return Map.of();
            }
        }

        /** Mean ms per frame of each stage the accelerator reports, over this run. */
        private Map<String, Double> modelStages(Map<String, StageTimed.StageTotal> before) {
            Map<String, Double> means = new LinkedHashMap<>();
            stageTotals().forEach((stage, now) -> {
                StageTimed.StageTotal delta = now.minus(before.getOrDefault(stage, new StageTimed.StageTotal(0, 0)));
                if (delta.frames() > 0) {
                    means.put(stage, delta.meanMs());
                }
            });
            return means;
        }

        /** The calling thread: hands results to the sink in frame order and reports every frame done. */
        private long deliver() {
            ResultDelivery delivery = new ResultDelivery(request);
            Instant lastProgressAt = clock.instant();
            while (true) {
                RunState.Item<FrameResult> item = state.awaitResult(delivery.next());
                if (item == null) {
                    break;
                }
                boolean more = item.payload() == null
                        ? delivery.skipDamaged(item.info().index(), state.takeDamagedReason(item.info().index()))
                        : delivery.deliver(item.payload());
                permits(item);
                Instant now = clock.instant();
                if (!listeners.isEmpty() && !now.isBefore(lastProgressAt.plus(progressInterval))) {
                    lastProgressAt = now;
                    fireProgress(delivery.next(), false);
                }
                if (!more) {
                    break;
                }
            }
            long doneUntil = delivery.finish();
            delivery.failure().ifPresent(e -> state.fail(doneUntil, e));
            if (delivery.stopped()) {
                state.markStopped();
            }
            return doneUntil;
        }

        /** The frame's result left the pipeline: its permit goes back and its whole-loop time counts. */
        private void permits(RunState.Item<FrameResult> item) {
            state.permits.release();
            stats.loop.record(System.nanoTime() - item.startNanos());
        }

        private void awaitAll(List<Future<?>> tasks) {
            for (Future<?> task : tasks) {
                try {
                    task.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (ExecutionException e) {
                    LOG.error("pipeline thread failed", e.getCause());
                }
            }
        }

        /** Builds and sends a progress snapshot; does nothing when nobody listens. */
        private void fireProgress(long next, boolean last) {
            if (listeners.isEmpty()) {
                return;
            }
            PipelineProgress progress = stats.progress(next, state, last);
            listeners.fire(l -> l.onProgress(progress));
        }
    }

    /**
     * Configures a {@link BoundedFramePipeline}; each setter checks its value and names it in the error.
     * Not thread-safe.
     */
    public static final class Builder<I, O> {
        private final FrameSourceFactory sources;
        private final Function<Frame, I> preprocess;
        private final Accelerator<I, O> accelerator;
        private final ResultEncoder<O> encoder;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
        private int inferenceThreads = 1;
        private int maxBatchSize;
        private Duration maxBatchWait = DEFAULT_MAX_BATCH_WAIT;
        private boolean closeAccelerator;
        private boolean recycleFrames;
        private Duration progressInterval = DEFAULT_PROGRESS_INTERVAL;
        private final List<PipelineListener> listeners = new ArrayList<>();
        private Clock clock = Clock.systemUTC();
        private String threadNamePrefix = "juggler-pipeline";

        private Builder(FrameSourceFactory sources, Function<Frame, I> preprocess, Accelerator<I, O> accelerator,
                ResultEncoder<O> encoder) {
            this.sources = InvalidConfigException.required(sources, "sources");
            this.preprocess = InvalidConfigException.required(preprocess, "preprocess");
            this.accelerator = InvalidConfigException.required(accelerator, "accelerator");
            this.encoder = InvalidConfigException.required(encoder, "encoder");
        }

        /** Most frames between decoding and delivery at once (bounds memory); default 64. */
        public Builder<I, O> maxInFlight(int frames) {
            if (frames < 1) {
                throw InvalidConfigException.of("maxInFlight", frames, "must be >= 1");
            }
            this.maxInFlight = frames;
            return this;
        }

        /** Capacity of each queue between stages; default 16. */
        public Builder<I, O> queueCapacity(int items) {
            if (items < 1) {
                throw InvalidConfigException.of("queueCapacity", items, "must be >= 1");
            }
            this.queueCapacity = items;
            return this;
        }

        /** Threads calling the accelerator (one per device or device slot); default 1. */
        public Builder<I, O> inferenceThreads(int count) {
            if (count < 1 || count > 256) {
                throw InvalidConfigException.of("inferenceThreads", count, "must be in 1..256");
            }
            this.inferenceThreads = count;
            return this;
        }

        /** Largest batch handed to the accelerator; default its {@link Accelerator#maxBatchSize()}. */
        public Builder<I, O> maxBatchSize(int frames) {
            if (frames < 1) {
                throw InvalidConfigException.of("maxBatchSize", frames, "must be >= 1");
            }
            if (frames > accelerator.maxBatchSize()) {
                throw InvalidConfigException.of("maxBatchSize", frames,
                        "must be <= the accelerator's maxBatchSize " + accelerator.maxBatchSize());
            }
            this.maxBatchSize = frames;
            return this;
        }

        /** How long an inference thread waits to fill a batch; default 5 ms. */
        public Builder<I, O> maxBatchWait(Duration wait) {
            this.maxBatchWait = InvalidConfigException.requireNonNegative("maxBatchWait", wait);
            return this;
        }

        /** Whether {@link #close()} also closes the accelerator; default false (the caller owns it). */
        public Builder<I, O> closeAcceleratorOnClose(boolean value) {
            this.closeAccelerator = value;
            return this;
        }

        /**
         * Whether frames go back to their source for reuse right after preprocessing ({@link FrameSource#recycle}),
         * so decoding allocates no pixel memory per frame; default false. Enable it only when preprocessing
         * copies what it needs from the pixels (a preprocess that passes the frame itself on must not).
         */
        public Builder<I, O> recycleFrames(boolean value) {
            this.recycleFrames = value;
            return this;
        }

        /** Adds a listener for progress events (queue depths, rates, stage latencies). */
        public Builder<I, O> listener(PipelineListener listener) {
            this.listeners.add(InvalidConfigException.required(listener, "listener"));
            return this;
        }

        /** How often progress events are sent while frames are delivered; default 1 s. */
        public Builder<I, O> progressInterval(Duration interval) {
            this.progressInterval = InvalidConfigException.requireNonNegative("progressInterval", interval);
            return this;
        }

        public Builder<I, O> clock(Clock value) {
            this.clock = InvalidConfigException.required(value, "clock");
            return this;
        }

        public Builder<I, O> threadNamePrefix(String prefix) {
            if (prefix == null || prefix.isBlank()) {
                throw InvalidConfigException.of("threadNamePrefix", prefix, "must not be blank");
            }
            this.threadNamePrefix = prefix;
            return this;
        }

        public BoundedFramePipeline<I, O> build() {
            if (maxInFlight < maxBatchSize) {
                throw InvalidConfigException.of("maxInFlight", maxInFlight, "must be >= maxBatchSize " + maxBatchSize);
            }
            return new BoundedFramePipeline<>(this);
        }
    }
}
