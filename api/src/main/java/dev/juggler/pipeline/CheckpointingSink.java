package dev.juggler.pipeline;

import dev.juggler.InvalidConfigException;
import dev.juggler.ledger.DamagedFrame;
import dev.juggler.ledger.FrameResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The one checkpoint policy: every N frames or T of time, whichever comes first, make the results durable
 * and then checkpoint. The owner of a run (the {@code Worker}) makes one per range and hands it to the
 * pipeline as both the {@link PipelineRequest#sink() sink} and the {@link PipelineRequest#checkpoints()
 * frames-done listener} ({@link PipelineRequest#checkpointed}); pipelines themselves keep no policy, they
 * only deliver results in frame order and report each frame done.
 *
 * <p>The rule it keeps: a checkpoint never passes a frame whose result was not flushed. When a checkpoint is
 * due it flushes its target first and only then tells its own listener (a heartbeat); if the flush throws,
 * no checkpoint is taken and the exception reaches the pipeline, which fails the run. {@link #durableUntil()}
 * says which prefix of the range is known durable, whatever happened since.
 *
 * <p>Not thread-safe: called from the pipeline's single delivering thread, as {@link FrameResultSink} is.
 */
public final class CheckpointingSink implements FrameResultSink, PipelineRequest.CheckpointListener {

    /** Default checkpoint period in frames. */
    public static final int DEFAULT_CHECKPOINT_FRAMES = 250;
    /** Default checkpoint period in time. */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(30);

    private final FrameResultSink target;
    private final PipelineRequest.CheckpointListener checkpoints;
    private final int everyFrames;
    private final Duration interval;
    private final Clock clock;
    private final List<DamagedFrame> damaged = new ArrayList<>();
    private long acceptedUntil;
    private long durableUntil;
    private long lastCheckpointFrame;
    private Instant lastCheckpointAt;

    /**
     * A sink for the run that starts at {@code from}.
     *
     * @param target where the results go; flushed before every checkpoint
     * @param checkpoints told of each checkpoint after {@code target} was flushed; {@code false} stops the run
     * @param from the first frame of the run
     * @param everyFrames checkpoint at least every this many frames
     * @param interval checkpoint at least this often (by {@code clock})
     * @param clock the time the interval is measured in
     */
    public CheckpointingSink(FrameResultSink target, PipelineRequest.CheckpointListener checkpoints, long from,
            int everyFrames, Duration interval, Clock clock) {
        this.target = Objects.requireNonNull(target, "target");
        this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
        this.everyFrames = requireFrames(everyFrames);
        this.interval = requireInterval(interval);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.acceptedUntil = from;
        this.durableUntil = from;
        this.lastCheckpointFrame = from;
        this.lastCheckpointAt = clock.instant();
    }

    /** Checks a checkpoint period in frames, naming the setting in the error. */
    public static int requireFrames(int frames) {
        if (frames < 1) {
            throw InvalidConfigException.of("checkpointEveryFrames", frames, "must be >= 1");
        }
        return frames;
    }

    /** Checks a checkpoint period in time, naming the setting in the error. */
    public static Duration requireInterval(Duration interval) {
        return InvalidConfigException.requirePositive("checkpointInterval", interval);
    }

    @Override
    public void accept(FrameResult result) {
        target.accept(result);
        acceptedUntil = result.frame() + 1;
    }

    /**
     * A damaged frame: passed on to the target, remembered for the ledger ({@link #damaged()}), and from now
     * on no checkpoint passes it, so that a run that dies before recording it repeats it instead of losing it.
     */
    @Override
    public void damaged(long frame, String reason) {
        target.damaged(frame, reason);
        damaged.add(new DamagedFrame(frame, reason));
        acceptedUntil = frame + 1;
    }

    /** The damaged frames delivered so far, in frame order. */
    public List<DamagedFrame> damaged() {
        return List.copyOf(damaged);
    }

    @Override
    public void flush() {
        long accepted = acceptedUntil;
        target.flush();
        durableUntil = accepted;
    }

    /**
     * Told that every frame before {@code nextFrame} was delivered; checkpoints when one is due.
     *
     * @return {@code false} if the checkpoint listener asked to stop
     */
    @Override
    public boolean onCheckpoint(long nextFrame) {
        Instant now = clock.instant();
        if (nextFrame - lastCheckpointFrame < everyFrames && now.isBefore(lastCheckpointAt.plus(interval))) {
            return true;
        }
        flush();
        lastCheckpointFrame = nextFrame;
        lastCheckpointAt = now;
        return checkpoints.onCheckpoint(damaged.isEmpty() ? nextFrame : Math.min(nextFrame, damaged.get(0).frame()));
    }

    /** Every frame before this one was accepted and flushed without an error. */
    public long durableUntil() {
        return durableUntil;
    }
}
