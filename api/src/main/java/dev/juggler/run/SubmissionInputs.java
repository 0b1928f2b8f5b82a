package dev.juggler.run;

import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import dev.juggler.ledger.Progress;
import dev.juggler.ledger.WorkLedger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the {@link SubmissionPlanner} plans from, read from the ledger and the cluster's job list: the
 * claimable frames, the jobs waiting in the queue and, for each running job, the frames it holds under
 * lease and the frames it is expected to do in the rest of its life: {@code framesPerWorker} times the share of its
 * time limit left (counted from when this juggler first saw it running), or, when less, the ledger's measured
 * throughput per running job over that time (a job on slow videos does fewer frames than configured; see
 * {@link #perJobRate}). An
 * immutable snapshot; {@link #read} does the I/O (at most one ledger read).
 *
 * @param claimableFrames pending frames of staged videos
 * @param pendingJobs jobs waiting in the queue, including submitted ones the backend has not shown yet
 * @param running for each running job, the frames it holds under lease now and the share of its life left
 */
record SubmissionInputs(long claimableFrames, int pendingJobs, List<SubmissionPlanner.Running> running) {

    SubmissionInputs {
        running = List.copyOf(running);
    }

    /**
     * @param unshownJobs submitted jobs the backend does not list yet (they wait in the queue as far as
     *     anyone can tell)
     * @param claimable pending frames of staged videos, as the tick's progress read them
     * @param framesPerSecond the ledger's throughput over the last hour (0 when unknown)
     * @param book when each job was first seen running
     * @param timeLimit a job's time limit
     * @param framesPerWorker frames a job is sized for over its whole time limit
     * @param now the time of the reading
     */
    static SubmissionInputs read(WorkLedger ledger, long claimable, double framesPerSecond, List<JobStatus> jobs, int unshownJobs,
            JobBook book, Duration timeLimit, long framesPerWorker, Instant now) {
        double perJobRate = perJobRate(framesPerSecond, jobs, book, now);
        double limitSeconds = Math.max(1e-3, timeLimit.toMillis() / 1000.0);
        List<SubmissionPlanner.Running> heldByRunning = new ArrayList<>();
        Map<String, Long> leased = null;
        for (JobStatus job : jobs) {
            if (job.state() == JobState.RUNNING) {
                if (leased == null) { // one read, and none when nothing runs
                    leased = ledger.reader().leasedFramesByJob();
                }
                Instant since = book.runningSince(job.jobId());
                double secondsLeft = since == null ? limitSeconds
                        : Math.max(0, limitSeconds - Duration.between(since, now).toMillis() / 1000.0);
                double framesLeft = framesPerWorker * Math.min(1, secondsLeft / limitSeconds);
                if (perJobRate > 0) {
                    framesLeft = Math.min(framesLeft, perJobRate * secondsLeft);
                }
                heldByRunning.add(new SubmissionPlanner.Running(leased.getOrDefault(job.jobId(), 0L), (long) Math.ceil(framesLeft)));
            }
        }
        return new SubmissionInputs(claimable, JobBook.count(jobs, JobState.PENDING) + unshownJobs, heldByRunning);
    }

    /**
     * Frames per second of one running job, from the ledger's throughput over the last hour, or -1 when it
     * cannot be told. Each job counts for the share of that hour it has been running: divided by the number of
     * jobs running now, a fleet that grew within the hour (the run's start, the end of a maintenance) would
     * look slow, and running jobs would seem to absorb too little, so too many would be submitted. While most
     * of the fleet is younger than half the hour (its first chunks not yet done) the rate is not used.
     */
    static double perJobRate(double framesPerSecond, List<JobStatus> jobs, JobBook book, Instant now) {
        double windowSeconds = Progress.THROUGHPUT_WINDOW.toMillis() / 1000.0;
        int runningJobs = 0;
        double jobHours = 0; // running jobs weighted by the share of the window they ran in
        for (JobStatus job : jobs) {
            if (job.state() == JobState.RUNNING) {
                runningJobs++;
                Instant since = book.runningSince(job.jobId());
                double seconds = since == null ? windowSeconds : Math.max(0, Duration.between(since, now).toMillis() / 1000.0);
                jobHours += Math.min(1, seconds / windowSeconds);
            }
        }
        if (framesPerSecond <= 0 || runningJobs == 0 || jobHours < 0.5 * runningJobs) {
            return -1;
        }
        return framesPerSecond / jobHours;
    }

    SubmissionPlanner.Plan plan(long framesPerWorker, int maxQueuedJobs, int maxActiveJobs) {
        return SubmissionPlanner.plan(claimableFrames, pendingJobs, running, framesPerWorker, maxQueuedJobs,
                maxActiveJobs);
    }
}
