package dev.juggler.ledger;

import java.time.Instant;
import java.util.Objects;

/**
 * What a juggler is about to submit, written to {@link JobRecords} <em>before</em> the batch system is
 * asked, so that a restart can tell that a submission may have happened even when its job ids were never
 * written. Immutable and thread-safe.
 *
 * @param runKey the key that identifies one juggler's jobs across restarts (its run)
 * @param specHash a digest of the worker job spec that is submitted (to tell runs with a changed spec apart)
 * @param jobCount how many jobs are asked for, {@code >= 1}
 * @param at when the submission was decided
 */
public record SubmissionIntent(String runKey, String specHash, int jobCount, Instant at) {

    public SubmissionIntent {
        JobRecord.requireKey(runKey);
        Objects.requireNonNull(specHash, "specHash");
        Objects.requireNonNull(at, "at");
        if (jobCount < 1) {
            throw new IllegalArgumentException("jobCount = " + jobCount + ": must be >= 1");
        }
    }
}
