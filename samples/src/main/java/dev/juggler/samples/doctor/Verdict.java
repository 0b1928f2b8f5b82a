package dev.juggler.samples.doctor;

/** The outcome of one doctor check, as printed at the start of its line. */
public enum Verdict {
    OK("ok"), WARN("WARN"), FAIL("FAIL"), SKIP("skip");

    private final String word;

    Verdict(String word) {
        this.word = word;
    }

    /** The word printed: {@code ok}, {@code WARN}, {@code FAIL} or {@code skip}. */
    public String word() {
        return word;
    }
}
