package dev.juggler.pipeline;

import dev.juggler.JugglerException;
import dev.juggler.accel.Accelerator;
import dev.juggler.accel.InputRejectedException;
import dev.juggler.ledger.FrameResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inference stage of a {@link BoundedFramePipeline} run: each of its threads gathers a batch of inputs
 * (waiting at most the batch wait to fill it), runs the model, encodes the outputs and publishes them for
 * ordered delivery. {@link #infer()} runs on several threads at once; it keeps no state between calls.
 *
 * @param <I> the model input per frame
 * @param <O> the model output per frame
 */
final class InferenceStage<I, O> {
    private static final Logger LOG = LoggerFactory.getLogger(BoundedFramePipeline.class);

    private final PipelineRequest request;
    private final RunState<I> state;
    private final RunStats stats;
    private final Accelerator<I, O> accelerator;
    private final BoundedFramePipeline.ResultEncoder<O> encoder;
    private final int maxBatchSize;
    private final Duration maxBatchWait;

    InferenceStage(PipelineRequest request, RunState<I> state, RunStats stats, Accelerator<I, O> accelerator,
            BoundedFramePipeline.ResultEncoder<O> encoder, int maxBatchSize, Duration maxBatchWait) {
        this.request = request;
        this.state = state;
        this.stats = stats;
        this.accelerator = accelerator;
        this.encoder = encoder;
        this.maxBatchSize = maxBatchSize;
        this.maxBatchWait = maxBatchWait;
    }

    /** One inference thread: runs batches until the preprocessing thread's end marker. */
    void infer() {
        List<RunState.Item<I>> batch = new ArrayList<>(maxBatchSize);
        List<I> inputs = new ArrayList<>(maxBatchSize);
        boolean end = false;
        try {
            while (!end) {
                batch.clear();
                RunState.Item<I> first = state.prepared.take();
                if (first.payload() == null) {
                    break;
                }
                batch.add(first);
                long deadline = System.nanoTime() + maxBatchWait.toNanos();
                while (batch.size() < maxBatchSize) {
                    RunState.Item<I> more = state.prepared.poll(Math.max(0, deadline - System.nanoTime()),
                            TimeUnit.NANOSECONDS);
                    if (more == null) {
                        break;
                    }
                    if (more.payload() == null) {
                        end = true;
                        break;
                    }
                    batch.add(more);
                }
                batch.removeIf(item -> state.unwanted(item.info().index()));
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
    private void inferAndPublish(List<RunState.Item<I>> batch, List<I> inputs) {
        inputs.clear();
        batch.forEach(item -> inputs.add(item.payload()));
        long start = System.nanoTime();
        List<O> outputs;
        try {
            outputs = runModel(inputs);
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                long index = batch.get(0).info().index();
                if (e instanceof InputRejectedException) {
                    // the model refused this frame alone: a one-frame failure, like a frame that cannot be decoded
                    state.publishDamaged(index, "refused by " + accelerator.name() + ": " + e.getMessage(), batch.get(0).startNanos());
                    return;
                }
                state.fail(index, state.asJuggler("inference on " + accelerator.name(), index, e));
                return;
            }
            LOG.debug("batch of {} failed on {}; retrying frame by frame", batch.size(), accelerator.name(), e);
            for (RunState.Item<I> single : batch) {
                if (state.unwanted(single.info().index())) {
                    continue;
                }
                inferAndPublish(List.of(single), new ArrayList<>(1));
            }
            return;
        }
        long perFrame = (System.nanoTime() - start) / batch.size();
        for (int i = 0; i < batch.size(); i++) {
            RunState.Item<I> item = batch.get(i);
            stats.inference.record(perFrame);
            String payload;
            try {
                payload = encoder.encode(item.info(), outputs.get(i));
            } catch (RuntimeException e) {
                state.fail(item.info().index(), state.asJuggler("encoding the result", item.info().index(), e));
                return;
            }
            state.publish(new RunState.Item<>(item.info(), new FrameResult(request.trackId(), item.info().index(), payload),
                    item.startNanos()));
        }
    }

    private List<O> runModel(List<I> inputs) {
        List<O> outputs = accelerator.infer(inputs);
        if (outputs.size() != inputs.size()) {
            throw JugglerException.permanentFailure("accelerator " + accelerator.name() + " returned " + outputs.size()
                    + " outputs for " + inputs.size() + " inputs", null);
        }
        return outputs;
    }
}
