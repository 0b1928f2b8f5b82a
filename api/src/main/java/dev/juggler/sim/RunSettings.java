package dev.juggler.sim;

import dev.juggler.InvalidConfigException;
import dev.juggler.pipeline.CheckpointingSink;
import dev.juggler.run.Juggler;
import dev.juggler.run.Worker;
import java.time.Duration;

/**
 * The settings of the real run under test: the juggler's loop and the workers' claim and checkpoint policy, as a
 * real run's config gives them. Frames are real frames. Immutable and thread-safe.
 *
 * @param analysis the analysis of the tracks
 * @param pollInterval the juggler's tick interval
 * @param maxQueuedJobs the juggler's queue cap
 * @param maxActiveJobs the juggler's cap on queued and running jobs
 * @param framesPerWorker frames one job is sized for
 * @param parallelStaging videos staged at once
 * @param workspaceBudget the workspace's byte budget
 * @param safetyMargin time a worker keeps free before its job's end
 * @param lease lease duration
 * @param initialChunk frames of a worker's first claim
 * @param maxChunk most frames of one claim
 * @param targetChunk time one claim should take
 * @param checkpointFrames checkpoint every this many frames at least
 * @param checkpointInterval checkpoint at least this often
 */
public record RunSettings(String analysis, Duration pollInterval, int maxQueuedJobs, int maxActiveJobs, long framesPerWorker,
        int parallelStaging, long workspaceBudget, Duration safetyMargin, Duration lease, long initialChunk, long maxChunk,
        Duration targetChunk, int checkpointFrames, Duration checkpointInterval) {

    public RunSettings {
        InvalidConfigException.requireNotBlank("analysis", analysis);
        if (pollInterval == null || pollInterval.compareTo(Duration.ofMillis(100)) < 0) {
            throw InvalidConfigException.of("pollInterval", pollInterval, "must be at least 100 ms");
        }
        InvalidConfigException.requireInRange("maxQueuedJobs", maxQueuedJobs, 1, 1_000_000);
        InvalidConfigException.requireInRange("maxActiveJobs", maxActiveJobs, 1, 10_000_000);
        positive("framesPerWorker", framesPerWorker);
        InvalidConfigException.requireInRange("parallelStaging", parallelStaging, 1, 64);
        positive("workspaceBudget", workspaceBudget);
        InvalidConfigException.requireNonNegative("safetyMargin", safetyMargin);
        InvalidConfigException.requirePositive("lease", lease);
        positive("initialChunk", initialChunk);
        positive("maxChunk", maxChunk);
        InvalidConfigException.requirePositive("targetChunk", targetChunk);
        CheckpointingSink.requireFrames(checkpointFrames);
        CheckpointingSink.requireInterval(checkpointInterval);
        if (checkpointInterval.compareTo(lease) >= 0) {
            throw InvalidConfigException.of("checkpointInterval", checkpointInterval, "must be shorter than the lease " + lease
                    + ", or leases expire between heartbeats");
        }
    }

    private static void positive(String field, long value) {
        if (value < 1) {
            throw InvalidConfigException.of(field, value, "must be >= 1");
        }
    }

    /** The SDK's defaults, with this analysis and workspace budget. */
    public static RunSettings defaults(String analysis, long workspaceBudget) {
        return new RunSettings(analysis, Juggler.DEFAULT_POLL_INTERVAL, Juggler.DEFAULT_MAX_QUEUED_JOBS, Juggler.DEFAULT_MAX_ACTIVE_JOBS,
                Juggler.DEFAULT_FRAMES_PER_WORKER, Juggler.DEFAULT_PARALLEL_STAGING, workspaceBudget, Worker.DEFAULT_SAFETY_MARGIN,
                Worker.DEFAULT_LEASE_DURATION, Worker.DEFAULT_INITIAL_CHUNK_FRAMES, Worker.DEFAULT_MAX_CHUNK_FRAMES,
                Worker.DEFAULT_TARGET_CHUNK_DURATION, Worker.DEFAULT_CHECKPOINT_FRAMES, Worker.DEFAULT_CHECKPOINT_INTERVAL);
    }

    public RunSettings withPollInterval(Duration value) {
        return new RunSettings(analysis, value, maxQueuedJobs, maxActiveJobs, framesPerWorker, parallelStaging, workspaceBudget,
                safetyMargin, lease, initialChunk, maxChunk, targetChunk, checkpointFrames, checkpointInterval);
    }

    public RunSettings withMaxQueuedJobs(int value) {
        return new RunSettings(analysis, pollInterval, value, maxActiveJobs, framesPerWorker, parallelStaging, workspaceBudget,
                safetyMargin, lease, initialChunk, maxChunk, targetChunk, checkpointFrames, checkpointInterval);
    }

    public RunSettings withWorkspaceBudget(long value) {
        return new RunSettings(analysis, pollInterval, maxQueuedJobs, maxActiveJobs, framesPerWorker, parallelStaging, value,
                safetyMargin, lease, initialChunk, maxChunk, targetChunk, checkpointFrames, checkpointInterval);
    }

    /** The chunk policy: the time one claim should take, and the most frames of one claim. */
    public RunSettings withChunkPolicy(Duration target, long max) {
        return new RunSettings(analysis, pollInterval, maxQueuedJobs, maxActiveJobs, framesPerWorker, parallelStaging, workspaceBudget,
                safetyMargin, lease, initialChunk, max, target, checkpointFrames, checkpointInterval);
    }
}
