package dev.juggler.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.juggler.cluster.JobSpec;
import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import dev.juggler.ledger.InMemoryJobRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class SubmissionInputsTest {

    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    private final JobBook book = new JobBook(new InMemoryJobRecords(), "run", JobSpec.builder("w", List.of("true")).build(),
            Duration.ofMinutes(10));

    @Test
    void eachJobCountsForTheShareOfTheHourItRan() {
        List<JobStatus> jobs = jobs(4, JobState.RUNNING);
        book.observe(jobs, T0);
        // A fleet started together: after 10 minutes the rate says nothing yet (most of it is too young).
        assertEquals(-1, SubmissionInputs.perJobRate(40, jobs, book, T0.plus(Duration.ofMinutes(10))));
        // After 45 minutes each job counts for 0.75 of the hour: 40 frames/s of the fleet is 13.3 per job, not 10.
        assertEquals(40 / 3.0, SubmissionInputs.perJobRate(40, jobs, book, T0.plus(Duration.ofMinutes(45))), 1e-9);
        assertEquals(10, SubmissionInputs.perJobRate(40, jobs, book, T0.plus(Duration.ofHours(3))), 1e-9);
        assertEquals(-1, SubmissionInputs.perJobRate(0, jobs, book, T0.plus(Duration.ofHours(3))), "nothing measured");
        assertEquals(-1, SubmissionInputs.perJobRate(40, List.of(), book, T0.plus(Duration.ofHours(3))), "nothing running");
    }

    @Test
    void aRequeuedJobStartsItsLifeAgain() {
        List<JobStatus> running = jobs(1, JobState.RUNNING);
        book.observe(running, T0);
        assertEquals(T0, book.runningSince("1"));
        book.observe(jobs(1, JobState.PENDING), T0.plus(Duration.ofHours(5)));
        assertNull(book.runningSince("1"), "requeued after a node failure: pending again");
        book.observe(running, T0.plus(Duration.ofHours(6)));
        assertEquals(T0.plus(Duration.ofHours(6)), book.runningSince("1"));
    }

    private static List<JobStatus> jobs(int count, JobState state) {
        List<JobStatus> jobs = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            jobs.add(new JobStatus(Integer.toString(i), "w", state, state.name(), Optional.empty(), OptionalInt.empty()));
        }
        return jobs;
    }
}
