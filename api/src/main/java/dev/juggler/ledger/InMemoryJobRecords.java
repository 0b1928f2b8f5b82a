package dev.juggler.ledger;

import dev.juggler.NotFoundException;
import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * {@link JobRecords} in memory: the reference implementation (it passes the same contract as the JDBC
 * one), for tests, fakes and hosts whose ledger keeps no job records. Nothing survives the JVM, so it
 * gives no restart safety by itself. Frames done are 0 unless the records belong to an
 * {@link InMemoryWorkLedger}, which counts them from its chunks. Thread-safe (every method is
 * synchronized; with a ledger, its lock is taken inside this one, never the other way round).
 */
public final class InMemoryJobRecords implements JobRecords {

    /** Counts the frames done under a job's leases from {@code from} until {@code until} (open when {@code null}). */
    @FunctionalInterface
    interface FramesDone {
        long framesDone(String jobId, Instant from, Instant until);
    }

    /** When a job ran: from its first RUNNING record to its end, if it ended. */
    record RunningSpan(Instant began, Optional<Instant> ended) {
    }

    private final FramesDone framesDone;

    private final Map<String, RunReport> reports = new java.util.HashMap<>();

    private static final class Row {
        final long seq;
        final String jobId;
        final String runKey;
        final OptionalLong submissionId;
        final boolean adopted;
        final String specHash;
        final Instant submittedAt;
        /** From when done frames count for this record: the end of the previous record of the same job id. */
        final Instant framesFrom;
        final List<JobStateChange> history = new ArrayList<>();
        Instant endedAt;
        Instant settledAt;

        Row(long seq, String jobId, String runKey, OptionalLong submissionId, boolean adopted, String specHash, Instant submittedAt,
                Instant framesFrom) {
            this.seq = seq;
            this.framesFrom = framesFrom;
            this.jobId = jobId;
            this.runKey = runKey;
            this.submissionId = submissionId;
            this.adopted = adopted;
            this.specHash = specHash;
            this.submittedAt = submittedAt;
        }

    }

    private JobRecord view(Row row) {
        return new JobRecord(row.jobId, row.runKey, row.submissionId, row.adopted, row.specHash, row.submittedAt,
                row.history.isEmpty() ? Optional.empty() : Optional.of(row.history.get(row.history.size() - 1)),
                Optional.ofNullable(row.endedAt), Optional.ofNullable(row.settledAt),
                framesDone.framesDone(row.jobId, row.framesFrom, row.settledAt));
    }

    /** Job records of their own, without a ledger: frames done are 0. */
    public InMemoryJobRecords() {
        this((jobId, from, until) -> 0);
    }

    /** Job records whose frames done come from a ledger's chunks. */
    InMemoryJobRecords(FramesDone framesDone) {
        this.framesDone = Objects.requireNonNull(framesDone, "framesDone");
    }

    private final Map<Long, Submission> submissions = new LinkedHashMap<>();
    private final Set<Long> confirmed = new HashSet<>();
    /** Every record in insertion order; several per job id when an id was reused. */
    private final List<Row> rows = new ArrayList<>();
    /** The newest record per job id. */
    private final Map<String, Row> newest = new LinkedHashMap<>();
    private long nextSubmission = 1;
    private long nextRow = 1;

    @Override
    public synchronized long recordSubmission(SubmissionIntent intent) {
        Objects.requireNonNull(intent, "intent");
        long id = nextSubmission++;
        submissions.put(id, new Submission(id, intent));
        return id;
    }

    @Override
    public synchronized void recordSubmitted(long submissionId, List<String> jobIds, Instant at) {
        attach(submissionId, jobIds, false, at);
    }

    private void attach(long submissionId, List<String> jobIds, boolean adopted, Instant at) {
        Objects.requireNonNull(at, "at");
        Submission submission = submissions.get(submissionId);
        if (submission == null) {
            throw new NotFoundException("submission", submissionId);
        }
        SubmissionIntent intent = submission.intent();
        for (String jobId : List.copyOf(jobIds)) {
            Row old = newest.get(jobId);
            if (old != null && old.submissionId.equals(OptionalLong.of(submissionId))) {
                continue;
            }
            insert(jobId, intent.runKey(), OptionalLong.of(submissionId), adopted, intent.specHash(), intent.at(), at);
        }
        confirmed.add(submissionId);
    }

    @Override
    public synchronized void recordAdopted(String runKey, OptionalLong submissionId, List<String> jobIds, Instant at) {
        JobRecord.requireKey(runKey);
        Objects.requireNonNull(at, "at");
        List<String> fresh = new ArrayList<>();
        for (String jobId : List.copyOf(jobIds)) {
            Row old = newest.get(jobId);
            if (old == null || old.settledAt != null) {
                fresh.add(jobId);
            }
        }
        if (submissionId.isPresent()) {
            attach(submissionId.getAsLong(), fresh, true, at);
            return;
        }
        for (String jobId : fresh) {
            insert(jobId, runKey, OptionalLong.empty(), true, "", at, at);
        }
    }

    private void insert(String jobId, String runKey, OptionalLong submissionId, boolean adopted, String specHash, Instant submittedAt,
            Instant at) {
        Objects.requireNonNull(jobId, "jobId");
        Row old = newest.get(jobId);
        Instant framesFrom = old == null ? Instant.EPOCH : old.settledAt != null ? old.settledAt : at;
        if (old != null && old.settledAt == null) {
            // the batch system reused the id: the old job is over, whatever became of it
            JobStateChange gone = new JobStateChange(at, JobState.GONE, "GONE", Optional.of("job id reused by a new submission"),
                    java.util.OptionalInt.empty());
            old.history.add(gone);
            old.endedAt = old.endedAt != null ? old.endedAt : at;
            old.settledAt = at;
        }
        Row row = new Row(nextRow++, jobId, runKey, submissionId, adopted, specHash, submittedAt, framesFrom);
        rows.add(row);
        newest.put(jobId, row);
    }

    private Row require(String jobId) {
        Row row = newest.get(Objects.requireNonNull(jobId, "jobId"));
        if (row == null) {
            throw new NotFoundException("job", jobId);
        }
        return row;
    }

    @Override
    public synchronized boolean recordState(JobStatus status, Instant at) {
        Objects.requireNonNull(at, "at");
        return append(require(status.jobId()), status, at);
    }

    private static boolean append(Row row, JobStatus status, Instant at) {
        if (!row.history.isEmpty() && row.history.get(row.history.size() - 1).sameAs(status)) {
            return false;
        }
        row.history.add(JobStateChange.of(status, at));
        if (status.state().isTerminal() && row.endedAt == null) {
            row.endedAt = at;
        }
        return true;
    }

    @Override
    public synchronized boolean settle(JobStatus finalStatus, Instant at) {
        Objects.requireNonNull(at, "at");
        Row row = require(finalStatus.jobId());
        if (row.settledAt != null) {
            return false;
        }
        append(row, finalStatus, at);
        if (row.endedAt == null) {
            row.endedAt = at;
        }
        row.settledAt = at;
        return true;
    }

    @Override
    public synchronized List<JobRecord> unsettled(String runKey) {
        List<JobRecord> result = new ArrayList<>();
        for (Row row : rows) {
            if (row.settledAt == null && row.runKey.equals(runKey)) {
                result.add(view(row));
            }
        }
        return result;
    }

    @Override
    public synchronized List<Submission> unconfirmed(String runKey) {
        return submissions.values().stream().filter(s -> !confirmed.contains(s.id()) && s.intent().runKey().equals(runKey)).toList();
    }

    @Override
    public synchronized List<JobRecord> find(Collection<String> jobIds) {
        List<JobRecord> result = new ArrayList<>();
        for (String jobId : new HashSet<>(jobIds)) {
            Row row = newest.get(jobId);
            if (row != null) {
                result.add(view(row));
            }
        }
        return result;
    }

    @Override
    public synchronized List<JobStateChange> history(String jobId) {
        Row row = newest.get(Objects.requireNonNull(jobId, "jobId"));
        return row == null ? List.of() : List.copyOf(row.history);
    }

    @Override
    public synchronized void recordRunReport(RunReport report) {
        reports.put(report.runKey(), Objects.requireNonNull(report, "report"));
    }

    @Override
    public synchronized List<RunReport> runReports() {
        return reports.values().stream().sorted(Comparator.comparing(RunReport::at).reversed()).toList();
    }

    @Override
    public synchronized List<JobRecord> jobs(JobQuery query) {
        Comparator<Row> order = Comparator.<Row, Instant>comparing(r -> r.submittedAt).thenComparingLong(r -> r.seq);
        return rows.stream()
                .filter(r -> matches(r, query))
                .sorted(query.sort() == JobQuery.Sort.SUBMITTED_ASC ? order : order.reversed())
                .skip(query.offset()).limit(query.limit()).map(this::view).toList();
    }

    /** How many records match the query's filters, up to {@link LedgerReader#COUNT_LIMIT} + 1. */
    synchronized long count(JobQuery query) {
        return rows.stream().filter(r -> matches(r, query)).limit(LedgerReader.COUNT_LIMIT + 1).count();
    }

    private static boolean matches(Row r, JobQuery query) {
        return query.runKey().map(r.runKey::equals).orElse(true) && query.window().contains(r.submittedAt)
                && query.state().map(s -> !r.history.isEmpty() && r.history.get(r.history.size() - 1).state() == s).orElse(true);
    }

    /** When each job that had not ended before {@code from} ran (jobs never seen RUNNING are left out). */
    synchronized List<RunningSpan> runningSpans(Instant from) {
        List<RunningSpan> spans = new ArrayList<>();
        for (Row row : rows) {
            if (row.endedAt != null && row.endedAt.isBefore(from)) {
                continue;
            }
            row.history.stream().filter(h -> h.state() == JobState.RUNNING).findFirst()
                    .ifPresent(running -> spans.add(new RunningSpan(running.at(), Optional.ofNullable(row.endedAt))));
        }
        return spans;
    }
}
