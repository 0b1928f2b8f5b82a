package dev.juggler.samples;

import dev.juggler.jdbc.JdbcLedger;
import dev.juggler.ledger.ChunkQuery;
import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.ChunkView;
import dev.juggler.ledger.Progress;
import dev.juggler.ledger.StageState;
import dev.juggler.ledger.VideoRecord;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.pipeline.FramePipeline;
import dev.juggler.pipeline.FrameSource;
import dev.juggler.samples.config.Escape;
import java.io.PrintStream;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * {@code juggler worker --check}: what a worker needs on this node, step by step, without claiming work.
 * Prints one {@code check: ...} line per step. Exit codes: 0 all fine, 3 the ledger is unreachable, 1 any
 * other failure (no model, broken analysis settings, a staged video that cannot be opened).
 */
final class WorkerCheck {

    private WorkerCheck() {
    }

    static int run(JdbcLedger.Builder ledgerConfig, String analysis, AnalysisOptions options, PrintStream out) {
        String host = hostName();
        out.println("check: on host " + Escape.visible(host));
        WorkLedger ledger;
        try {
            ledger = ledgerConfig.build();
            Progress progress = ledger.reader().progress();
            out.printf("check: ledger ok: %d of %d frames done%n", progress.frames().doneFrames(), progress.frames().totalFrames());
        } catch (RuntimeException e) {
            out.println("check: ledger UNREACHABLE: " + dev.juggler.samples.doctor.Texts.firstLine(e));
            out.flush();
            return JugglerCli.UNAVAILABLE;
        }
        try (ledger) {
            try (FramePipeline pipeline = Analyses.pipeline(analysis, options.toOptions())) {
                out.println("check: analysis " + Escape.visible(analysis) + " ok: pipeline built (model loaded)");
            } catch (RuntimeException e) {
                out.println("check: analysis " + Escape.visible(analysis) + " FAILED: " + dev.juggler.samples.doctor.Texts.firstLine(e));
                return JugglerCli.FAILED;
            }
            Optional<VideoRecord> staged = oneStagedVideo(ledger);
            if (staged.isEmpty()) {
                out.println("check: video: none staged yet, not opened");
            } else {
                VideoRecord v = staged.get();
                String location = v.stagedLocation().orElseThrow();
                try (FrameSource source = dev.juggler.inference.video.FfmpegFrameSources.create().open(location, 0, 1)) {
                    source.next();
                    out.println("check: video ok: opened " + Escape.quoted(location) + " and read frame 0");
                } catch (RuntimeException e) {
                    out.println("check: video FAILED: cannot open " + Escape.quoted(location) + ": " + dev.juggler.samples.doctor.Texts.firstLine(e));
                    return JugglerCli.FAILED;
                }
            }
            out.println("check: worker ok");
            return JugglerCli.OK;
        } catch (RuntimeException e) {
            out.println("check: FAILED: " + dev.juggler.samples.doctor.Texts.firstLine(e));
            return JugglerCli.FAILED;
        } finally {
            out.flush();
        }
    }

    private static Optional<VideoRecord> oneStagedVideo(WorkLedger ledger) {
        Set<String> videos = new LinkedHashSet<>();
        for (ChunkView c : ledger.reader().chunks(ChunkQuery.inState(ChunkState.PENDING, 50))) {
            videos.add(c.videoId());
        }
        for (String id : videos) {
            Optional<VideoRecord> v = ledger.video(id);
            if (v.isPresent() && v.get().stageState() == StageState.STAGED && v.get().stagedLocation().isPresent()) {
                return v;
            }
        }
        return Optional.empty();
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "(unknown)";
        }
    }
}
