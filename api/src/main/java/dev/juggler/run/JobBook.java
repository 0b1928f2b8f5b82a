package dev.juggler.run;

import dev.juggler.cluster.JobSpec;
import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import dev.juggler.ledger.JobRecord;
import dev.juggler.ledger.InMemoryJobRecords;
import dev.juggler.ledger.JobRecords;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.ledger.Submission;
import dev.juggler.ledger.SubmissionIntent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The juggler's jobs, mirrored in memory and persisted in {@link JobRecords} (see {@link Juggler}'s class
 * comment, "Restarts"). The memory holds what this juggler observed; every tick writes what the records
 * do not say yet, so a write that fails is repeated by the next tick, and a state the backend reported
 * only once (GONE) is not lost meanwhile.
 *
 * <p>Pending without being shown: jobs submitted (or found in the records after a restart) that the
 * backend's status has not shown yet, and submissions whose ids were never written (a juggler crashed
 * between the submit call and the write), each for at most the grace after its submission. A job that
 * the status does not show for the grace (never shown: since its submission) is settled as GONE.
 * Not thread-safe: used by the tick thread under the tick lock.
 */
final class JobBook {

    private static final Logger LOG = LoggerFactory.getLogger(Juggler.class);
    private static final int FIND_BATCH = 500;

    /** A job the cluster ended, to settle; {@code beforeStart}: it ended before this juggler read the cluster. */
    record Ended(JobStatus status, boolean beforeStart) {
    }

    private static final class Job {
        final String id;
        final Instant submittedAt;
        /** What this juggler last observed (or the records said); {@code null} while never shown. */
        JobStatus observed;
        /** What the records say; {@code null} while they hold no state. */
        JobStatus recorded;
        Instant absentSince;
        /** When this juggler first saw it running ({@code null}: not yet); a job taken over counts from then. */
        Instant runningSince;
        boolean endedBeforeStart;

        Job(String id, Instant submittedAt) {
            this.id = id;
            this.submittedAt = submittedAt;
        }
    }

    private final JobRecords records;
    private final String runKey;
    private final String specHash;
    private final String jobName;
    private final Duration grace;
    /** Unsettled jobs of this run, by id, oldest first. */
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    /** Submissions without ids, oldest first: id to intent. */
    private final TreeMap<Long, SubmissionIntent> intents = new TreeMap<>();
    /** Submissions whose ids are known here but not written yet. */
    private final Map<Long, List<String>> unwritten = new LinkedHashMap<>();
    /** Ids the last status showed that need nothing (settled, or another run's): not looked up again. */
    private Set<String> ignored = new HashSet<>();
    private boolean loaded;
    private boolean observedOnce;

    JobBook(JobRecords records, String runKey, JobSpec workerJob, Duration grace) {
        this.records = records;
        this.runKey = runKey;
        this.specHash = specHash(workerJob);
        this.jobName = workerJob.name();
        this.grace = grace;
    }

    /** The ledger's job records, or an in-memory stand-in (with a WARN) if it keeps none. */
    static JobRecords recordsOf(WorkLedger ledger) {
        try {
            return ledger.jobRecords();
        } catch (UnsupportedOperationException e) {
            LOG.warn("the ledger {} keeps no job records: they are kept in memory, so a restart forgets what was submitted", ledger);
            return new InMemoryJobRecords();
        }
    }

    /**
     * Keeps the tick's status as the run's report in the records, for an operator's status in another
     * process. A failure is logged, not thrown: the report is for people, the tick's work is done.
     */
    void report(JugglerStatus status) {
        try {
            records.recordRunReport(new dev.juggler.ledger.RunReport(runKey, status.at(), status.jobsPending(), status.jobsRunning(),
                    status.workspace().usedBytes() + status.workspace().reservedBytes(), status.workspace().budgetBytes(),
                    status.videosStaging(), status.clusterUnavailableSince(), status.nextTick(), status.problems(),
                    status.waiting()));
        } catch (RuntimeException e) {
            LOG.warn("run {}: the status report could not be kept in the ledger: {}", runKey, e.getMessage());
        }
    }

    /** "FAILED (OUT_OF_MEMORY, exit 137, reason)". */
    static String describe(JobStatus job) {
        StringBuilder text = new StringBuilder(job.state().name()).append(" (").append(job.nativeState());
        job.exitCode().ifPresent(code -> text.append(", exit ").append(code));
        job.reason().ifPresent(reason -> text.append(", ").append(reason));
        return text.append(')').toString();
    }

    /** The grace for a poll interval: ten intervals, at least ten minutes. */
    static Duration graceFor(Duration pollInterval) {
        Duration tenPolls = pollInterval.multipliedBy(10);
        Duration floor = Duration.ofMinutes(10);
        return tenPolls.compareTo(floor) > 0 ? tenPolls : floor;
    }

    /** A digest of what a worker job runs (secret values left out): 16 hex digits. */
    static String specHash(JobSpec spec) {
        String text = String.join("\u0000", spec.name(), String.valueOf(spec.fullCommand()), String.valueOf(spec.environment()),
                String.valueOf(spec.secretEnvironment().keySet()), String.valueOf(spec.prologue()), String.valueOf(spec.timeLimit()),
                String.valueOf(spec.cpus()), String.valueOf(spec.memoryMegabytes()), String.valueOf(spec.gpus()),
                String.valueOf(spec.partition()), String.valueOf(spec.account()), String.valueOf(spec.qos()),
                String.valueOf(spec.nativeOptions()), String.valueOf(spec.workingDirectory()), String.valueOf(spec.outputDirectory()));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                hex.append(String.format("%02x", digest[i]));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Takes in one status answer: loads the records on first use, writes what changed, adopts jobs no
     * record knows (to the oldest unconfirmed submission first), and returns the ended jobs to settle. Jobs
     * that had ended in the first answer taken in (or in the records) ended before this juggler started.
     */
    List<Ended> observe(List<JobStatus> shown, Instant now) {
        if (!loaded) {
            load();
        }
        boolean firstRead = !observedOnce;
        flushUnwritten(now);
        Set<String> shownIds = new HashSet<>();
        List<JobStatus> unknown = new ArrayList<>();
        Set<String> stillIgnored = new HashSet<>();
        for (JobStatus status : shown) {
            shownIds.add(status.jobId());
            Job job = jobs.get(status.jobId());
            if (job != null) {
                see(job, status, firstRead);
            } else if (ignored.contains(status.jobId())) {
                stillIgnored.add(status.jobId());
            } else {
                unknown.add(status);
            }
        }
        ignored = stillIgnored;
        if (!unknown.isEmpty()) {
            adopt(unknown, firstRead, now);
        }
        expireIntents(now);
        List<Ended> ended = new ArrayList<>();
        for (Job job : jobs.values()) {
            if (!shownIds.contains(job.id) && (job.observed == null || job.observed.state().isActive())) {
                absent(job, now);
            }
            if (job.observed != null && job.observed.state() == JobState.RUNNING) {
                if (job.runningSince == null) {
                    job.runningSince = now;
                }
            } else if (job.observed != null) {
                job.runningSince = null; // requeued (node failure, preemption): it starts again with a fresh time limit
            }
            if (job.observed != null && !job.observed.equals(job.recorded)) {
                records.recordState(job.observed, now);
                job.recorded = job.observed;
            }
            if (job.observed != null && job.observed.state().isTerminal()) {
                ended.add(new Ended(job.observed, job.endedBeforeStart));
            }
        }
        observedOnce = true;
        return ended;
    }

    private void load() {
        jobs.clear();
        intents.clear();
        for (JobRecord record : records.unsettled(runKey)) {
            Job job = new Job(record.jobId(), record.submittedAt());
            job.observed = record.lastState()
                    .map(s -> new JobStatus(record.jobId(), jobName, s.state(), s.nativeState(), s.reason(), s.exitCode())).orElse(null);
            job.recorded = job.observed;
            job.endedBeforeStart = job.observed != null && job.observed.state().isTerminal();
            jobs.put(job.id, job);
        }
        for (Submission submission : records.unconfirmed(runKey)) {
            intents.put(submission.id(), submission.intent());
        }
        loaded = true;
        if (!jobs.isEmpty() || !intents.isEmpty()) {
            LOG.info("job records of run '{}': {} unsettled job(s) and {} submission(s) without job ids taken over", runKey,
                    jobs.size(), intents.size());
        }
    }

    private void see(Job job, JobStatus status, boolean firstRead) {
        if (status.state().isTerminal() && (job.observed == null || job.observed.state().isActive()) && firstRead) {
            job.endedBeforeStart = true;
        }
        job.observed = status;
        job.absentSince = null;
    }

    private void flushUnwritten(Instant now) {
        for (Iterator<Map.Entry<Long, List<String>>> it = unwritten.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Long, List<String>> entry = it.next();
            records.recordSubmitted(entry.getKey(), entry.getValue(), now);
            it.remove();
        }
    }

    /** Jobs the status shows that this juggler does not know: settled or another run's, or found and adopted. */
    private void adopt(List<JobStatus> unknown, boolean firstRead, Instant now) {
        Map<String, JobStatus> byId = new LinkedHashMap<>();
        unknown.forEach(s -> byId.put(s.jobId(), s));
        List<String> ids = new ArrayList<>(byId.keySet());
        Map<String, JobRecord> found = new HashMap<>();
        for (int from = 0; from < ids.size(); from += FIND_BATCH) {
            records.find(ids.subList(from, Math.min(ids.size(), from + FIND_BATCH))).forEach(r -> found.put(r.jobId(), r));
        }
        List<String> orphans = new ArrayList<>();
        for (String id : ids) {
            JobRecord record = found.get(id);
            if (record == null) {
                orphans.add(id);
            } else if (record.settled() || !record.runKey().equals(runKey)) {
                ignored.add(id);
            } else {
                track(byId.get(id), record.submittedAt(), firstRead); // another instance of this run recorded it
            }
        }
        while (!orphans.isEmpty()) {
            Map.Entry<Long, SubmissionIntent> oldest = intents.pollFirstEntry();
            List<String> take = new ArrayList<>(orphans.subList(0, oldest == null ? orphans.size()
                    : Math.min(orphans.size(), oldest.getValue().jobCount())));
            orphans.subList(0, take.size()).clear();
            OptionalLong submission = oldest == null ? OptionalLong.empty() : OptionalLong.of(oldest.getKey());
            records.recordAdopted(runKey, submission, take, now);
            Instant submittedAt = oldest == null ? now : oldest.getValue().at();
            LOG.warn("adopted {} job(s) of run '{}' that no record knew{}: {}", take.size(), runKey,
                    oldest == null ? "" : " into submission " + oldest.getKey() + " of " + oldest.getValue().at()
                            + " (its ids were never written)", take);
            for (String id : take) {
                track(byId.get(id), submittedAt, firstRead);
            }
        }
    }

    private void track(JobStatus status, Instant submittedAt, boolean firstRead) {
        Job job = new Job(status.jobId(), submittedAt);
        jobs.put(job.id, job);
        see(job, status, firstRead);
    }

    private void absent(Job job, Instant now) {
        if (job.absentSince == null) {
            job.absentSince = job.observed == null ? job.submittedAt : now;
        }
        if (now.isBefore(job.absentSince.plus(grace))) {
            return;
        }
        if (job.observed == null) {
            LOG.warn("job {} submitted at {} has not appeared in the cluster's status within {}; settled as GONE", job.id,
                    job.submittedAt, grace);
        } else {
            LOG.warn("job {} (last seen {}) has not been in the cluster's status for {}; settled as GONE", job.id,
                    job.observed.nativeState(), grace);
        }
        String reason = job.observed == null ? "never shown by the cluster within " + grace
                : "not shown by the cluster for " + grace + " (last seen " + job.observed.nativeState() + ")";
        job.observed = new JobStatus(job.id, jobName, JobState.GONE, "GONE", Optional.of(reason), OptionalInt.empty());
    }

    private void expireIntents(Instant now) {
        for (Iterator<Map.Entry<Long, SubmissionIntent>> it = intents.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Long, SubmissionIntent> entry = it.next();
            SubmissionIntent intent = entry.getValue();
            if (!now.isBefore(intent.at().plus(grace))) {
                records.recordSubmitted(entry.getKey(), List.of(), now);
                it.remove();
                LOG.warn("submission {} of {} job(s) at {} has no recorded job ids and none of its jobs appeared within {};"
                        + " it no longer counts as pending", entry.getKey(), intent.jobCount(), intent.at(), grace);
            }
        }
    }

    /** Settles an ended job in the records; {@code true} if this call settled it (count it), false if someone had. */
    boolean settle(JobStatus status, Instant now) {
        boolean first = records.settle(status, now);
        jobs.remove(status.jobId());
        ignored.add(status.jobId());
        return first;
    }

    /** Whether the records were read: until then nothing may be submitted. */
    boolean loaded() {
        return loaded;
    }

    /** When this juggler first saw the job running; {@code null} if it has not (or does not know the job). */
    Instant runningSince(String jobId) {
        Job job = jobs.get(jobId);
        return job == null ? null : job.runningSince;
    }

    /**
     * Jobs that count as pending although the status does not show them: known jobs never shown yet, and
     * the jobs of submissions without ids; all within the grace after their submission.
     */
    int unshown() {
        int count = 0;
        for (Job job : jobs.values()) {
            if (job.observed == null) {
                count++;
            }
        }
        for (SubmissionIntent intent : intents.values()) {
            count += intent.jobCount();
        }
        return count;
    }

    /** Jobs in this state. */
    static int count(List<JobStatus> jobs, JobState state) {
        int n = 0;
        for (JobStatus job : jobs) {
            if (job.state() == state) {
                n++;
            }
        }
        return n;
    }

    /**
     * Submits {@code count} jobs with {@code call}: the intent is written first (so a restart knows that a
     * submission may have happened), the ids after (or by a later tick, if that write fails).
     */
    List<String> submit(Supplier<List<String>> call, int count, Clock clock) {
        Submission intent = beforeSubmit(count, clock.instant());
        List<String> ids;
        try {
            ids = call.get();
        } catch (RuntimeException e) {
            submitFailed(intent, e, clock.instant());
            throw e;
        }
        submitted(intent.id(), ids, clock.instant());
        return ids;
    }

    /** Writes the intent before the submit call. */
    Submission beforeSubmit(int count, Instant now) {
        SubmissionIntent intent = new SubmissionIntent(runKey, specHash, count, now);
        return new Submission(records.recordSubmission(intent), intent);
    }

    /** Records the submitted ids (now, or by a later tick if the write fails). */
    void submitted(long submissionId, List<String> ids, Instant now) {
        for (String id : ids) {
            Job old = jobs.remove(id); // an id the batch system reused: the records settle the old one
            if (old != null) {
                LOG.warn("job id {} was reused by a new submission; its earlier job is considered gone", id);
            }
            jobs.put(id, new Job(id, now));
        }
        unwritten.put(submissionId, List.copyOf(ids));
        try {
            flushUnwritten(now);
        } catch (RuntimeException e) { // the jobs exist: the caller must count them; the next tick writes the ids
            LOG.warn("the ids of submission {} ({}) could not be written yet (retried next tick): {}", submissionId, ids, e.toString());
        }
    }

    /**
     * The submit call failed: a permanent failure submitted nothing (the intent is closed); any other may
     * have submitted jobs, so the intent stays and counts as pending until they show or the grace passes.
     */
    void submitFailed(Submission submission, RuntimeException failure, Instant now) {
        if (failure instanceof dev.juggler.JugglerException known && !known.isTransient()) {
            records.recordSubmitted(submission.id(), List.of(), now);
        } else {
            intents.put(submission.id(), submission.intent());
            LOG.warn("submission {} of {} job(s) failed and may have submitted them all the same: it counts as pending until its"
                    + " jobs show or {} pass", submission.id(), submission.intent().jobCount(), grace);
        }
    }
}
