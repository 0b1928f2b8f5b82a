package dev.juggler.sim;

import dev.juggler.InvalidConfigException;
import java.time.Duration;
import java.time.Instant;

/**
 * Everything one simulation needs: the models of the cluster, the workers, the stager and the corpus, the settings
 * of the run under test, and how to simulate. Immutable and thread-safe.
 *
 * @param cluster the batch cluster
 * @param workers worker speed and failures
 * @param stager the workspace's transfers
 * @param corpus the videos
 * @param run the real run's settings
 * @param frameQuantum the ledger counts frames in blocks of this many (1: every frame); a block is the smallest
 *     claim and checkpoint step, so results are exact to one block per range. 100 keeps a corpus of a billion
 *     frames to minutes without changing what is measured
 * @param seed the random seed; one seed, one outcome
 * @param horizon simulated time after which the run is cut off (reported as not finished)
 * @param sampleInterval time between the chart's samples
 * @param start the simulated start instant
 */
public record SimulationConfig(ClusterModel cluster, WorkerModel workers, StagerModel stager, CorpusModel corpus, RunSettings run,
        long frameQuantum, long seed, Duration horizon, Duration sampleInterval, Instant start) {

    /** Default {@link #start()}: a fixed instant, so that reports are reproducible. */
    public static final Instant DEFAULT_START = Instant.parse("2027-01-04T08:00:00Z");

    public SimulationConfig {
        InvalidConfigException.required(cluster, "cluster");
        InvalidConfigException.required(workers, "workers");
        InvalidConfigException.required(stager, "stager");
        InvalidConfigException.required(corpus, "corpus");
        InvalidConfigException.required(run, "run");
        if (frameQuantum < 1 || frameQuantum > 100_000) {
            throw InvalidConfigException.of("frameQuantum", frameQuantum, "must be in 1..100000");
        }
        InvalidConfigException.requirePositive("horizon", horizon);
        InvalidConfigException.requirePositive("sampleInterval", sampleInterval);
        InvalidConfigException.required(start, "start");
        for (CorpusModel.Camera camera : corpus.cameras()) {
            workers.rate(camera.speedClass());
        }
        if (run.checkpointInterval().compareTo(cluster.timeLimit()) >= 0) {
            throw InvalidConfigException.of("checkpointInterval", run.checkpointInterval(), "must be shorter than the time limit");
        }
    }

    public SimulationConfig withRun(RunSettings value) {
        return new SimulationConfig(cluster, workers, stager, corpus, value, frameQuantum, seed, horizon, sampleInterval, start);
    }

    public SimulationConfig withSeed(long value) {
        return new SimulationConfig(cluster, workers, stager, corpus, run, frameQuantum, value, horizon, sampleInterval, start);
    }

    public SimulationConfig withCorpus(CorpusModel value) {
        return new SimulationConfig(cluster, workers, stager, value, run, frameQuantum, seed, horizon, sampleInterval, start);
    }
}
