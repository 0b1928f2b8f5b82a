package dev.juggler.pipeline;

import dev.juggler.JugglerException;
import dev.juggler.ledger.FrameResult;
import java.util.Objects;
import java.util.Optional;

/**
 * The delivering end of one pipeline run, for {@link FramePipeline} implementations: hands results to the
 * request's sink in frame order, reports every frame done to its checkpoint listener, and turns a failing
 * sink into a run failure instead of an exception. With it a pipeline keeps no checkpoint policy and no
 * sink error handling of its own.
 *
 * <p>Not thread-safe: one per run, used from the run's delivering thread.
 */
public final class ResultDelivery {
    private final PipelineRequest request;
    private long next;
    private boolean stopped;
    private JugglerException failure;

    /** The delivery of {@code request}, at the first frame of its range. */
    public ResultDelivery(PipelineRequest request) {
        this.request = Objects.requireNonNull(request, "request");
        this.next = request.range().from();
    }

    /** The frame whose result is to be delivered next: every frame before it was delivered. */
    public long next() {
        return next;
    }

    /**
     * Delivers the result of frame {@link #next()} and reports it done.
     *
     * @return {@code true} to go on; {@code false} when the run must end: the checkpoint listener asked to
     *     stop ({@link #stopped()}) or the sink failed ({@link #failure()})
     * @throws IllegalStateException if the result is not for frame {@link #next()} (a bug in the pipeline)
     */
    public boolean deliver(FrameResult result) {
        return advance(result.frame(), () -> request.sink().accept(result), "");
    }

    /**
     * Reports frame {@link #next()} damaged to the sink ({@link FrameResultSink#damaged}) instead of a result,
     * and reports it done: the run goes on with the next frame.
     *
     * @return as {@link #deliver}
     * @throws IllegalStateException if the frame is not {@link #next()} (a bug in the pipeline)
     */
    public boolean skipDamaged(long frame, String reason) {
        return advance(frame, () -> request.sink().damaged(frame, reason == null ? "damaged frame" : reason), "damaged ");
    }

    // Hands frame `next` to the sink, then reports it done.
    private boolean advance(long frame, Runnable send, String what) {
        if (frame != next || failure != null || stopped) {
            throw new IllegalStateException("delivering " + what + "frame " + frame + " while expecting " + next
                    + (failure != null ? " after a sink failure" : stopped ? " after a stop" : ""));
        }
        try {
            send.run();
            next++;
            if (next < request.range().to() && !request.checkpoints().onCheckpoint(next)) {
                stopped = true;
            }
        } catch (RuntimeException e) {
            failure = asJuggler("result sink failed at " + what + "frame " + next, e);
        }
        return !stopped && failure == null;
    }

    /**
     * Ends the delivery: flushes the sink, unless it already failed. A failing flush becomes this
     * delivery's {@link #failure()}.
     *
     * @return the first frame not delivered
     */
    public long finish() {
        if (failure == null) {
            try {
                request.sink().flush();
            } catch (RuntimeException e) {
                failure = asJuggler("result sink failed to flush at frame " + next, e);
            }
        }
        return next;
    }

    /** Whether the checkpoint listener asked the run to stop. */
    public boolean stopped() {
        return stopped;
    }

    /** Why the sink failed, if it did. */
    public Optional<JugglerException> failure() {
        return Optional.ofNullable(failure);
    }

    private static JugglerException asJuggler(String what, RuntimeException e) {
        return e instanceof JugglerException je ? je : JugglerException.permanentFailure(what + ": " + e, e);
    }
}
