package dev.juggler.samples;

import dev.juggler.inference.video.FfmpegFrameSources;
import dev.juggler.inference.video.VideoProbe;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.config.ConfigException;
import dev.juggler.samples.config.ConfigProblem;
import dev.juggler.samples.config.Escape;
import dev.juggler.samples.config.JugglerConfig;
import dev.juggler.samples.config.VideoCandidate;
import dev.juggler.samples.config.VideoRegistrar;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code juggler register --config FILE}: scans the config's video sources and registers new videos and their
 * tracks in its ledger. Files already registered (same id and size) are not probed again, so a re-run is
 * fast. Refused files are listed with reasons at the end, and so are the unreadable images of image folders
 * (registered all the same: each fails only its own frame); the exit code is non-zero only when the config or
 * the ledger fails.
 */
@Command(name = "register", mixinStandardHelpOptions = true,
        description = "Registers the videos of a config's sources (and their tracks) in its ledger.")
final class RegisterCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The deployment's YAML config.")
    Path config;

    @Option(names = "--probe-threads", defaultValue = "2", description = "Files probed at once, default ${DEFAULT-VALUE}.")
    int probeThreads;

    @Option(names = "--no-progress", description = "Print status lines instead of a progress bar.")
    boolean noProgress;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** How new files are read; tests replace it to count probes. */
    VideoRegistrar.Prober prober = VideoProbe::inspect;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        JugglerConfig cfg = JugglerConfig.load(config); // problems: reported by JugglerCli, one per line
        FfmpegFrameSources.quietNativeLogging(); // this program is the host
        VideoCandidate.ScanResult scan = cfg.videoSources().scan();
        out.printf("Found %d video file(s) in %d source(s)%s.%n", scan.candidates().size(), cfg.videos().size(),
                scan.refused().isEmpty() ? "" : ", " + scan.refused().size() + " refused while scanning");
        out.flush();
        VideoRegistrar.Report report;
        try (WorkLedger ledger = cfg.ledgerBuilder().build();
                Progress progress = new Progress(scan.candidates().size(), noProgress || System.console() == null, out)) {
            report = new VideoRegistrar(ledger, prober, probeThreads).register(scan, progress::done);
        } catch (ConfigException e) {
            e.problems().forEach(p -> err.println(withFile(p)));
            err.flush();
            return JugglerCli.FAILED;
        }
        if (!report.refused().isEmpty()) {
            out.printf("Refused (%d):%n", report.refused().size());
            report.refused().forEach(r -> out.println("  " + r.display()));
        }
        if (!report.cutShort().isEmpty()) {
            out.printf("Cut short (registered: the readable frames are analysed, the rest is recorded as failed) (%d):%n",
                    report.cutShort().size());
            report.cutShort().forEach(r -> out.println("  " + r.display()));
        }
        list(out, "Damaged images (registered: each fails only its own frame when analysed, the other frames are not "
                + "affected)", report.damagedImages(), MAX_LISTED);
        list(out, "Image notes (readable, analysed as they are)", report.imageNotes(), MAX_LISTED / 5);
        out.printf(Locale.ROOT, "Registered: %d new, %d already registered, %d refused (%d probed).%n", report.added(),
                report.alreadyRegistered(), report.refused().size(), report.probed());
        out.flush();
        return JugglerCli.OK;
    }

    /** The most damaged images listed one by one; a folder of thousands of broken files gets a count for the rest. */
    static final int MAX_LISTED = 100;

    private static void list(PrintWriter out, String title, java.util.List<VideoCandidate.Refusal> items, int max) {
        if (items.isEmpty()) {
            return;
        }
        out.printf("%s (%d):%n", title, items.size());
        items.stream().limit(max).forEach(r -> out.println("  " + r.display()));
        if (items.size() > max) {
            out.printf("  ... and %d more%n", items.size() - max);
        }
    }

    private String withFile(ConfigProblem p) {
        return p.line() == 0 ? config + ": " + p.key() + ": " + p.message() : p.format();
    }

    /** A progress bar on a terminal, a line every two seconds (and at the end) otherwise. */
    private static final class Progress implements AutoCloseable {
        private final ProgressBar bar;
        private final PrintWriter out;
        private long lastLine = System.nanoTime();

        Progress(int total, boolean plain, PrintWriter out) {
            this.out = out;
            this.bar = plain || total == 0 ? null : new ProgressBarBuilder().setTaskName("videos").setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).build();
        }

        void done(VideoCandidate candidate, VideoRegistrar.Outcome outcome, int done, int total) {
            if (bar != null) {
                bar.stepTo(done);
                bar.setExtraMessage(Escape.visible(candidate.id()).length() > 30
                        ? Escape.visible(candidate.id()).substring(0, 29) + "…" : Escape.visible(candidate.id()));
            } else if (System.nanoTime() - lastLine > 2_000_000_000L || done == total) {
                lastLine = System.nanoTime();
                out.printf("%d/%d files checked%n", done, total);
                out.flush();
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }
}
