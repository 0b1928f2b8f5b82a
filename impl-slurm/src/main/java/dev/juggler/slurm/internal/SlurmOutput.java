package dev.juggler.slurm.internal;

import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses what {@code sbatch --parsable}, {@code squeue -O} and {@code sacct -P} print into portable
 * {@link JobStatus}es. Pure functions over text, so they are tested without a cluster. Internal;
 * stateless and thread-safe.
 *
 * <p>{@code squeue --me} lists every job of the SSH user, also jobs that Juggler did not submit, whose names
 * and comments can hold anything, {@code |} included. So only lines whose comment is exactly one of ours
 * ({@code juggler:<tag>:<token>}, token from {@code A-Z a-z 0-9 -}) are read, and the comment comes before the
 * free-text fields (name, reason) in {@link #SQUEUE_FORMAT}, so no name can shift it.
 */
public final class SlurmOutput {

    /**
     * The {@code squeue -O} fields {@link #squeue} reads: {@code |} after each field, comment before the
     * free-text name and reason (the reason keeps any {@code |} it contains).
     */
    public static final String SQUEUE_FORMAT =
            "JobID:|,ArrayJobID:|,ArrayTaskID:|,State:|,exit_code:|,Comment:|,Name:|,Reason:|";

    /** The {@code sacct -o} fields {@link #sacct} reads. */
    public static final String SACCT_FIELDS = "JobID,JobName,State,ExitCode,Reason";

    /** The {@code squeue -O} fields {@link #arrayJobWithComment} reads. */
    public static final String COMMENT_FORMAT = "ArrayJobID:|,Comment:|";

    private static final Logger LOG = LoggerFactory.getLogger(SlurmOutput.class);
    private static final Pattern SBATCH_ID = Pattern.compile("[0-9]+");
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9-]+");
    /** Expanding a range record stops here: a corrupt "0-2147483647" must not fill the heap. */
    private static final int MAX_TASKS_PER_RECORD = 100_000;

    private SlurmOutput() {
    }

    /**
     * The job id in {@code sbatch --parsable}'s answer ({@code <id>} or {@code <id>;<cluster>}), empty if it is
     * something else.
     */
    public static Optional<String> sbatchJobId(String out) {
        String t = out.trim();
        int semicolon = t.indexOf(';'); // "<id>;<cluster>" on multi-cluster setups
        String id = semicolon >= 0 ? t.substring(0, semicolon) : t;
        return SBATCH_ID.matcher(id).matches() ? Optional.of(id) : Optional.empty();
    }

    /** Whether {@code comment} is one that a backend with this prefix ({@code juggler:<tag>:}) wrote. */
    public static boolean isOurs(String comment, String prefix) {
        return comment.startsWith(prefix) && TOKEN.matcher(comment.substring(prefix.length())).matches();
    }

    /**
     * The statuses in {@code squeue -h -r -O} {@link #SQUEUE_FORMAT} output whose comment starts with
     * {@code prefix}, by job id ({@code 12} or {@code 12_3}), in output order. A record that stands for several
     * array tasks that never started ({@code 8-199}, {@code [2-9%2]}) becomes one status per task.
     */
    public static Map<String, JobStatus> squeue(String out, String prefix) {
        Map<String, JobStatus> seen = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.split("\\|", 8);
            if (f.length < 8 || !isOurs(f[5].trim(), prefix)) {
                continue;
            }
            String jobId = f[0].trim();
            String arrayJob = f[1].trim();
            String task = f[2].trim();
            String nativeState = SlurmStates.nativeWord(f[3]);
            JobState state = SlurmStates.map(nativeState);
            OptionalInt exit = state.isTerminal() ? SlurmStates.waitStatusExit(f[4]) : OptionalInt.empty();
            String reason = f[7].endsWith("|") ? f[7].substring(0, f[7].length() - 1) : f[7];
            Optional<String> why = reason(reason);
            for (String id : taskIds(jobId, arrayJob, task)) {
                seen.put(id, new JobStatus(id, f[6].trim(), state, nativeState, why, exit));
            }
        }
        return seen;
    }

    /**
     * The array job id (the plain job id for a single job) of the job whose comment is exactly {@code comment}
     * in {@code squeue -h -O} {@link #COMMENT_FORMAT} output.
     */
    public static Optional<String> arrayJobWithComment(String out, String comment) {
        for (String line : out.split("\n")) {
            String[] f = line.split("\\|", -1);
            if (f.length >= 2 && f[1].trim().equals(comment)) {
                return Optional.of(f[0].trim());
            }
        }
        return Optional.empty();
    }

    /**
     * The statuses in {@code sacct -n -P -X -o} {@link #SACCT_FIELDS} output, by job id. A record such as
     * {@code 12_[7-199]} (array tasks that never started) becomes one status per task.
     */
    public static Map<String, JobStatus> sacct(String out) {
        Map<String, JobStatus> result = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.split("\\|", -1);
            if (f.length < 5) {
                continue;
            }
            String id = f[0].trim();
            String nativeState = SlurmStates.nativeWord(f[2]);
            JobState state = SlurmStates.map(nativeState);
            JobStatus template = new JobStatus(id, f[1], state, nativeState, reason(f[4]),
                    state.isTerminal() ? SlurmStates.sacctExit(f[3]) : OptionalInt.empty());
            int underscore = id.indexOf('_');
            List<String> each = underscore < 0 ? List.of(id)
                    : taskIds(id, id.substring(0, underscore), id.substring(underscore + 1));
            for (String one : each) {
                result.put(one, withId(one, template));
            }
        }
        return result;
    }

    /**
     * The job ids a squeue or sacct record stands for: {@code jobId} itself without an array task
     * ({@code N/A}), else {@code <arrayJob>_<task>} for each task in the field ({@code 3}, {@code 8-10},
     * {@code [2-3,7%2]}; the {@code %} throttle is dropped). Unparseable parts are skipped.
     */
    public static List<String> taskIds(String jobId, String arrayJob, String task) {
        if (task.isEmpty() || task.equals("N/A")) {
            return List.of(jobId);
        }
        String t = task.startsWith("[") && task.endsWith("]") ? task.substring(1, task.length() - 1) : task;
        int throttle = t.indexOf('%');
        if (throttle >= 0) {
            t = t.substring(0, throttle);
        }
        List<String> out = new ArrayList<>();
        for (String part : t.split(",")) {
            int dash = part.indexOf('-');
            try {
                if (dash < 0) {
                    out.add(arrayJob + "_" + Integer.parseInt(part.trim()));
                } else {
                    int from = Integer.parseInt(part.substring(0, dash).trim());
                    int to = Integer.parseInt(part.substring(dash + 1).trim());
                    for (int i = from; i <= to && out.size() < MAX_TASKS_PER_RECORD; i++) {
                        out.add(arrayJob + "_" + i);
                    }
                }
            } catch (NumberFormatException e) {
                LOG.debug("unexpected array task field '{}' for job {}", task, arrayJob);
            }
        }
        return out;
    }

    /** The same status under another id (an array record speaking for one of its tasks). */
    public static JobStatus withId(String id, JobStatus s) {
        return new JobStatus(id, s.name(), s.state(), s.nativeState(), s.reason(), s.exitCode());
    }

    private static Optional<String> reason(String raw) {
        String reason = raw.trim();
        return reason.isEmpty() || reason.equals("None") ? Optional.empty() : Optional.of(reason);
    }
}
