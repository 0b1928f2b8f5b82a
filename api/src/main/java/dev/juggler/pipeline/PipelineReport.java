package dev.juggler.pipeline;

import dev.juggler.JugglerException;
import dev.juggler.video.FrameRange;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one pipeline run. Immutable and thread-safe.
 *
 * @param range the frames requested
 * @param doneUntil every frame in {@code [range.from, doneUntil)} was delivered to the sink, and flushed unless
 *     the run failed in the sink itself (then only the sink's owner knows which of them are durable, e.g.
 *     {@link CheckpointingSink#durableUntil()})
 * @param failure why the run ended before {@code range.to}, if it failed (a broken video, a model error)
 * @param stopped {@code true} if the run ended early because it was asked to stop
 * @param wall wall-clock time of the run
 * @param decode decode latency per frame
 * @param inference inference latency per frame (a batch's time divided by its size)
 * @param loop whole-loop latency per frame: from the start of its decode to its delivery
 * @param preprocess preprocessing latency per frame (decoded frame to model input)
 * @param modelStagesMs mean milliseconds per frame of the stages the accelerator reports itself
 *     ({@link dev.juggler.accel.StageTimed}: for a remote one serialising, network and server, the server's queue and
 *     compute, reading the answer), by stage in order; empty for other accelerators. Runs that share the
 *     accelerator at the same time count in each other's numbers.
 */
public record PipelineReport(FrameRange range, long doneUntil, Optional<JugglerException> failure, boolean stopped,
        Duration wall, StageStats decode, StageStats inference, StageStats loop, StageStats preprocess,
        Map<String, Double> modelStagesMs) {

    public PipelineReport {
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(wall, "wall");
        Objects.requireNonNull(preprocess, "preprocess");
        modelStagesMs = Collections.unmodifiableMap(new LinkedHashMap<>(modelStagesMs));
    }

    /** A report without preprocessing or model stage times (pipelines that do not measure them). */
    public PipelineReport(FrameRange range, long doneUntil, Optional<JugglerException> failure, boolean stopped,
            Duration wall, StageStats decode, StageStats inference, StageStats loop) {
        this(range, doneUntil, failure, stopped, wall, decode, inference, loop, StageStats.EMPTY, Map.of());
    }

    /**
     * The stages in one line, e.g. {@code decode 1.20 ms, preprocess 2.10 ms, inference 20.50 ms (serialise 1.10 ms,
     * network+server 17.00 ms), loop 60.00 ms per frame (means)}.
     */
    public String stagesSummary() {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "decode %.2f ms, preprocess %.2f ms, inference %.2f ms",
                decode == null ? 0 : decode.meanMs(), preprocess.meanMs(), inference == null ? 0 : inference.meanMs()));
        if (!modelStagesMs.isEmpty()) {
            text.append(" (");
            String sep = "";
            for (Map.Entry<String, Double> e : modelStagesMs.entrySet()) {
                text.append(sep).append(String.format(Locale.ROOT, "%s %.2f ms", e.getKey(), e.getValue()));
                sep = ", ";
            }
            text.append(')');
        }
        return text.append(String.format(Locale.ROOT, ", loop %.2f ms per frame (means)", loop == null ? 0 : loop.meanMs()))
                .toString();
    }

    /** Frames delivered. */
    public long framesDone() {
        return doneUntil - range.from();
    }

    /** {@code true} if every requested frame was delivered. */
    public boolean isComplete() {
        return doneUntil == range.to();
    }

    /** Delivered frames per second of wall time. */
    public double framesPerSecond() {
        double seconds = wall.toNanos() / 1e9;
        return seconds > 0 ? framesDone() / seconds : 0;
    }
}
