package dev.juggler.run;

import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import dev.juggler.ledger.WorkLedger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the {@link SubmissionPlanner} plans from, read from the ledger and the cluster's job list: the
 * claimable frames, the jobs waiting in the queue and, for each running job, the frames it holds under
 * lease. An immutable snapshot; {@link #read} does the I/O (at most two ledger reads).
 *
 * @param claimableFrames pending frames of staged videos
 * @param pendingJobs jobs waiting in the queue, including submitted ones the backend has not shown yet
 * @param heldByRunningJobs for each running job, the frames it holds under lease now
 */
record SubmissionInputs(long claimableFrames, int pendingJobs, List<Long> heldByRunningJobs) {

    SubmissionInputs {
        heldByRunningJobs = List.copyOf(heldByRunningJobs);
    }

    /**
     * @param unshownJobs submitted jobs the backend does not list yet (they wait in the queue as far as
     *     anyone can tell)
     */
    static SubmissionInputs read(WorkLedger ledger, List<JobStatus> jobs, int unshownJobs) {
        long claimable = ledger.estimate().claimableFrames();
        List<Long> heldByRunning = new ArrayList<>();
        Map<String, Long> leased = null;
        for (JobStatus job : jobs) {
            if (job.state() == JobState.RUNNING) {
                if (leased == null) { // one read, and none when nothing runs
                    leased = ledger.reader().leasedFramesByJob();
                }
                heldByRunning.add(leased.getOrDefault(job.jobId(), 0L));
            }
        }
        return new SubmissionInputs(claimable, JobBook.count(jobs, JobState.PENDING) + unshownJobs, heldByRunning);
    }

    SubmissionPlanner.Plan plan(long framesPerWorker, int maxQueuedJobs, int maxActiveJobs) {
        return SubmissionPlanner.plan(claimableFrames, pendingJobs, heldByRunningJobs, framesPerWorker, maxQueuedJobs,
                maxActiveJobs);
    }
}
