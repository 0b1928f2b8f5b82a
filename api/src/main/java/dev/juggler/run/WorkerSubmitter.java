package dev.juggler.run;

import dev.juggler.cluster.ClusterBackend;
import dev.juggler.cluster.JobSpec;
import dev.juggler.cluster.JobStatus;
import dev.juggler.ledger.Progress;
import dev.juggler.ledger.WorkLedger;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The juggler's submission step: unless failing workers hold submissions back, it works out how many worker jobs
 * the claimable frames justify ({@link SubmissionInputs}, {@link SubmissionPlanner}) and submits them as one
 * array through the {@link JobBook}, so that a restart finds them. Called on the tick thread only.
 */
final class WorkerSubmitter {

    private static final Logger LOG = LoggerFactory.getLogger(Juggler.class);

    private final WorkLedger ledger;
    private final ClusterBackend backend;
    private final ClusterWatch cluster;
    private final JobBook book;
    private final WorkerBackoff backoff;
    private final JobSpec workerJob;
    private final long framesPerWorker;
    private final int maxQueuedJobs;
    private final int maxActiveJobs;
    private final int arrayConcurrency;
    private final Clock clock;
    private final Consumer<JugglerEvent> events;
    private final AtomicLong submitted = new AtomicLong();

    WorkerSubmitter(WorkLedger ledger, ClusterBackend backend, ClusterWatch cluster, JobBook book, WorkerBackoff backoff,
            JobSpec workerJob, long framesPerWorker, int maxQueuedJobs, int maxActiveJobs, int arrayConcurrency, Clock clock,
            Consumer<JugglerEvent> events) {
        this.ledger = ledger;
        this.backend = backend;
        this.cluster = cluster;
        this.book = book;
        this.backoff = backoff;
        this.workerJob = workerJob;
        this.framesPerWorker = framesPerWorker;
        this.maxQueuedJobs = maxQueuedJobs;
        this.maxActiveJobs = maxActiveJobs;
        this.arrayConcurrency = arrayConcurrency;
        this.clock = clock;
        this.events = events;
    }

    /** Jobs submitted so far. Thread-safe. */
    long submitted() {
        return submitted.get();
    }

    /** Submits the jobs {@code jobs} (the cluster's list) and {@code progress} (this tick's) justify; problems go to the status. */
    void submit(List<JobStatus> jobs, List<String> problems, Progress progress) {
        String holdingBack = backoff.holdingBack(clock.instant());
        if (holdingBack != null) {
            problems.add(holdingBack);
            return;
        }
        SubmissionInputs inputs = SubmissionInputs.read(ledger, progress.frames().claimableFrames(), progress.framesPerSecond(), jobs,
                book.unshown(), book, workerJob.timeLimit(), framesPerWorker, clock.instant());
        SubmissionPlanner.Plan plan = inputs.plan(framesPerWorker, maxQueuedJobs, maxActiveJobs);
        if (plan.wanted() <= 0) {
            return;
        }
        Optional<Instant> stillRunning = cluster.submitStillRunning();
        if (stillRunning.isPresent()) {
            problems.add("submit workers: the submit call started at " + stillRunning.get() + " still runs");
            return;
        }
        List<String> ids = book.submit(() -> cluster.submit(() -> backend.submit(workerJob, plan.wanted(), arrayConcurrency)),
                plan.wanted(), clock);
        submitted.addAndGet(ids.size());
        LOG.info("submitted {} worker job(s) for {} claimable frames, {} of them not taken by the {} queued and {} running: {}",
                ids.size(), inputs.claimableFrames(), plan.unclaimedFrames(), inputs.pendingJobs(), inputs.running().size(), ids);
        events.accept(new JugglerEvent.JobsSubmitted(ids));
    }
}
