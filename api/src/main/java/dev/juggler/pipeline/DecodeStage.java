package dev.juggler.pipeline;

import dev.juggler.JugglerException;
import dev.juggler.video.DamagedFrameException;
import dev.juggler.video.FrameRange;
import java.util.function.Function;

/**
 * The first two stages of a {@link BoundedFramePipeline} run: the decoding thread, which takes a frame
 * permit before every frame, and the preprocessing thread, which turns decoded frames into model inputs
 * (and hands their buffers back to the source when recycling). Each method runs on its own thread.
 *
 * @param <I> the model input per frame
 */
final class DecodeStage<I> {
    private final PipelineRequest request;
    private final FrameRange range;
    private final RunState<I> state;
    private final RunStats stats;
    private final Function<Frame, I> preprocess;
    private final boolean recycleFrames;
    private final int inferenceThreads;

    DecodeStage(PipelineRequest request, RunState<I> state, RunStats stats, Function<Frame, I> preprocess,
            boolean recycleFrames, int inferenceThreads) {
        this.request = request;
        this.range = request.range();
        this.state = state;
        this.stats = stats;
        this.preprocess = preprocess;
        this.recycleFrames = recycleFrames;
        this.inferenceThreads = inferenceThreads;
    }

    /** The decoding thread: reads the range until its end, a failure, a stop or the run's end. */
    void decode(FrameSource source) {
        long index = range.from();
        try (source) {
            for (; index < range.to(); index++) {
                if (request.stopRequested().getAsBoolean()) {
                    state.markStopped();
                    break;
                }
                if (index >= state.failureFrame() || !state.acquirePermit()) {
                    break;
                }
                long start = System.nanoTime();
                Frame frame;
                try {
                    frame = source.next();
                } catch (DamagedFrameException e) {
                    // One frame lost, the stream goes on: its place in the delivery order says so.
                    stats.decode.record(System.nanoTime() - start);
                    state.publishDamaged(e.frameIndex(), e.getMessage(), start);
                    continue;
                }
                if (frame == null) {
                    throw JugglerException.permanentFailure("frame source of " + request.videoLocation() + " ended at frame " + index
                            + " before the end of " + range, null);
                }
                stats.decode.record(System.nanoTime() - start);
                if (!state.offer(state.decoded, new RunState.Item<>(frame.info(), frame, start))) {
                    break;
                }
            }
        } catch (JugglerException e) {
            state.fail(index, e);
        } catch (RuntimeException e) {
            state.fail(index, JugglerException.permanentFailure("decoding " + request.videoLocation() + " failed at frame " + index
                    + ": " + e, e));
        } finally {
            state.endDecoding(index);
            state.offerEnd(state.decoded);
        }
    }

    /** The preprocessing thread: decoded frames to model inputs, until the decoder's end marker. */
    void prepare(FrameSource source) {
        try {
            while (true) {
                RunState.Item<Frame> item = state.decoded.take();
                if (item.payload() == null) {
                    break;
                }
                if (state.unwanted(item.info().index())) {
                    recycle(source, item.payload());
                    continue;
                }
                I input;
                long start = System.nanoTime();
                try {
                    input = preprocess.apply(item.payload());
                    stats.preprocess.record(System.nanoTime() - start);
                } catch (RuntimeException e) {
                    state.fail(item.info().index(), state.asJuggler("preprocessing", item.info().index(), e));
                    continue;
                } finally {
                    // The builder's promise: preprocessing copied what it needs, so the pixels can be reused.
                    recycle(source, item.payload());
                }
                if (!state.offer(state.prepared, new RunState.Item<>(item.info(), input, item.startNanos()))) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (int i = 0; i < inferenceThreads; i++) {
                state.offerEnd(state.prepared);
            }
        }
    }

    /** Gives a frame's buffer back to its source, on every path, so the source's pool never drains. */
    private void recycle(FrameSource source, Frame frame) {
        if (recycleFrames) {
            source.recycle(frame);
        }
    }
}
