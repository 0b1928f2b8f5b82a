package dev.juggler.samples.doctor;

import dev.juggler.cluster.ClusterBackend;
import dev.juggler.cluster.JobSpec;
import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import dev.juggler.samples.config.Escape;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Submits one short probe job (the deployment's worker job running {@code juggler worker --check}), waits for
 * it (bounded), reads its output and reports whether the worker started on a compute node and reached the
 * ledger from there. On timeout the job is cancelled.
 */
public final class ProbeJob {

    /** The probe job's time limit. */
    public static final Duration TIME_LIMIT = Duration.ofMinutes(2);
    /** How long the doctor waits for the probe job to end. */
    public static final Duration WAIT = Duration.ofMinutes(3);

    private ProbeJob() {
    }

    /**
     * @param backend where to submit (closed by the caller)
     * @param spec the probe job
     * @param output reads a job's output by job id (through SSH {@code cat} or the local file); empty if unreadable
     * @param report for the waiting lines
     */
    public static Finding run(ClusterBackend backend, JobSpec spec, Function<String, Optional<String>> output, Report report,
            Duration pollEvery) {
        String id;
        try {
            id = backend.submit(spec, 1, 0).get(0);
        } catch (RuntimeException e) {
            return Finding.fail("probe.job", "submitting the probe job failed: " + Texts.firstLine(e),
                    "fix what the message names (sbatch rejects the cluster: settings, e.g. partition, account, qos, memory)");
        }
        report.note("waiting for probe job " + Escape.visible(id) + " (at most " + WAIT.toMinutes() + " min) ...");
        long deadline = System.nanoTime() + WAIT.toNanos();
        long nextNote = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JobStatus last = null;
        while (true) {
            try {
                Optional<JobStatus> st = backend.status().stream().filter(s -> s.jobId().equals(id)).findFirst();
                if (st.isPresent()) {
                    if (last == null || last.state() != st.get().state()) {
                        report.note("probe job " + Escape.visible(id) + ": " + describe(st.get()));
                        nextNote = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    }
                    last = st.get();
                    if (last.state().isTerminal()) {
                        break;
                    }
                }
            } catch (RuntimeException e) {
                report.note("reading the job state failed (retrying): " + Texts.firstLine(e));
            }
            if (System.nanoTime() > deadline) {
                backend.cancel(List.of(id));
                String state = last == null ? "unknown" : describe(last);
                if (last == null || last.state() == JobState.PENDING) {
                    return Finding.warn("probe.job", "probe job " + Escape.visible(id) + " did not start within "
                            + WAIT.toMinutes() + " min (" + state + "); cancelled", "the queue may be busy: run the doctor "
                            + "later, or check the pending reason with squeue");
                }
                return Finding.fail("probe.job", "probe job " + Escape.visible(id) + " did not finish within " + WAIT.toMinutes()
                        + " min (" + state + "); cancelled", "read its output in the job output directory; a worker check "
                        + "should take seconds (slow model loading or a hanging ledger connection)");
            }
            if (System.nanoTime() > nextNote) {
                report.note("still waiting for probe job " + Escape.visible(id) + (last == null ? "" : ": " + describe(last)));
                nextNote = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            }
            sleep(pollEvery);
        }
        String text = output.apply(id).orElse("");
        List<String> checks = text.lines().filter(l -> l.startsWith("check: ")).map(l -> Escape.visible(l.substring(7))).toList();
        String host = checks.stream().filter(l -> l.startsWith("on host ")).findFirst().orElse("on an unknown host");
        int exit = last.exitCode().orElse(-1);
        if (last.state() == JobState.COMPLETED && checks.contains("worker ok")) {
            return Finding.ok("probe.job", "probe job " + Escape.visible(id) + " ran " + host + ": "
                    + String.join("; ", checks.stream().filter(l -> !l.startsWith("on host ") && !l.equals("worker ok")).toList()));
        }
        String failedStep = checks.stream().filter(l -> l.contains("UNREACHABLE") || l.contains("FAILED")).findFirst()
                .orElse(checks.isEmpty() ? "no check output; last output line: " + Texts.firstLine(lastLines(text), "(none)")
                        : checks.get(checks.size() - 1));
        if (exit == 3 || failedStep.startsWith("ledger UNREACHABLE")) {
            return Finding.fail("probe.ledger", "the worker " + host + " cannot reach the ledger: " + failedStep,
                    "compute nodes must reach ledger.url: see docs/config.md \"When compute nodes cannot reach the ledger\"");
        }
        return Finding.fail("probe.job", "probe job " + Escape.visible(id) + " " + describe(last) + " " + host + ": " + failedStep,
                "fix what the step names (worker.java, worker.deployDirectory, worker.model, cluster.prologue) and run the "
                        + "doctor again; the whole output is in the job's output file");
    }

    private static String lastLines(String text) {
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private static String describe(JobStatus s) {
        return Escape.visible(s.nativeState()) + s.reason().map(r -> " (" + Escape.visible(r) + ")").orElse("")
                + (s.exitCode().isPresent() ? ", exit " + s.exitCode().getAsInt() : "");
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw dev.juggler.JugglerException.permanentFailure("interrupted while waiting for the probe job", e);
        }
    }
}
