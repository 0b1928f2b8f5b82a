package dev.juggler.samples.doctor;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Prints findings as they come (one line each) and remembers them. Not thread-safe. */
public final class Report {

    private final PrintWriter out;
    private final List<Finding> findings = new ArrayList<>();

    public Report(PrintWriter out) {
        this.out = out;
    }

    /** Prints and records the finding; returns it. */
    public Finding add(Finding f) {
        findings.add(f);
        out.println(f.line());
        out.flush();
        return f;
    }

    /** A progress line that is not a verdict (e.g. while waiting for the probe job). */
    public void note(String text) {
        out.println("      " + text);
        out.flush();
    }

    public List<Finding> findings() {
        return List.copyOf(findings);
    }

    public boolean anyFailed() {
        return findings.stream().anyMatch(Finding::failed);
    }

    /** The closing summary line. */
    public void summary() {
        long fail = findings.stream().filter(f -> f.verdict() == Verdict.FAIL).count();
        long warn = findings.stream().filter(f -> f.verdict() == Verdict.WARN).count();
        long skip = findings.stream().filter(f -> f.verdict() == Verdict.SKIP).count();
        long ok = findings.stream().filter(f -> f.verdict() == Verdict.OK).count();
        out.printf("doctor: %d ok, %d WARN, %d FAIL, %d skipped%n", ok, warn, fail, skip);
        out.flush();
    }
}
