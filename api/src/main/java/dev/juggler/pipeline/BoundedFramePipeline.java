package dev.juggler.pipeline;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.accel.Accelerator;
import dev.juggler.internal.Listeners;
import dev.juggler.internal.NamedThreadFactory;
import dev.juggler.ledger.FrameResult;
import dev.juggler.video.FrameRange;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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
 * <p>Thread-safe; {@link #run} calls are serialised (one run at a time per pipeline). The pipeline
 * owns its threads and closes the accelerator only if told to ({@link Builder#closeAcceleratorOnClose}).
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
    /** Default checkpoint period in frames. */
    public static final int DEFAULT_CHECKPOINT_FRAMES = 250;
    /** Default checkpoint period in time. */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(30);
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
    private final int checkpointFrames;
    private final Duration checkpointInterval;
    private final boolean closeAccelerator;
    private final boolean recycleFrames;
    private final Duration progressInterval;
    private final Listeners<PipelineListener> listeners = new Listeners<>();
    private final Clock clock;
    private final ExecutorService threads;
    private final RunGate gate = new RunGate();

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
        this.checkpointFrames = b.checkpointFrames;
        this.checkpointInterval = b.checkpointInterval;
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
            threads.shutdownNow();
            if (closeAccelerator) {
                accelerator.close();
            }
        }
    }

    /** A frame on its way, with the instant its decoding started (for the whole-loop latency). */
    private record Item<T>(FrameInfo info, T payload, long startNanos) {
    }

    /** One execution of a request: the shared state of its threads. */
    private final class Run {
        private final PipelineRequest request;
        private final FrameRange range;
        private final Semaphore permits = new Semaphore(maxInFlight);
        private final BlockingQueue<Item<Frame>> decoded = new ArrayBlockingQueue<>(queueCapacity);
        private final BlockingQueue<Item<I>> prepared = new ArrayBlockingQueue<>(queueCapacity);
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final Map<Long, Item<FrameResult>> ready = new HashMap<>();
        private final LatencyRecorder decodeLatency = new LatencyRecorder();
        private final LatencyRecorder inferenceLatency = new LatencyRecorder();
        private final LatencyRecorder loopLatency = new LatencyRecorder();
        private final long startNanos = System.nanoTime();
        // Guarded by lock.
        private long decodeEnd = -1;
        private JugglerException failure;
        private boolean stoppedByRequest;
        // Written under the lock, read without it by the producers: frames at or after it are not wanted.
        private volatile long failureFrame = Long.MAX_VALUE;
        // Set when delivery has ended: nothing produced from now on will be taken.
        private volatile boolean abandon;

        Run(PipelineRequest request) {
            this.request = request;
            this.range = request.range();
        }

        PipelineReport execute() {
            if (range.isEmpty()) {
                return report(range.from());
            }
            FrameSource source;
            try {
                source = sources.open(request.videoLocation(), range);
            } catch (JugglerException e) {
                return new PipelineReport(range, range.from(), Optional.of(e), false, elapsed(startNanos),
                        StageStats.EMPTY, StageStats.EMPTY, StageStats.EMPTY);
            } catch (RuntimeException e) {
                JugglerException wrapped = new JugglerException("cannot open " + request.videoLocation() + ": " + e, false, e);
                return new PipelineReport(range, range.from(), Optional.of(wrapped), false, elapsed(startNanos),
                        StageStats.EMPTY, StageStats.EMPTY, StageStats.EMPTY);
            }
            List<Future<?>> tasks = new ArrayList<>();
            tasks.add(threads.submit(() -> decode(source)));
            tasks.add(threads.submit(() -> prepare(source)));
            for (int i = 0; i < inferenceThreads; i++) {
                tasks.add(threads.submit(this::infer));
            }
            long doneUntil = range.from();
            try {
                doneUntil = deliver();
            } finally {
                abandon = true;
                signal();
                awaitAll(tasks);
            }
            fireProgress(doneUntil, true);
            return report(doneUntil);
        }

        /** The calling thread: hands results to the sink in frame order and takes checkpoints. */
        private long deliver() {
            long next = range.from();
            long lastCheckpointFrame = next;
            Instant lastCheckpointAt = clock.instant();
            Instant lastProgressAt = lastCheckpointAt;
            FrameResultSink sink = request.sink();
            try {
                while (true) {
                    Item<FrameResult> item = awaitResult(next);
                    if (item == null) {
                        break;
                    }
                    sink.accept(item.payload());
                    permits.release();
                    loopLatency.record(System.nanoTime() - item.startNanos());
                    next++;
                    Instant now = clock.instant();
                    if (!listeners.isEmpty() && !now.isBefore(lastProgressAt.plus(progressInterval))) {
                        lastProgressAt = now;
                        fireProgress(next, false);
                    }
                    if (next - lastCheckpointFrame >= checkpointFrames
                            || !now.isBefore(lastCheckpointAt.plus(checkpointInterval))) {
                        sink.flush();
                        lastCheckpointFrame = next;
                        lastCheckpointAt = now;
                        if (next < range.to() && !request.checkpoints().onCheckpoint(next)) {
                            markStopped();
                            break;
                        }
                    }
                }
                sink.flush();
                return next;
            } catch (JugglerException e) {
                fail(next, e);
                return lastCheckpointFrame;
            } catch (RuntimeException e) {
                fail(next, new JugglerException("result sink failed at frame " + next + ": " + e, false, e));
                // Results accepted after the last flush may be lost: only the flushed prefix counts as done.
                return lastCheckpointFrame;
            }
        }

        private Item<FrameResult> awaitResult(long frame) {
            lock.lock();
            try {
                while (true) {
                    if (frame >= failureFrame) {
                        return null;
                    }
                    Item<FrameResult> item = ready.remove(frame);
                    if (item != null) {
                        return item;
                    }
                    if (decodeEnd >= 0 && frame >= decodeEnd) {
                        return null;
                    }
                    try {
                        changed.await();
                    } catch (InterruptedException e) {
                        // An interrupted caller wants the run to end: deliver nothing more.
                        Thread.currentThread().interrupt();
                        stoppedByRequest = true;
                        return null;
                    }
                }
            } finally {
                lock.unlock();
            }
        }

        private void decode(FrameSource source) {
            long index = range.from();
            try (source) {
                for (; index < range.to(); index++) {
                    if (request.stopRequested().getAsBoolean()) {
                        markStopped();
                        break;
                    }
                    if (index >= failureFrame || !acquirePermit()) {
                        break;
                    }
                    long start = System.nanoTime();
                    Frame frame = source.next();
                    if (frame == null) {
                        throw new JugglerException("frame source of " + request.videoLocation() + " ended at frame " + index
                                + " before the end of " + range, false, null);
                    }
                    decodeLatency.record(System.nanoTime() - start);
                    if (!offer(decoded, new Item<>(frame.info(), frame, start))) {
                        break;
                    }
                }
            } catch (JugglerException e) {
                fail(index, e);
            } catch (RuntimeException e) {
                fail(index, new JugglerException("decoding " + request.videoLocation() + " failed at frame " + index + ": " + e,
                        false, e));
            } finally {
                lock.lock();
                try {
                    decodeEnd = index;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
                offerEnd(decoded);
            }
        }

        private void prepare(FrameSource source) {
            try {
                while (true) {
                    Item<Frame> item = decoded.take();
                    if (item.payload() == null) {
                        break;
                    }
                    if (unwanted(item.info().index())) {
                        recycle(source, item.payload());
                        continue;
                    }
                    I input;
                    try {
                        input = preprocess.apply(item.payload());
                    } catch (RuntimeException e) {
                        fail(item.info().index(), asJuggler("preprocessing", item.info().index(), e));
                        continue;
                    } finally {
                        // The builder's promise: preprocessing copied what it needs, so the pixels can be reused.
                        recycle(source, item.payload());
                    }
                    if (!offer(prepared, new Item<>(item.info(), input, item.startNanos()))) {
                        break;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                for (int i = 0; i < inferenceThreads; i++) {
                    offerEnd(prepared);
                }
            }
        }

        /** Gives a frame's buffer back to its source, on every path, so the source's pool never drains. */
        private void recycle(FrameSource source, Frame frame) {
            if (recycleFrames) {
                source.recycle(frame);
            }
        }

        private void infer() {
            List<Item<I>> batch = new ArrayList<>(maxBatchSize);
            List<I> inputs = new ArrayList<>(maxBatchSize);
            boolean end = false;
            try {
                while (!end) {
                    batch.clear();
                    Item<I> first = prepared.take();
                    if (first.payload() == null) {
                        break;
                    }
                    batch.add(first);
                    long deadline = System.nanoTime() + maxBatchWait.toNanos();
                    while (batch.size() < maxBatchSize) {
                        Item<I> more = prepared.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                        if (more == null) {
                            break;
                        }
                        if (more.payload() == null) {
                            end = true;
                            break;
                        }
                        batch.add(more);
                    }
                    batch.removeIf(item -> unwanted(item.info().index()));
                    if (batch.isEmpty()) {
                        continue;
                    }
                    inferAndPublish(batch, inputs);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /**
         * Runs one batch. When a batch fails, its frames are retried one by one, so that one bad frame
         * fails at its own index instead of taking the (not necessarily contiguous) batch down with it.
         */
        private void inferAndPublish(List<Item<I>> batch, List<I> inputs) {
            inputs.clear();
            batch.forEach(item -> inputs.add(item.payload()));
            long start = System.nanoTime();
            List<O> outputs;
            try {
                outputs = runModel(inputs);
            } catch (RuntimeException e) {
                if (batch.size() == 1) {
                    long index = batch.get(0).info().index();
                    fail(index, asJuggler("inference on " + accelerator.name(), index, e));
                    return;
                }
                LOG.debug("batch of {} failed on {}; retrying frame by frame", batch.size(), accelerator.name(), e);
                for (Item<I> single : batch) {
                    if (unwanted(single.info().index())) {
                        continue;
                    }
                    inferAndPublish(List.of(single), new ArrayList<>(1));
                }
                return;
            }
            long perFrame = (System.nanoTime() - start) / batch.size();
            for (int i = 0; i < batch.size(); i++) {
                Item<I> item = batch.get(i);
                inferenceLatency.record(perFrame);
                String payload;
                try {
                    payload = encoder.encode(item.info(), outputs.get(i));
                } catch (RuntimeException e) {
                    fail(item.info().index(), asJuggler("encoding the result", item.info().index(), e));
                    return;
                }
                publish(new Item<>(item.info(), new FrameResult(request.trackId(), item.info().index(), payload),
                        item.startNanos()));
            }
        }

        private List<O> runModel(List<I> inputs) {
            List<O> outputs = accelerator.infer(inputs);
            if (outputs.size() != inputs.size()) {
                throw new JugglerException("accelerator " + accelerator.name() + " returned " + outputs.size()
                        + " outputs for " + inputs.size() + " inputs", false, null);
            }
            return outputs;
        }

        private void publish(Item<FrameResult> item) {
            lock.lock();
            try {
                if (item.info().index() < failureFrame) {
                    ready.put(item.info().index(), item);
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }

        private void fail(long frame, JugglerException e) {
            lock.lock();
            try {
                if (frame < failureFrame) {
                    failureFrame = frame;
                    failure = e;
                    ready.keySet().removeIf(index -> index >= frame);
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /**
         * Frames at or after a failure are not wanted; frames before it still are, because everything
         * before the failure is delivered.
         */
        private boolean unwanted(long index) {
            return abandon || index >= failureFrame;
        }

        private void markStopped() {
            lock.lock();
            try {
                stoppedByRequest = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        private void signal() {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Waits for a frame permit; gives up when the run is being abandoned or has failed. */
        private boolean acquirePermit() {
            try {
                while (!abandon && failureFrame == Long.MAX_VALUE) {
                    if (permits.tryAcquire(20, TimeUnit.MILLISECONDS)) {
                        return true;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }

        /** Puts an item, giving up when the run is being abandoned (nobody will take it). */
        private <T> boolean offer(BlockingQueue<Item<T>> queue, Item<T> item) {
            try {
                while (!abandon) {
                    if (queue.offer(item, 20, TimeUnit.MILLISECONDS)) {
                        return true;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }

        /** Puts the end marker; the consumers drain the queue, so this only waits for room briefly. */
        private <T> void offerEnd(BlockingQueue<Item<T>> queue) {
            Item<T> end = new Item<>(null, null, 0);
            try {
                while (!queue.offer(end, 20, TimeUnit.MILLISECONDS)) {
                    if (abandon) {
                        queue.clear();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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
            int reorder;
            lock.lock();
            try {
                reorder = ready.size();
            } finally {
                lock.unlock();
            }
            PipelineProgress progress = new PipelineProgress(range, next, elapsed(startNanos), decoded.size(),
                    prepared.size(), reorder, maxInFlight - permits.availablePermits(), decodeLatency.snapshot(),
                    inferenceLatency.snapshot(), loopLatency.snapshot(), last);
            listeners.fire(l -> l.onProgress(progress));
        }

        private PipelineReport report(long doneUntil) {
            lock.lock();
            try {
                Optional<JugglerException> failed = Optional.ofNullable(failure);
                return new PipelineReport(range, doneUntil, failed, stoppedByRequest && failure == null,
                        elapsed(startNanos), decodeLatency.snapshot(), inferenceLatency.snapshot(), loopLatency.snapshot());
            } finally {
                lock.unlock();
            }
        }

        private JugglerException asJuggler(String stage, long frame, RuntimeException e) {
            if (e instanceof JugglerException je) {
                return je;
            }
            return new JugglerException(stage + " failed at frame " + frame + " of " + request.videoLocation() + ": " + e,
                    false, e);
        }
    }

    private static Duration elapsed(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
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
        private int checkpointFrames = DEFAULT_CHECKPOINT_FRAMES;
        private Duration checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;
        private boolean closeAccelerator;
        private boolean recycleFrames;
        private Duration progressInterval = DEFAULT_PROGRESS_INTERVAL;
        private final List<PipelineListener> listeners = new ArrayList<>();
        private Clock clock = Clock.systemUTC();
        private String threadNamePrefix = "juggler-pipeline";

        private Builder(FrameSourceFactory sources, Function<Frame, I> preprocess, Accelerator<I, O> accelerator,
                ResultEncoder<O> encoder) {
            this.sources = Objects.requireNonNull(sources, "sources");
            this.preprocess = Objects.requireNonNull(preprocess, "preprocess");
            this.accelerator = Objects.requireNonNull(accelerator, "accelerator");
            this.encoder = Objects.requireNonNull(encoder, "encoder");
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

        /** Checkpoint at least every this many frames; default 250. */
        public Builder<I, O> checkpointEveryFrames(int frames) {
            if (frames < 1) {
                throw InvalidConfigException.of("checkpointEveryFrames", frames, "must be >= 1");
            }
            this.checkpointFrames = frames;
            return this;
        }

        /** Checkpoint at least this often; default 30 s. */
        public Builder<I, O> checkpointInterval(Duration interval) {
            InvalidConfigException.requirePositive("checkpointInterval", interval);
            this.checkpointInterval = interval;
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
            this.listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** How often progress events are sent while frames are delivered; default 1 s. */
        public Builder<I, O> progressInterval(Duration interval) {
            this.progressInterval = InvalidConfigException.requireNonNegative("progressInterval", interval);
            return this;
        }

        public Builder<I, O> clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
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
