package dev.juggler.ledger;

import dev.juggler.cluster.JobState;
import java.util.Objects;
import java.util.Optional;

/**
 * A filtered, sorted page of the job records (a console's jobs table). Immutable and thread-safe.
 *
 * @param runKey only jobs of this run
 * @param state only jobs whose last recorded state is this one (jobs the cluster has not shown yet have none)
 * @param window only jobs submitted in this window
 * @param sort the order of rows
 * @param offset rows to skip
 * @param limit rows to return at most (1..10000)
 */
public record JobQuery(Optional<String> runKey, Optional<JobState> state, TimeWindow window, Sort sort, long offset, int limit) {

    /** Row orders; ties in the order the records were made (the latest first with {@code SUBMITTED_DESC}). */
    public enum Sort { SUBMITTED_DESC, SUBMITTED_ASC }

    public JobQuery {
        Objects.requireNonNull(runKey, "runKey");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(sort, "sort");
        Paging.check(offset, limit);
    }

    /** A query without a time window. */
    public JobQuery(Optional<String> runKey, Optional<JobState> state, Sort sort, long offset, int limit) {
        this(runKey, state, TimeWindow.always(), sort, offset, limit);
    }

    /** The {@code limit} most recently submitted jobs of every run. */
    public static JobQuery firstPage(int limit) {
        return new JobQuery(Optional.empty(), Optional.empty(), Sort.SUBMITTED_DESC, 0, limit);
    }

    /** The same query, only for jobs whose last recorded state is {@code state}. */
    public JobQuery inState(JobState value) {
        return new JobQuery(runKey, Optional.of(value), window, sort, offset, limit);
    }

    /** The same query, only for jobs of this run. */
    public JobQuery ofRun(String key) {
        return new JobQuery(Optional.of(JobRecord.requireKey(key)), state, window, sort, offset, limit);
    }

    /** The same query in another order. */
    public JobQuery sortedBy(Sort value) {
        return new JobQuery(runKey, state, window, value, offset, limit);
    }

    /** The same query, only for jobs submitted in {@code value}. */
    public JobQuery within(TimeWindow value) {
        return new JobQuery(runKey, state, value, sort, offset, limit);
    }

    /** The same filters, another page. */
    public JobQuery page(long rowOffset, int rowLimit) {
        return new JobQuery(runKey, state, window, sort, rowOffset, rowLimit);
    }

    /** The same query, one page further on. */
    public JobQuery nextPage() {
        return page(offset + limit, limit);
    }
}
