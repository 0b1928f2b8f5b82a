package dev.juggler.ledger;

/**
 * What a re-schedule matched and did. Immutable and thread-safe.
 *
 * @param matched FAILED chunks the filter selected
 * @param rescheduled those put back to pending (0 on a dry run)
 * @param skipped those left FAILED: set aside by an operator (only a filter that names a reason, such as
 *     take-back's, re-schedules those), or changed by someone else meanwhile
 * @param frames the frames of the chunks rescheduled (on a dry run: of those that would be)
 * @param dryRun whether nothing was changed
 */
public record RescheduleOutcome(long matched, long rescheduled, long skipped, long frames, boolean dryRun) {

    /** The summary line operators see: {@code matched 12 / rescheduled 10 / skipped 2}. */
    @Override
    public String toString() {
        return "matched " + matched + " / " + (dryRun ? "would reschedule " : "rescheduled ") + (dryRun ? matched - skipped
                : rescheduled) + " / skipped " + skipped + " (" + frames + " frames)";
    }
}
