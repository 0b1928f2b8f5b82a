package dev.juggler.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.NotFoundException;
import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link JobRecords} implementation must keep. Subclass it, implement
 * {@link #newRecords()} to return records over a fresh, empty store and {@link #sameStore()} to return
 * another instance over the same store (as a second process would see it), and run it with JUnit 5;
 * close what they opened in an {@code @AfterEach} of your own.
 *
 * <p>Shipped in the api test-jar so that hosts can check their own implementations the same way.
 */
public abstract class JobRecordsContract {

    protected static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");

    protected JobRecords records;

    /** Job records over a fresh, empty store. */
    protected abstract JobRecords newRecords();

    /** Another instance over the store of the last {@link #newRecords()} (a second process). */
    protected abstract JobRecords sameStore();

    @BeforeEach
    void openRecords() {
        records = newRecords();
    }

    protected static JobStatus status(String jobId, JobState state) {
        return new JobStatus(jobId, "w", state, state.name(), Optional.empty(), OptionalInt.empty());
    }

    protected static Instant at(int minutes) {
        return T0.plusSeconds(60L * minutes);
    }

    protected long submit(String runKey, int minutes, String... jobIds) {
        long id = records.recordSubmission(new SubmissionIntent(runKey, "hash-1", Math.max(1, jobIds.length), at(minutes)));
        records.recordSubmitted(id, List.of(jobIds), at(minutes));
        return id;
    }

    private static List<String> ids(List<JobRecord> jobs) {
        return jobs.stream().map(JobRecord::jobId).toList();
    }

    @Test
    void settleIsTrueOnceAlsoAcrossInstancesOnTheSameStore() {
        submit("run", 0, "a", "b");
        JobRecords other = sameStore();
        assertEquals(List.of("a", "b"), ids(other.unsettled("run")));
        assertTrue(records.settle(status("a", JobState.FAILED), at(5)));
        assertFalse(other.settle(status("a", JobState.FAILED), at(6)), "the other instance finds it settled");
        assertFalse(records.settle(status("a", JobState.COMPLETED), at(7)));
        assertEquals(List.of("b"), ids(other.unsettled("run")));
        JobRecord a = other.find(List.of("a")).get(0);
        assertEquals(Optional.of(at(5)), a.settledAt());
        assertEquals(Optional.of(at(5)), a.endedAt());
        assertEquals(Optional.of(JobState.FAILED), a.state());
        assertEquals(1, other.history("a").size(), "a settle that came too late records nothing");
        assertThrows(NotFoundException.class, () -> records.settle(status("unknown", JobState.FAILED), at(8)));
    }

    @Test
    void intentsWithoutIdsAreListedUntilIdsAreRecordedAndAdoptedJobsConfirmThem() {
        SubmissionIntent first = new SubmissionIntent("run", "hash-1", 2, at(0));
        long firstId = records.recordSubmission(first);
        long otherRun = records.recordSubmission(new SubmissionIntent("other", "hash-2", 1, at(1)));
        long confirmed = records.recordSubmission(new SubmissionIntent("run", "hash-1", 1, at(2)));
        records.recordSubmitted(confirmed, List.of("c"), at(2));
        long empty = records.recordSubmission(new SubmissionIntent("run", "hash-1", 3, at(3)));
        assertEquals(List.of(new Submission(firstId, first), new Submission(empty, new SubmissionIntent("run", "hash-1", 3, at(3)))),
                sameStore().unconfirmed("run"));
        assertEquals(1, records.unconfirmed("other").size());
        assertTrue(otherRun != firstId);

        records.recordSubmitted(empty, List.of(), at(4)); // closed: it yielded nothing
        records.recordAdopted("run", OptionalLong.of(firstId), List.of("a1", "a2"), at(9));
        records.recordAdopted("run", OptionalLong.empty(), List.of("x", "c"), at(10)); // c has an unsettled record: left alone
        assertEquals(List.of(), records.unconfirmed("run"));
        List<JobRecord> jobs = records.unsettled("run");
        assertEquals(List.of("a1", "a2", "c", "x"), ids(jobs.stream()
                .sorted(java.util.Comparator.comparing(JobRecord::jobId)).toList()));
        JobRecord a1 = records.find(List.of("a1")).get(0);
        assertTrue(a1.adopted());
        assertEquals(OptionalLong.of(firstId), a1.submissionId());
        assertEquals(at(0), a1.submittedAt(), "an adopted job of an intent was submitted when the intent was written");
        assertEquals("hash-1", a1.specHash());
        assertEquals(Optional.empty(), a1.lastState());
        JobRecord x = records.find(List.of("x")).get(0);
        assertTrue(x.adopted());
        assertEquals(OptionalLong.empty(), x.submissionId());
        assertEquals(at(10), x.submittedAt());
        JobRecord c = records.find(List.of("c")).get(0);
        assertFalse(c.adopted());
        assertEquals(OptionalLong.of(confirmed), c.submissionId());
        assertThrows(NotFoundException.class, () -> records.recordSubmitted(-42, List.of("z"), at(11)));
    }

    @Test
    void theHistoryIsAppendedOnlyOnAChange() {
        submit("run", 0, "j");
        assertTrue(records.recordState(status("j", JobState.PENDING), at(1)));
        assertFalse(records.recordState(status("j", JobState.PENDING), at(2)));
        JobStatus held = new JobStatus("j", "w", JobState.PENDING, "PENDING", Optional.of("Priority"), OptionalInt.empty());
        assertTrue(records.recordState(held, at(3)), "another reason is a change");
        assertFalse(sameStore().recordState(held, at(4)));
        assertTrue(records.recordState(status("j", JobState.RUNNING), at(5)));
        JobStatus timeout = new JobStatus("j", "w", JobState.TIMEOUT, "TIMEOUT", Optional.of("TimeLimit"), OptionalInt.of(0));
        assertTrue(records.recordState(timeout, at(6)));
        assertTrue(records.settle(timeout, at(7)), "recorded as ended is not settled yet");
        assertEquals(List.of(new JobStateChange(at(1), JobState.PENDING, "PENDING", Optional.empty(), OptionalInt.empty()),
                new JobStateChange(at(3), JobState.PENDING, "PENDING", Optional.of("Priority"), OptionalInt.empty()),
                new JobStateChange(at(5), JobState.RUNNING, "RUNNING", Optional.empty(), OptionalInt.empty()),
                new JobStateChange(at(6), JobState.TIMEOUT, "TIMEOUT", Optional.of("TimeLimit"), OptionalInt.of(0))),
                sameStore().history("j"));
        JobRecord j = records.find(List.of("j")).get(0);
        assertEquals(Optional.of(at(6)), j.endedAt(), "ended when the end was first recorded");
        assertEquals(Optional.of(at(7)), j.settledAt());
        assertEquals(List.of(), records.history("never-recorded"));
        assertThrows(NotFoundException.class, () -> records.recordState(status("never-recorded", JobState.RUNNING), at(8)));
    }

    @Test
    void aReusedJobIdStartsANewRecordAndSettlesTheOldOneWithoutCountingIt() {
        submit("run", 0, "local-1");
        records.recordState(status("local-1", JobState.RUNNING), at(1));
        long second = submit("run", 5, "local-1"); // the batch system reused the id after a restart
        List<JobRecord> unsettled = records.unsettled("run");
        assertEquals(1, unsettled.size());
        assertEquals(OptionalLong.of(second), unsettled.get(0).submissionId());
        assertEquals(Optional.empty(), unsettled.get(0).lastState());
        assertTrue(records.settle(status("local-1", JobState.COMPLETED), at(9)), "the new record settles once");
        List<JobRecord> all = records.jobs(JobQuery.firstPage(10));
        assertEquals(2, all.size());
        assertEquals(Optional.of(JobState.GONE), all.get(1).state(), "the old record ended as GONE");
        assertTrue(all.get(1).settled());
    }

    @Test
    void theJobTablePagesSortsBySubmissionTimeAndFiltersByStateAndRun() {
        submit("run", 3, "c");
        submit("run", 1, "a");
        submit("other", 2, "b");
        submit("run", 4, "d", "e");
        records.recordState(status("a", JobState.RUNNING), at(5));
        records.recordState(status("d", JobState.RUNNING), at(5));
        records.settle(status("c", JobState.COMPLETED), at(6));
        JobQuery all = JobQuery.firstPage(2);
        assertEquals(List.of("e", "d"), ids(records.jobs(all)), "newest first, ties latest recorded first");
        assertEquals(List.of("c", "b"), ids(records.jobs(all.nextPage())));
        assertEquals(List.of("a"), ids(records.jobs(all.nextPage().nextPage())));
        assertEquals(List.of(), ids(records.jobs(all.nextPage().nextPage().nextPage())));
        assertEquals(List.of("a", "b", "c"), ids(records.jobs(JobQuery.firstPage(3).sortedBy(JobQuery.Sort.SUBMITTED_ASC))));
        assertEquals(List.of("d", "a"), ids(records.jobs(JobQuery.firstPage(10).inState(JobState.RUNNING))));
        assertEquals(List.of("c"), ids(records.jobs(JobQuery.firstPage(10).inState(JobState.COMPLETED))));
        assertEquals(List.of("b"), ids(records.jobs(JobQuery.firstPage(10).ofRun("other"))));
        assertEquals(List.of("e", "c", "a"), ids(records.jobs(JobQuery.firstPage(10).ofRun("run")).stream()
                .filter(r -> !r.jobId().equals("d")).toList()));
        JobRecord c = records.jobs(JobQuery.firstPage(10).inState(JobState.COMPLETED)).get(0);
        assertEquals(at(3), c.submittedAt());
        assertEquals(Optional.of(at(6)), c.endedAt());
        assertEquals("hash-1", c.specHash());
        assertEquals(0, c.framesDone(), "no chunk was done under it");
    }

    @Test
    void eachRunKeepsOnlyItsLatestReportAndASecondProcessSeesIt() {
        RunReport first = new RunReport("run-a", at(1), 3, 1, 100, 1_000, 1, Optional.empty(), at(2), List.of(), List.of());
        records.recordRunReport(first);
        RunReport later = new RunReport("run-a", at(5), 0, 4, 900, 1_000, 0, Optional.of(at(4)), at(6),
                List.of("stage: sftp refused\nsecond line", "submit: timed out"), List.of("waiting for space"));
        records.recordRunReport(later);
        RunReport other = new RunReport("run-b", at(3), 1, 0, 0, 0, 0, Optional.empty(), at(4), List.of(), List.of());
        records.recordRunReport(other);
        List<RunReport> seen = sameStore().runReports();
        assertEquals(List.of("run-a", "run-b"), seen.stream().map(RunReport::runKey).toList(), "latest first, one per run");
        RunReport a = seen.get(0);
        assertEquals(at(5), a.at());
        assertEquals(4, a.jobsRunning());
        assertEquals(900, a.workspaceUsedBytes());
        assertEquals(Optional.of(at(4)), a.clusterUnavailableSince());
        assertEquals(List.of("stage: sftp refused second line", "submit: timed out"), a.problems(),
                "a problem is one line: a line break inside it is folded");
        assertEquals(List.of("waiting for space"), a.waiting());
        assertEquals(List.of(), seen.get(1).problems());
    }

    @Test
    void jobsAreFilteredBySubmissionTime() {
        submit("run", 0, "early");
        submit("run", 10, "middle");
        submit("run", 20, "late");
        JobQuery window = JobQuery.firstPage(10).within(new TimeWindow(Optional.of(at(5)), Optional.of(at(20))));
        assertEquals(List.of("middle"), ids(records.jobs(window)));
        assertEquals(List.of("late", "middle"), ids(records.jobs(JobQuery.firstPage(10).within(
                new TimeWindow(Optional.of(at(10)), Optional.empty())))));
    }
}
