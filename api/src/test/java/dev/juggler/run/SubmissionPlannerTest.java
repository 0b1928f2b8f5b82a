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
        assertEquals(0, SubmissionPlanner.plan(200, 0, List.of(full(100L)), 400, 100, 1000).wanted(), "300 still to claim");
        assertEquals(1, SubmissionPlanner.plan(200, 0, List.of(full(400L)), 400, 100, 1000).wanted(), "holds its whole share");
        assertEquals(1, SubmissionPlanner.plan(200, 0, List.of(full(900L)), 400, 100, 1000).wanted(), "never absorbs less than 0");
        assertEquals(new SubmissionPlanner.Plan(1_300, 3), SubmissionPlanner.plan(2_000, 0, List.of(new SubmissionPlanner.Running(0, 500), new SubmissionPlanner.Running(300, 500)), 500, 100, 1000));
    }

    @Test
    void theCapsBoundTheResult() {
        assertEquals(2, SubmissionPlanner.plan(1_000_000, 3, List.of(), 1000, 5, 1000).wanted(), "queue cap");
        assertEquals(1, SubmissionPlanner.plan(1_000_000, 0, List.of(new SubmissionPlanner.Running(0, 1000), new SubmissionPlanner.Running(0, 1000), new SubmissionPlanner.Running(0, 1000)), 1000, 5, 4).wanted(), "active cap");
        assertEquals(0, SubmissionPlanner.plan(1_000_000, 7, List.of(), 1000, 5, 1000).wanted(), "over the cap: none, not fewer");
        assertEquals(0, SubmissionPlanner.plan(Long.MAX_VALUE, Integer.MAX_VALUE, List.of(), Long.MAX_VALUE, 5, 1000).wanted());
        assertEquals(5, SubmissionPlanner.plan(Long.MAX_VALUE, 0, List.of(), 1, 5, 1000).wanted());
    }

    private static SubmissionPlanner.Running full(long held) {
        return new SubmissionPlanner.Running(held, 400);
    }

    @Test
    void aJobNearItsEndAbsorbsOnlyWhatItsRemainingTimeAllows() {
        // 400 frames per job life: with a quarter of its life left a job takes 100 more, so 300 justify one job.
        assertEquals(new SubmissionPlanner.Plan(300, 1),
                SubmissionPlanner.plan(400, 0, List.of(new SubmissionPlanner.Running(0, 100)), 400, 100, 1000));
        assertEquals(new SubmissionPlanner.Plan(0, 0),
                SubmissionPlanner.plan(400, 0, List.of(new SubmissionPlanner.Running(0, 400)), 400, 100, 1000), "a fresh job takes all");
        assertEquals(new SubmissionPlanner.Plan(400, 1),
                SubmissionPlanner.plan(400, 0, List.of(new SubmissionPlanner.Running(50, 0)), 400, 100, 1000), "at its end, nothing");
    }
}
