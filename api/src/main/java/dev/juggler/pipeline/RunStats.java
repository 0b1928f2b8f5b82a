package dev.juggler.pipeline;

import dev.juggler.JugglerException;
import dev.juggler.video.FrameRange;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The measurements of one {@link BoundedFramePipeline} run: per-stage latencies and its start, turned into
 * {@link PipelineProgress} snapshots and the final {@link PipelineReport}. Thread-safe (the recorders are).
 */
final class RunStats {
    final LatencyRecorder decode = new LatencyRecorder();
    final LatencyRecorder inference = new LatencyRecorder();
    final LatencyRecorder loop = new LatencyRecorder();
    final LatencyRecorder preprocess = new LatencyRecorder();
    private final FrameRange range;
    private final long startNanos = System.nanoTime();

    RunStats(FrameRange range) {
        this.range = range;
    }

    /** A snapshot of the run with {@code next} the first frame not delivered yet. */
    PipelineProgress progress(long next, RunState<?> state, boolean last) {
        return new PipelineProgress(range, next, elapsed(), state.decoded.size(), state.prepared.size(),
                state.reorderBuffer(), state.inFlight(), decode.snapshot(), inference.snapshot(), loop.snapshot(), last);
    }

    /** The report of a run that ended at {@code doneUntil}, with the accelerator's own stages. */
    PipelineReport report(long doneUntil, JugglerException failure, boolean stopped, Map<String, Double> modelStagesMs) {
        return new PipelineReport(range, doneUntil, Optional.ofNullable(failure), stopped && failure == null, elapsed(),
                decode.snapshot(), inference.snapshot(), loop.snapshot(), preprocess.snapshot(), modelStagesMs);
    }

    /** The report of a run whose video could not be opened. */
    PipelineReport unopened(JugglerException failure) {
        return new PipelineReport(range, range.from(), Optional.of(failure), false, elapsed(), StageStats.EMPTY,
                StageStats.EMPTY, StageStats.EMPTY);
    }

    private Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
