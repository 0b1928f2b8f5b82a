package dev.juggler.cluster;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a {@link LocalClusterBackend} starts a job's process (command line, directory, environment, output) and
 * waits for processes to end. Stateless; thread-safe.
 */
final class LocalLauncher {

    private static final Logger LOG = LoggerFactory.getLogger(LocalClusterBackend.class);

    private LocalLauncher() {
    }

    /**
     * The command itself, or, with a prologue, {@code /bin/sh -c '<prologue lines>; exec "$@"' juggler-job
     * <command…>}: the command's arguments still never pass through the shell's parsing.
     */
    static List<String> launchCommand(JobSpec spec) {
        if (spec.prologue().isEmpty()) {
            return spec.fullCommand();
        }
        StringBuilder script = new StringBuilder("set -e\n");
        spec.prologue().forEach(line -> script.append(line).append('\n'));
        script.append("exec \"$@\"\n");
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", script.toString(), "juggler-job"));
        argv.addAll(spec.fullCommand());
        return argv;
    }

    /**
     * The process of a job: in its working directory, with this JVM's environment plus the spec's (secrets
     * included, never on the command line), its id and its deadline; output and error go to its output file.
     */
    static ProcessBuilder processBuilder(LocalJob job, long deadlineMillis) {
        JobSpec spec = job.spec;
        ProcessBuilder pb = new ProcessBuilder(launchCommand(spec));
        spec.workingDirectory().ifPresent(dir -> pb.directory(new File(dir)));
        Map<String, String> env = pb.environment();
        env.putAll(spec.environment());
        env.putAll(spec.secretEnvironment());
        env.put(ClusterBackend.JOB_ID_ENV, job.id);
        env.put(ClusterBackend.JOB_DEADLINE_ENV, Long.toString(deadlineMillis));
        pb.redirectErrorStream(true);
        pb.redirectOutput(job.outputFile.toFile());
        return pb;
    }

    /** Closes a started job's standard input. */
    static void closeStdin(LocalJob job, Process process) {
        try {
            // A worker that reads stdin must see end-of-file rather than hang on a pipe nobody writes.
            process.getOutputStream().close();
        } catch (IOException e) {
            LOG.debug("job {}: closing stdin failed", job.id, e);
        }
    }

    /** Waits (real time) until all jobs' processes have exited or the time is up; returns if interrupted. */
    static boolean awaitExit(List<LocalJob> stopping, long timeoutNanos) {
        long end = System.nanoTime() + timeoutNanos;
        boolean interrupted = false;
        for (LocalJob job : stopping) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                job.process.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
                break; // still kill below, but do not keep the interrupted caller waiting
            } catch (ExecutionException | TimeoutException e) {
                // timed out: SIGKILL follows; failed: nothing more to wait for
            }
        }
        return interrupted;
    }

    /** {@code a + b}, or {@link Long#MAX_VALUE} where that overflows (a time limit of "forever"). */
    static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
