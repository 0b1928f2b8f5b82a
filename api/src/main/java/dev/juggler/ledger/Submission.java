package dev.juggler.ledger;

import java.util.Objects;

/**
 * A recorded {@link SubmissionIntent} and the id {@link JobRecords#recordSubmission} gave it. Immutable
 * and thread-safe.
 *
 * @param id the submission's id in the job records
 * @param intent what was about to be submitted
 */
public record Submission(long id, SubmissionIntent intent) {

    public Submission {
        Objects.requireNonNull(intent, "intent");
    }
}
