package dev.juggler.samples.deploy;

import dev.juggler.samples.config.Escape;
import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows the upload of one file after another: on a terminal a progress bar per file (bytes, in MB), otherwise a
 * line when a file starts, a line every five seconds while it goes up, and a line when it is done. File names
 * are escaped. Not thread-safe except {@link #bytes(long)}, which the SFTP transfer thread may call.
 */
public final class UploadProgress {

    private static final long LINE_EVERY_NANOS = 5_000_000_000L;

    private final PrintWriter out;
    private final boolean plain;
    private volatile ProgressBar bar;
    private String name;
    private long size;
    private long startNanos;
    private volatile long lastLine;

    /** @param plain lines instead of bars (no terminal, or {@code --no-progress}) */
    public UploadProgress(PrintWriter out, boolean plain) {
        this.out = out;
        this.plain = plain;
    }

    /** A file starts going up; {@code from} bytes of it are there already (a resumed upload). */
    public void start(Artifact a, long from, int index, int count) {
        this.name = Escape.visible(a.name());
        this.size = a.size();
        this.startNanos = System.nanoTime();
        this.lastLine = startNanos;
        String what = String.format(Locale.ROOT, "[%d/%d] %s", index, count, name);
        if (plain) {
            out.printf(Locale.ROOT, "%s: uploading %s%s%n", what, mb(size),
                    from > 0 ? String.format(Locale.ROOT, ", resuming at %s", mb(from)) : "");
            out.flush();
        } else {
            bar = new ProgressBarBuilder().setTaskName(what.length() > 40 ? what.substring(0, 39) + "…" : what)
                    .setInitialMax(size).setStyle(ProgressBarStyle.ASCII).setUnit(" MB", 1_000_000).showSpeed()
                    .setUpdateIntervalMillis(250).build();
            bar.stepTo(from);
        }
    }

    /** The remote part holds {@code total} bytes now. */
    public void bytes(long total) {
        ProgressBar b = bar;
        if (b != null) {
            b.stepTo(total);
        } else if (plain && System.nanoTime() - lastLine > LINE_EVERY_NANOS) {
            lastLine = System.nanoTime();
            out.printf(Locale.ROOT, "    %s: %s of %s%n", name, mb(total), mb(size));
            out.flush();
        }
    }

    /** The file is under its content address; {@code sent} bytes went up for it. */
    public void done(CasStore.Put put) {
        ProgressBar b = bar;
        if (b != null) {
            b.stepTo(size);
            b.close();
            bar = null;
        }
        double seconds = Math.max(1e-3, (System.nanoTime() - startNanos) / 1e9);
        if (plain) {
            out.printf(Locale.ROOT, "    %s: %s, %s sent in %.1f s (%.1f MB/s)%n", name,
                    put.outcome().name().toLowerCase(Locale.ROOT), mb(put.bytesSent()), seconds, put.bytesSent() / 1e6 / seconds);
            out.flush();
        }
    }

    /** Abandons the current bar (after a failure). */
    public void abort() {
        ProgressBar b = bar;
        if (b != null) {
            b.close();
            bar = null;
        }
    }

    static String mb(long bytes) {
        return bytes < 1_000_000 ? bytes + " bytes" : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
