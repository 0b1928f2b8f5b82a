package dev.juggler.samples.doctor;

import java.util.Objects;

/**
 * The result of one check: its name, verdict, what was found and (for WARN/FAIL) the fix. The texts are
 * already escaped where they hold values from outside. Immutable.
 */
public record Finding(String check, Verdict verdict, String found, String fix) {

    public Finding {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(found, "found");
    }

    public static Finding ok(String check, String found) {
        return new Finding(check, Verdict.OK, found, null);
    }

    public static Finding warn(String check, String found, String fix) {
        return new Finding(check, Verdict.WARN, found, fix);
    }

    public static Finding fail(String check, String found, String fix) {
        return new Finding(check, Verdict.FAIL, found, fix);
    }

    public static Finding skip(String check, String reason) {
        return new Finding(check, Verdict.SKIP, reason, null);
    }

    public boolean failed() {
        return verdict == Verdict.FAIL;
    }

    /** The one printed line: {@code VERDICT  check  found — fix: ...}. */
    public String line() {
        return String.format("%-4s  %-17s %s%s", verdict.word(), check, found, fix == null ? "" : " — fix: " + fix);
    }
}
