package dev.juggler.cluster;

import dev.juggler.internal.ProcessTree;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ScheduledFuture;

/**
 * One job of a {@link LocalClusterBackend}: its spec, its process once started, and the state it last
 * reached. Mutable fields are guarded by the backend's lock, except {@link #tree} (volatile), which the
 * kill timer reads.
 */
final class LocalJob {

    /** Why the backend is ending a running job; decides the state it ends in. */
    enum Ending { CANCEL, TIMEOUT, CLOSE }

    /** The jobs of one submit call, for their {@code maxConcurrent} cap. Guarded by the backend's lock. */
    static final class ArrayGroup {
        final int maxConcurrent;
        int running;

        ArrayGroup(int maxConcurrent) {
            this.maxConcurrent = maxConcurrent;
        }

        /** Whether the group already runs as many jobs as it may. */
        boolean atCap() {
            return maxConcurrent > 0 && running >= maxConcurrent;
        }
    }

    final String id;
    final JobSpec spec;
    final ArrayGroup group;
    final Path outputFile;
    JobState state = JobState.PENDING;
    String nativeState = "pending";
    String reason = "waiting for a free slot";
    OptionalInt exitCode = OptionalInt.empty();
    Process process;
    long deadlineMillis;
    ScheduledFuture<?> deadlineTimer;
    Ending ending;
    volatile List<ProcessHandle> tree = List.of();

    LocalJob(String id, JobSpec spec, ArrayGroup group, Path outputFile) {
        this.id = id;
        this.spec = spec;
        this.group = group;
        this.outputFile = outputFile;
    }

    /** The tree seen at SIGTERM plus whatever the root has spawned since. */
    List<ProcessHandle> treeForKill() {
        List<ProcessHandle> all = new ArrayList<>(tree);
        Process p = process;
        if (p != null && p.isAlive()) {
            for (ProcessHandle h : ProcessTree.snapshot(p.toHandle())) {
                if (!all.contains(h)) {
                    all.add(h);
                }
            }
        }
        return all;
    }

    /** Cancels the deadline timer, if one is set. */
    void cancelDeadlineTimer() {
        if (deadlineTimer != null) {
            deadlineTimer.cancel(false);
            deadlineTimer = null;
        }
    }

    JobStatus snapshot() {
        String why;
        if (state == JobState.RUNNING) {
            why = ending == null ? null : "ending: " + ending.name().toLowerCase(Locale.ROOT);
        } else if (state == JobState.PENDING && group.atCap()) {
            why = "its array already runs maxConcurrent = " + group.maxConcurrent + " jobs";
        } else {
            why = reason;
        }
        return new JobStatus(id, spec.name(), state, nativeState, Optional.ofNullable(why), exitCode);
    }
}
