package dev.juggler.samples.boxes;

import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One job directory as the status script saw it on a box (one line of {@link BoxScripts#STATUS}). Immutable
 * and thread-safe.
 *
 * @param tag the tag directory it is in
 * @param jobId the job id (its directory's name)
 * @param slot the box slot it runs on, -1 if unreadable
 * @param alive whether its process group still has a process
 * @param exitCode the exit status the runner wrote, if any
 * @param cancelled whether it was cancelled
 * @param timedOut whether its watchdog killed it at the deadline
 * @param started when the runner started (epoch seconds), if it has
 * @param bootTime when the box booted (epoch seconds), if known
 * @param name the job name
 */
record SeenJob(String tag, String jobId, int slot, boolean alive, OptionalInt exitCode, boolean cancelled,
        boolean timedOut, OptionalLong started, OptionalLong bootTime, String name) {

    /** Parses a status line, or returns empty for a line that is not one (a directory someone else made). */
    static Optional<SeenJob> parse(String line) {
        String[] f = line.split("\\|", -1);
        if (f.length != 9 || !SshBoxesBackend.JOB_ID.matcher(f[1]).matches()) {
            return Optional.empty();
        }
        return Optional.of(new SeenJob(f[0], f[1], integer(f[2]).orElse(-1), f[3].equals("1"), integer(f[4]),
                f[5].contains("c"), f[5].contains("t"), number(f[6]), number(f[7]), f[8]));
    }

    /** Whether it holds its slot: running, or still starting. */
    boolean active() {
        return state().isActive();
    }

    JobState state() {
        if (alive) {
            return JobState.RUNNING;
        }
        if (exitCode.isPresent()) {
            int code = exitCode.getAsInt();
            // A cancel or a timeout that raced with the job's own end: the exit status decides.
            return code == 0 ? JobState.COMPLETED : cancelled ? JobState.CANCELLED : timedOut ? JobState.TIMEOUT : JobState.FAILED;
        }
        if (started.isEmpty()) {
            return JobState.PENDING; // the runner is being started right now
        }
        if (cancelled) {
            return JobState.CANCELLED;
        }
        if (timedOut) {
            return JobState.TIMEOUT;
        }
        return rebootedSinceStart() ? JobState.NODE_FAILURE : JobState.FAILED;
    }

    /** The portable status as reported on box {@code box}. */
    JobStatus status(String box) {
        JobState state = state();
        String nativeState;
        String reason;
        switch (state) {
            case RUNNING -> {
                nativeState = "running";
                reason = "on " + box + " slot " + slot;
            }
            case PENDING -> {
                nativeState = "starting";
                reason = "starting on " + box;
            }
            case COMPLETED, FAILED -> {
                nativeState = exitCode.isPresent() ? "exited" : "killed";
                reason = exitCode.isPresent() ? "exited " + exitCode.getAsInt() + " on " + box
                        : "ended on " + box + " without an exit status (killed by a signal from outside)";
            }
            case CANCELLED -> {
                nativeState = "cancelled";
                reason = "cancelled on " + box;
            }
            case TIMEOUT -> {
                nativeState = "timeout";
                reason = "killed at its time limit on " + box;
            }
            default -> {
                nativeState = "rebooted";
                reason = box + " restarted while the job ran";
            }
        }
        return new JobStatus(jobId, name, state, nativeState, Optional.of(reason),
                state.isTerminal() ? exitCode : OptionalInt.empty());
    }

    private boolean rebootedSinceStart() {
        return started.isPresent() && bootTime.isPresent() && bootTime.getAsLong() > started.getAsLong();
    }

    private static OptionalInt integer(String s) {
        try {
            return s.isBlank() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(s.trim()));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    private static OptionalLong number(String s) {
        try {
            return s.isBlank() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(s.trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
