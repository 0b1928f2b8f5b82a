package dev.juggler.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SubmissionPlannerTest {

    @Test
    void pendingJobsAbsorbAWholeShareAndRunningJobsWhatTheyHaveStillToClaim() {
        assertEquals(3, SubmissionPlanner.plan(2500, 0, List.of(), 1000, 100, 1000).wanted());
        assertEquals(0, SubmissionPlanner.plan(2500, 3, List.of(), 1000, 100, 1000).wanted());
        assertEquals(1, SubmissionPlanner.plan(2500, 2, List.of(), 1000, 100, 1000).wanted());
        assertEquals(0, SubmissionPlanner.plan(200, 0, List.of(100L), 400, 100, 1000).wanted(), "300 still to claim");
        assertEquals(1, SubmissionPlanner.plan(200, 0, List.of(400L), 400, 100, 1000).wanted(), "holds its whole share");
        assertEquals(1, SubmissionPlanner.plan(200, 0, List.of(900L), 400, 100, 1000).wanted(), "never absorbs less than 0");
        assertEquals(new SubmissionPlanner.Plan(1_300, 3), SubmissionPlanner.plan(2_000, 0, List.of(0L, 300L), 500, 100, 1000));
    }

    @Test
    void theCapsBoundTheResult() {
        assertEquals(2, SubmissionPlanner.plan(1_000_000, 3, List.of(), 1000, 5, 1000).wanted(), "queue cap");
        assertEquals(1, SubmissionPlanner.plan(1_000_000, 0, List.of(0L, 0L, 0L), 1000, 5, 4).wanted(), "active cap");
        assertEquals(0, SubmissionPlanner.plan(1_000_000, 7, List.of(), 1000, 5, 1000).wanted(), "over the cap: none, not fewer");
        assertEquals(0, SubmissionPlanner.plan(Long.MAX_VALUE, Integer.MAX_VALUE, List.of(), Long.MAX_VALUE, 5, 1000).wanted());
        assertEquals(5, SubmissionPlanner.plan(Long.MAX_VALUE, 0, List.of(), 1, 5, 1000).wanted());
    }
}
