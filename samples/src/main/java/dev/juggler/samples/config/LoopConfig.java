package dev.juggler.samples.config;

import dev.juggler.run.Juggler;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code juggler:} section: the control loop's limits. Immutable and thread-safe.
 *
 * @param maxQueuedJobs jobs waiting in the queue at most
 * @param maxActiveJobs jobs queued or running at most
 * @param pollInterval time between ticks
 * @param parallelStaging videos staged at once
 * @param failedJobsBeforeBackoff failed jobs in a row before submissions slow down
 */
public record LoopConfig(int maxQueuedJobs, int maxActiveJobs, Duration pollInterval, int parallelStaging,
        int failedJobsBeforeBackoff) {

    public LoopConfig {
        Objects.requireNonNull(pollInterval, "pollInterval");
    }

    /** Applies these settings to a Juggler builder. */
    public Juggler.Builder applyTo(Juggler.Builder builder) {
        return builder.maxQueuedJobs(maxQueuedJobs).maxActiveJobs(maxActiveJobs).pollInterval(pollInterval)
                .parallelStaging(parallelStaging).failedJobsBeforeBackoff(failedJobsBeforeBackoff);
    }

    static LoopConfig read(Section s) {
        int queued = s.integer("maxQueuedJobs", Juggler.DEFAULT_MAX_QUEUED_JOBS, 1, 100_000);
        int active = s.integer("maxActiveJobs", Juggler.DEFAULT_MAX_ACTIVE_JOBS, 1, 1_000_000);
        Duration poll = s.duration("pollInterval", Juggler.DEFAULT_POLL_INTERVAL, Duration.ofMillis(100));
        int staging = s.integer("parallelStaging", Juggler.DEFAULT_PARALLEL_STAGING, 1, 64);
        int backoff = s.integer("failedJobsBeforeBackoff", Juggler.DEFAULT_FAILED_JOBS_BEFORE_BACKOFF, 1, 10_000);
        s.finish();
        return new LoopConfig(queued, active, poll, staging, backoff);
    }
}
