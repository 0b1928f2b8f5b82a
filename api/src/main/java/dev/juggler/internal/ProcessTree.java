package dev.juggler.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * Signals a process together with its descendants, and explains exit codes. Internal; stateless and
 * thread-safe.
 *
 * <p>A worker started through a shell or a wrapper ({@code apptainer exec}, {@code srun}) is a tree
 * of processes; signalling only the root would leave the children running and holding devices and
 * files, which is what a batch system's cgroup kill avoids. The descendants are captured <em>before</em>
 * the root is signalled because, once the root dies, its children are re-parented and can no longer be
 * found from it.
 */
public final class ProcessTree {

    private static final boolean POSIX =
            !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    private ProcessTree() {
    }

    /** The root followed by all its live descendants, as seen now. */
    public static List<ProcessHandle> snapshot(ProcessHandle root) {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(root);
        try {
            root.descendants().forEach(all::add);
        } catch (SecurityException | UnsupportedOperationException e) {
            // Without the process table we can still signal the root, which is what matters most.
        }
        return all;
    }

    /** Asks every live process of the list to terminate (SIGTERM on POSIX). */
    public static void terminate(List<ProcessHandle> processes) {
        for (ProcessHandle handle : processes) {
            if (handle.isAlive()) {
                handle.destroy();
            }
        }
    }

    /** Kills every live process of the list (SIGKILL on POSIX). */
    public static void kill(List<ProcessHandle> processes) {
        for (ProcessHandle handle : processes) {
            if (handle.isAlive()) {
                handle.destroyForcibly();
            }
        }
    }

    /** {@code true} if any process of the list is still alive. */
    public static boolean anyAlive(List<ProcessHandle> processes) {
        return processes.stream().anyMatch(ProcessHandle::isAlive);
    }

    /**
     * The signal that ended a process, if its exit value says so. On POSIX the JDK reports a process
     * killed by signal {@code n} as exit value {@code 128 + n} (the shell convention); a program that
     * exits with such a value on purpose is indistinguishable and reported the same way.
     */
    public static OptionalInt signalOf(int exitValue) {
        if (POSIX && exitValue > 128 && exitValue < 128 + 65) {
            return OptionalInt.of(exitValue - 128);
        }
        return OptionalInt.empty();
    }

    /** A human name for a POSIX signal number, e.g. {@code SIGKILL} for 9. */
    public static String signalName(int signal) {
        switch (signal) {
            case 1: return "SIGHUP";
            case 2: return "SIGINT";
            case 3: return "SIGQUIT";
            case 4: return "SIGILL";
            case 6: return "SIGABRT";
            case 7: return "SIGBUS";
            case 8: return "SIGFPE";
            case 9: return "SIGKILL";
            case 10: return "SIGUSR1";
            case 11: return "SIGSEGV";
            case 12: return "SIGUSR2";
            case 13: return "SIGPIPE";
            case 14: return "SIGALRM";
            case 15: return "SIGTERM";
            case 24: return "SIGXCPU";
            case 25: return "SIGXFSZ";
            default: return "signal " + signal;
        }
    }
}
