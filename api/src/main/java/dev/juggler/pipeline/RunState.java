package dev.juggler.pipeline;

import dev.juggler.JugglerException;
import dev.juggler.ledger.FrameResult;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the threads of one {@link BoundedFramePipeline} run share: the frame permits, the queues between the
 * stages, the reorder buffer and the run's end state (where decoding ended, the first failure, a stop).
 * Thread-safe: the end state is guarded by one lock whose condition wakes the delivering thread.
 *
 * @param <I> the model input per frame
 */
final class RunState<I> {

    /** A frame on its way, with the instant its decoding started (for the whole-loop latency). */
    record Item<T>(FrameInfo info, T payload, long startNanos) {
    }

    final Semaphore permits;
    final BlockingQueue<Item<Frame>> decoded;
    final BlockingQueue<Item<I>> prepared;
    private final int maxInFlight;
    private final String videoLocation;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<Long, Item<FrameResult>> ready = new HashMap<>();
    private final Map<Long, String> damagedReasons = new HashMap<>();
    // Guarded by lock.
    private long decodeEnd = -1;
    private JugglerException failure;
    private boolean stoppedByRequest;
    // Written under the lock, read without it by the producers: frames at or after it are not wanted.
    private volatile long failureFrame = Long.MAX_VALUE;
    // Set when delivery has ended: nothing produced from now on will be taken.
    private volatile boolean abandon;

    RunState(String videoLocation, int maxInFlight, int queueCapacity) {
        this.videoLocation = videoLocation;
        this.maxInFlight = maxInFlight;
        this.permits = new Semaphore(maxInFlight);
        this.decoded = new ArrayBlockingQueue<>(queueCapacity);
        this.prepared = new ArrayBlockingQueue<>(queueCapacity);
    }

    /**
     * Waits for the result of {@code frame}; {@code null} when it will never come (a failure at or before
     * it, decoding ended before it, the run was abandoned, or the delivering thread was interrupted).
     */
    Item<FrameResult> awaitResult(long frame) {
        lock.lock();
        try {
            while (true) {
                if (frame >= failureFrame || abandon) {
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

    /**
     * A damaged frame, in frame order with the results: delivery reports it to the sink instead of a result
     * (its item's payload is {@code null}).
     */
    void publishDamaged(long frame, String reason, long startNanos) {
        lock.lock();
        try {
            if (frame < failureFrame) {
                damagedReasons.put(frame, reason);
                ready.put(frame, new Item<>(new FrameInfo(frame, 0, 0, 0), null, startNanos));
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Why a damaged frame could not be analysed (and forgets it). */
    String takeDamagedReason(long frame) {
        lock.lock();
        try {
            return damagedReasons.remove(frame);
        } finally {
            lock.unlock();
        }
    }

    /** A result ready for delivery (dropped if a failure came before it). */
    void publish(Item<FrameResult> item) {
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

    /** Records a failure at {@code frame}; the earliest failure wins and the frames after it are dropped. */
    void fail(long frame, JugglerException e) {
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

    /** Decoding ended before {@code frame}: no frame from it on will come. */
    void endDecoding(long frame) {
        lock.lock();
        try {
            decodeEnd = frame;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** First frame of a failure, or {@link Long#MAX_VALUE}. */
    long failureFrame() {
        return failureFrame;
    }

    /**
     * Frames at or after a failure are not wanted; frames before it still are, because everything
     * before the failure is delivered.
     */
    boolean unwanted(long index) {
        return abandon || index >= failureFrame;
    }

    void markStopped() {
        lock.lock();
        try {
            stoppedByRequest = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Delivery has ended, or the pipeline is closing: wakes every thread, the delivering one included, so
     * that they give up (a closing pipeline interrupts its stages, which may leave frames that never come).
     */
    void abandon() {
        abandon = true;
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits for a frame permit; gives up when the run is being abandoned or has failed. */
    boolean acquirePermit() {
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
    <T> boolean offer(BlockingQueue<Item<T>> queue, Item<T> item) {
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
    <T> void offerEnd(BlockingQueue<Item<T>> queue) {
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

    /** Results waiting for an earlier frame. */
    int reorderBuffer() {
        lock.lock();
        try {
            return ready.size();
        } finally {
            lock.unlock();
        }
    }

    /** Frames between decoding and delivery. */
    int inFlight() {
        return maxInFlight - permits.availablePermits();
    }

    /** The failure that ended the run, if any. */
    JugglerException failure() {
        lock.lock();
        try {
            return failure;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the run ended early because it was asked to stop (and did not fail). */
    boolean stopped() {
        lock.lock();
        try {
            return stoppedByRequest && failure == null;
        } finally {
            lock.unlock();
        }
    }

    /** A stage's exception as a run failure that names the stage, the frame and the video. */
    JugglerException asJuggler(String stage, long frame, RuntimeException e) {
        if (e instanceof JugglerException je) {
            return je;
        }
        return JugglerException.permanentFailure(stage + " failed at frame " + frame + " of " + videoLocation + ": " + e, e);
    }
}
