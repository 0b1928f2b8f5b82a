package dev.juggler.run;

import dev.juggler.cluster.JobStatus;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The submission backoff for workers that keep failing (see {@link Juggler}'s class comment): counts
 * jobs that ended FAILED or OUT_OF_MEMORY in a row, and once there are enough, holds submissions back
 * for a poll interval, doubling up to {@link #MAX_DELAY}. Not thread-safe: used by the tick thread.
 */
final class WorkerBackoff {

    private static final Logger LOG = LoggerFactory.getLogger(Juggler.class);
    /** Longest wait before staging a video again after it failed, or before submitting after failed workers. */
    static final Duration MAX_DELAY = Duration.ofHours(1);

    private final int failuresBeforeBackoff;
    private final Duration base;
    private int failedInARow;
    private String lastFailure;
    private int steps;
    private Instant notBefore;

    WorkerBackoff(int failuresBeforeBackoff, Duration base) {
        this.failuresBeforeBackoff = failuresBeforeBackoff;
        this.base = base;
    }

    /** {@code base} doubled for each attempt after the first, at most {@link #MAX_DELAY}. */
    static Duration delay(Duration base, int attempt) {
        Duration delay = base.multipliedBy(1L << Math.min(attempt - 1, 20));
        return delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay;
    }

    int failedInARow() {
        return failedInARow;
    }

    /** Notes a job that this juggler saw end. */
    void jobEnded(JobStatus job, String description) {
        switch (job.state()) {
            case COMPLETED -> reset();
            case FAILED, OUT_OF_MEMORY -> {
                failedInARow++;
                lastFailure = "job " + job.jobId() + " " + description;
            }
            default -> {
                // cancelled, timed out, preempted, node failure, gone: the cluster's doing, not the worker's
            }
        }
    }

    /**
     * After a status read: if failures were added since {@code failedBefore}, either ends the backoff
     * (frames got done meanwhile) or takes one step (one per tick, however many jobs of an array failed
     * together). Returns the event to fire, or {@code null}.
     */
    JugglerEvent.WorkersFailing afterRead(int failedBefore, boolean framesGotDone, Instant now) {
        if (failedInARow > failedBefore && framesGotDone) {
            reset(); // frames got done meanwhile: these failures are not every worker's
        }
        if (failedInARow > failedBefore && failedInARow >= failuresBeforeBackoff) {
            steps++;
            notBefore = now.plus(delay(base, steps));
            LOG.warn("{} worker jobs in a row failed without progress (last: {}); next submission not before {}",
                    failedInARow, lastFailure, notBefore);
            return new JugglerEvent.WorkersFailing(failedInARow, lastFailure, notBefore);
        }
        return null;
    }

    /** The status problem while submissions are held back at {@code now}, or {@code null} if they are not. */
    String holdingBack(Instant now) {
        if (notBefore == null || !now.isBefore(notBefore)) {
            return null;
        }
        return "workers failing: " + failedInARow + " jobs in a row ended without progress (last: " + lastFailure
                + "); next submission not before " + notBefore;
    }

    private void reset() {
        failedInARow = 0;
        steps = 0;
        notBefore = null;
    }
}
