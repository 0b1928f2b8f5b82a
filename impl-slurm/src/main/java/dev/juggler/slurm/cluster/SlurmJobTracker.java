package dev.juggler.slurm.cluster;

import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import dev.juggler.slurm.internal.SlurmOutput;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The SLURM backend's memory of its jobs between polls: every job it submitted or adopted, in submission
 * order, with its last status. It decides which jobs vanished from squeue while active (to be looked up in
 * sacct), reports a vanished job's final state, or {@link JobState#GONE}, in exactly one snapshot, and then
 * forgets it.
 *
 * <p>Thread-safety: all methods are safe to call from any thread; they are guarded by one lock, and none
 * of them calls out while holding it.
 */
final class SlurmJobTracker {

    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private final Map<String, JobStatus> tracked = new LinkedHashMap<>();

    /** Starts tracking jobs that {@code sbatch} just accepted, as pending until squeue says more. */
    void submitted(Collection<String> ids, String name) {
        synchronized (lock) {
            for (String id : ids) {
                tracked.put(id, new JobStatus(id, name, JobState.PENDING, "PENDING", Optional.of("submitted"),
                        OptionalInt.empty()));
            }
        }
    }

    /** The ids of the jobs that are still active by their last status. */
    List<String> active() {
        synchronized (lock) {
            return tracked.values().stream().filter(s -> s.state().isActive()).map(JobStatus::jobId).toList();
        }
    }

    /**
     * Records what squeue listed (adopting jobs of an earlier backend with the same tag) and returns the ids of
     * the tracked jobs that were active and are no longer listed. Adds to {@code seen} a status for each tracked
     * array task that squeue lists only under its array's own id.
     */
    List<String> seen(Map<String, JobStatus> seen) {
        List<String> vanished = new ArrayList<>();
        synchronized (lock) {
            // An array cancelled before any task started stays one record under the array's own id:
            // it speaks for each of its tasks that has no record of its own.
            for (String id : List.copyOf(tracked.keySet())) {
                int underscore = id.indexOf('_');
                if (underscore > 0 && !seen.containsKey(id)) {
                    JobStatus whole = seen.get(id.substring(0, underscore));
                    if (whole != null) {
                        seen.put(id, SlurmOutput.withId(id, whole));
                    }
                }
            }
            tracked.putAll(seen);
            for (JobStatus s : tracked.values()) {
                if (!seen.containsKey(s.jobId()) && s.state().isActive()) {
                    vanished.add(s.jobId());
                }
            }
        }
        return vanished;
    }

    /**
     * Settles the vanished jobs with what sacct knows ({@code resolved}; a job it does not know, or knows as
     * still active, is {@link JobState#GONE}) and returns the snapshot of every tracked job. Terminal jobs that
     * squeue no longer lists are reported in this snapshot and then forgotten.
     */
    List<JobStatus> settle(List<String> vanished, Map<String, JobStatus> resolved, Map<String, JobStatus> seen) {
        synchronized (lock) {
            for (String id : vanished) {
                JobStatus old = tracked.get(id);
                if (old == null) {
                    continue;
                }
                JobStatus now = resolved.get(id);
                if (now == null || now.state().isActive()) {
                    now = new JobStatus(id, old.name(), JobState.GONE, "GONE",
                            Optional.of("no longer known to SLURM (last seen " + old.nativeState() + ")"), OptionalInt.empty());
                }
                tracked.put(id, now);
            }
            List<JobStatus> snapshot = List.copyOf(tracked.values());
            tracked.values().removeIf(s -> s.state().isTerminal() && !seen.containsKey(s.jobId()));
            return snapshot;
        }
    }
}
