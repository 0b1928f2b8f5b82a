package dev.juggler.cluster;

import dev.juggler.internal.ProcessTree;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a {@link LocalClusterBackend} ends running jobs: a deadline timer per job, checked against the injected
 * clock (so a manual clock decides, never real time alone), and SIGTERM to the job's process tree followed by
 * SIGKILL after the grace period. Methods named {@code …Locked} must be called holding the backend's lock;
 * timers take that lock themselves.
 */
final class LocalJobTermination {

    /** Smallest delay when the clock says a deadline is not reached yet, so a frozen clock cannot spin. */
    private static final long MIN_RECHECK_MILLIS = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(LocalClusterBackend.class);

    private final Object lock;
    private final ScheduledExecutorService timers;
    private final Clock clock;
    private final Duration killGracePeriod;

    LocalJobTermination(Object lock, ScheduledExecutorService timers, Clock clock, Duration killGracePeriod) {
        this.lock = lock;
        this.timers = timers;
        this.clock = clock;
        this.killGracePeriod = killGracePeriod;
    }

    /** Checks the job's deadline after {@code delayMillis} of real time. */
    void scheduleDeadlineLocked(LocalJob job, long delayMillis) {
        try {
            job.deadlineTimer = timers.schedule(() -> {
                synchronized (lock) {
                    checkDeadlineLocked(job, true);
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closing: close() ends the job itself or leaves it alone by configuration.
        }
    }

    /** Ends the job as timed out if its deadline has passed by the clock; from a timer, checks again later if not. */
    void checkDeadlineLocked(LocalJob job, boolean fromTimer) {
        if (job.state != JobState.RUNNING || job.ending != null) {
            return;
        }
        long remaining = job.deadlineMillis - clock.millis();
        if (remaining > 0) {
            if (fromTimer) {
                // Real time and the clock disagree (a manual or adjusted clock): trust the clock.
                scheduleDeadlineLocked(job, Math.max(remaining, MIN_RECHECK_MILLIS));
            }
            return;
        }
        LOG.info("job {} exceeded its time limit {}: SIGTERM, SIGKILL after {}", job.id, job.spec.timeLimit(),
                killGracePeriod);
        requestEndLocked(job, LocalJob.Ending.TIMEOUT, true);
    }

    /** Sends SIGTERM to the job's process tree and, if asked, schedules SIGKILL after the grace period. */
    void requestEndLocked(LocalJob job, LocalJob.Ending ending, boolean scheduleKill) {
        job.ending = ending;
        job.cancelDeadlineTimer();
        job.tree = ProcessTree.snapshot(job.process.toHandle());
        ProcessTree.terminate(job.tree);
        if (!scheduleKill) {
            return;
        }
        if (killGracePeriod.isZero()) {
            ProcessTree.kill(job.treeForKill());
            return;
        }
        try {
            timers.schedule(() -> ProcessTree.kill(job.treeForKill()), killGracePeriod.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            ProcessTree.kill(job.treeForKill());
        }
    }
}
