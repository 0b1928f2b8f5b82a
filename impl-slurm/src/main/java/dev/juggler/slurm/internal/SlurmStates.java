package dev.juggler.slurm.internal;

import dev.juggler.cluster.JobState;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Maps SLURM's job state words (squeue long names, sacct names such as {@code CANCELLED by 0}) to the
 * portable {@link JobState}, and decodes exit codes. Internal; stateless and thread-safe.
 */
public final class SlurmStates {

    private static final Map<String, JobState> STATES = Map.ofEntries(
            Map.entry("PENDING", JobState.PENDING),
            Map.entry("CONFIGURING", JobState.PENDING), // nodes allocated but booting: not running yet
            Map.entry("REQUEUED", JobState.PENDING),
            Map.entry("REQUEUE_HOLD", JobState.PENDING),
            Map.entry("REQUEUE_FED", JobState.PENDING),
            Map.entry("RESV_DEL_HOLD", JobState.PENDING),
            Map.entry("RUNNING", JobState.RUNNING),
            Map.entry("COMPLETING", JobState.RUNNING), // epilog still running: the node is still held
            Map.entry("SUSPENDED", JobState.RUNNING), // only a started job can be suspended
            Map.entry("STOPPED", JobState.RUNNING),
            Map.entry("SIGNALING", JobState.RUNNING),
            Map.entry("STAGE_OUT", JobState.RUNNING),
            Map.entry("RESIZING", JobState.RUNNING),
            Map.entry("COMPLETED", JobState.COMPLETED),
            Map.entry("FAILED", JobState.FAILED),
            Map.entry("SPECIAL_EXIT", JobState.FAILED),
            Map.entry("CANCELLED", JobState.CANCELLED),
            Map.entry("REVOKED", JobState.CANCELLED), // a federation sibling ran it instead
            Map.entry("TIMEOUT", JobState.TIMEOUT),
            Map.entry("DEADLINE", JobState.TIMEOUT), // killed at its --deadline: a time limit too
            Map.entry("NODE_FAIL", JobState.NODE_FAILURE),
            Map.entry("BOOT_FAIL", JobState.NODE_FAILURE), // the node failed to boot for it
            Map.entry("PREEMPTED", JobState.PREEMPTED),
            Map.entry("OUT_OF_MEMORY", JobState.OUT_OF_MEMORY));

    private static final Map<String, String> COMPACT = Map.ofEntries(
            Map.entry("PD", "PENDING"), Map.entry("CF", "CONFIGURING"), Map.entry("RQ", "REQUEUED"),
            Map.entry("RH", "REQUEUE_HOLD"), Map.entry("RF", "REQUEUE_FED"), Map.entry("RD", "RESV_DEL_HOLD"),
            Map.entry("R", "RUNNING"), Map.entry("CG", "COMPLETING"), Map.entry("S", "SUSPENDED"),
            Map.entry("ST", "STOPPED"), Map.entry("SI", "SIGNALING"), Map.entry("SO", "STAGE_OUT"),
            Map.entry("RS", "RESIZING"), Map.entry("CD", "COMPLETED"), Map.entry("F", "FAILED"),
            Map.entry("SE", "SPECIAL_EXIT"), Map.entry("CA", "CANCELLED"), Map.entry("RV", "REVOKED"),
            Map.entry("TO", "TIMEOUT"), Map.entry("DL", "DEADLINE"), Map.entry("NF", "NODE_FAIL"),
            Map.entry("BF", "BOOT_FAIL"), Map.entry("PR", "PREEMPTED"), Map.entry("OOM", "OUT_OF_MEMORY"));

    private SlurmStates() {
    }

    /** The native state word: the first word, upper case, compact codes expanded ({@code CANCELLED by 0} → {@code CANCELLED}). */
    public static String nativeWord(String raw) {
        String word = raw.trim();
        int space = word.indexOf(' ');
        if (space > 0) {
            word = word.substring(0, space);
        }
        word = word.toUpperCase(Locale.ROOT).replace('+', ' ').trim();
        return COMPACT.getOrDefault(word, word);
    }

    /**
     * The portable state of a native one. An unknown word (a newer SLURM) counts as {@link JobState#RUNNING}:
     * treating an unknown state as still active is safe, the job is reported again when it ends or vanishes.
     */
    public static JobState map(String raw) {
        return STATES.getOrDefault(nativeWord(raw), JobState.RUNNING);
    }

    /** {@code true} if SLURM knows the word. */
    public static boolean isKnown(String raw) {
        return STATES.containsKey(nativeWord(raw));
    }

    /** sacct's {@code exit:signal}: the exit code, or 128 + signal when killed by a signal. */
    public static OptionalInt sacctExit(String exitSignal) {
        String[] parts = exitSignal.trim().split(":");
        try {
            int exit = Integer.parseInt(parts[0]);
            int signal = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return OptionalInt.of(signal != 0 && exit == 0 ? 128 + signal : exit);
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** squeue's {@code exit_code} field is the raw wait status: exit in bits 8-15, signal in 0-6. */
    public static OptionalInt waitStatusExit(String raw) {
        try {
            int status = Integer.parseInt(raw.trim());
            int signal = status & 0x7f;
            return OptionalInt.of(signal != 0 ? 128 + signal : (status >> 8) & 0xff);
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
