package dev.juggler.run;

import java.util.Collection;

/**
 * How many worker jobs to submit: pure arithmetic over what the cluster and the ledger say, without
 * I/O. Stateless and thread-safe.
 *
 * <p>The rule (also in {@link Juggler}'s class comment): every job that will claim work absorbs part of
 * the claimable frames before a new job could: a job waiting in the queue (or submitted and not shown
 * by the backend yet) absorbs {@code framesPerWorker}; a running job absorbs the frames it can still do (see
 * {@link SubmissionInputs}) minus the frames it holds under lease now, at least 0: a job near its end takes little
 * more, so the jobs that replace it are submitted in time (without that, the end of a long run drags on, with nodes
 * idle while the running jobs are thought to take all that is left).
 * Only the frames left over justify new jobs, one per {@code framesPerWorker} started. The queue and
 * active caps bound the result.
 */
final class SubmissionPlanner {

    private SubmissionPlanner() {
    }

    /**
     * @param unclaimedFrames claimable frames that no queued or running job is expected to take
     * @param wanted jobs to submit now (0 or more)
     */
    record Plan(long unclaimedFrames, int wanted) {
    }

    /**
     * A running job.
     *
     * @param heldFrames frames it holds under lease now
     * @param framesLeft frames it is expected to do in the rest of its life, those it holds included
     */
    record Running(long heldFrames, long framesLeft) {
    }

    /**
     * @param claimableFrames pending frames of staged videos
     * @param pendingJobs jobs waiting in the queue, including submitted ones the backend has not shown yet
     * @param running the running jobs
     * @param framesPerWorker frames one job is expected to do in its life (at least 1)
     * @param maxQueuedJobs cap on jobs waiting in the queue
     * @param maxActiveJobs cap on jobs queued or running
     */
    static Plan plan(long claimableFrames, int pendingJobs, Collection<Running> running, long framesPerWorker,
            int maxQueuedJobs, int maxActiveJobs) {
        long absorbed = saturatedProduct(pendingJobs, framesPerWorker);
        for (Running job : running) {
            absorbed = saturatedSum(absorbed, Math.max(0, job.framesLeft() - job.heldFrames()));
        }
        long unclaimed = Math.max(0, claimableFrames - absorbed);
        long justified = unclaimed / framesPerWorker + (unclaimed % framesPerWorker == 0 ? 0 : 1);
        long active = (long) pendingJobs + running.size();
        long wanted = Math.min(justified, Math.min(maxQueuedJobs - (long) pendingJobs, maxActiveJobs - active));
        return new Plan(unclaimed, (int) Math.max(0, wanted));
    }

    private static long saturatedProduct(long a, long b) {
        return b != 0 && a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }

    private static long saturatedSum(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}
