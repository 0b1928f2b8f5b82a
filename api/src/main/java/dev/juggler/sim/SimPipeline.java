package dev.juggler.sim;

import dev.juggler.JugglerException;
import dev.juggler.ledger.FrameResult;
import dev.juggler.pipeline.FramePipeline;
import dev.juggler.pipeline.PipelineReport;
import dev.juggler.pipeline.PipelineRequest;
import dev.juggler.pipeline.StageStats;
import dev.juggler.video.VideoException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * A frame pipeline in simulated time, behind the real {@link FramePipeline} interface: it takes the video's time
 * per frame (varied per range), and delivers the results of the frames done in steps of the checkpoint interval,
 * so the worker's own checkpoint policy decides what is durable. A damaged video ends at its damaged frame (a
 * permanent failure of every range that reaches it). A stop request wakes it early; a kill ends it
 * where it is, and the frames it had computed and not checkpointed are counted as lost work.
 *
 * <p>Used only by the process holding the simulation's turn: one per job.
 */
final class SimPipeline implements FramePipeline {

    /** What the pipeline knows of a staged video. */
    record Profile(double secondsPerFrame, long damagedFrame) {
    }

    private static final String PAYLOAD = "{}";

    private final SimScheduler sim;
    private final Map<String, Profile> profiles;
    private final Duration step;
    private final double timeVariation;
    private final Random random;
    private final Counters counters;

    /** Frames computed and the nominal work done, summed over all pipelines of a simulation. */
    static final class Counters {
        long framesComputed;
        double nodeSecondsComputing;
    }

    SimPipeline(SimScheduler sim, Map<String, Profile> profiles, Duration step, double timeVariation, Random random,
            Counters counters) {
        this.sim = sim;
        this.profiles = profiles;
        this.step = step;
        this.timeVariation = timeVariation;
        this.random = random;
        this.counters = counters;
    }

    @Override
    public PipelineReport run(PipelineRequest request) {
        Profile profile = profiles.get(request.videoLocation());
        if (profile == null) {
            throw new IllegalStateException("no simulated video at " + request.videoLocation());
        }
        double secondsPerFrame = profile.secondsPerFrame() * variation();
        long stepFrames = Math.max(1, (long) (step.toNanos() / 1e9 / secondsPerFrame));
        Instant began = sim.now();
        long next = request.range().from();
        long to = request.range().to();
        boolean stopped = false;
        Optional<JugglerException> failure = Optional.empty();
        try {
            while (next < to && !stopped) {
                if (request.stopRequested().getAsBoolean()) {
                    stopped = true;
                    break;
                }
                long target = Math.min(to, next + stepFrames);
                // A damaged video is cut off at its damaged frame: every range that reaches it fails there.
                boolean damagedHere = profile.damagedFrame() >= 0 && profile.damagedFrame() < target;
                if (damagedHere) {
                    target = Math.max(next, profile.damagedFrame());
                }
                Instant stepStart = sim.now();
                boolean whole = sleepFor(target - next, secondsPerFrame, stepStart, next);
                if (!whole) {
                    double elapsed = Duration.between(stepStart, sim.now()).toNanos() / 1e9;
                    target = Math.min(target, next + (long) (elapsed / secondsPerFrame));
                    damagedHere = false;
                }
                counters.framesComputed += target - next;
                for (long frame = next; frame < target; frame++) {
                    request.sink().accept(new FrameResult(request.trackId(), frame, PAYLOAD));
                    if (frame + 1 < to && !request.checkpoints().onCheckpoint(frame + 1)) {
                        next = frame + 1;
                        stopped = true;
                        break;
                    }
                }
                if (stopped) {
                    break;
                }
                next = target;
                if (damagedHere) {
                    failure = Optional.of(new VideoException(request.videoLocation(), VideoException.Kind.TRUNCATED, next,
                            "simulated damage: the stream ends here", null));
                    break;
                }
                if (!whole) {
                    stopped = true;
                }
            }
            request.sink().flush();
        } catch (SimScheduler.Killed killed) {
            throw killed;
        } catch (JugglerException e) {
            failure = Optional.of(e);
        }
        Duration wall = Duration.between(began, sim.now());
        return new PipelineReport(request.range(), next, failure, stopped && failure.isEmpty() && next < to, wall,
                StageStats.EMPTY, StageStats.EMPTY, StageStats.EMPTY);
    }

    /** Sleeps for the frames' time; a kill counts the frames computed by then as lost work before it unwinds. */
    private boolean sleepFor(long frames, double secondsPerFrame, Instant stepStart, long from) {
        double seconds = frames * secondsPerFrame;
        try {
            boolean whole = sim.sleep(Duration.ofNanos((long) (seconds * 1e9)));
            counters.nodeSecondsComputing += Duration.between(stepStart, sim.now()).toNanos() / 1e9;
            return whole;
        } catch (SimScheduler.Killed killed) {
            double elapsed = Duration.between(stepStart, sim.now()).toNanos() / 1e9;
            counters.nodeSecondsComputing += elapsed;
            counters.framesComputed += Math.min(frames, (long) (elapsed / secondsPerFrame));
            throw killed;
        }
    }

    /** A log-normal factor of mean 1 with the model's coefficient of variation. */
    private double variation() {
        if (timeVariation <= 0) {
            return 1;
        }
        double sigma2 = Math.log(1 + timeVariation * timeVariation);
        return Math.exp(-sigma2 / 2 + Math.sqrt(sigma2) * random.nextGaussian());
    }

    @Override
    public void close() {
        // nothing held
    }
}
