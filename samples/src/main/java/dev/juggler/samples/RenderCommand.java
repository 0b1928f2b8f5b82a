package dev.juggler.samples;

import dev.juggler.JugglerException;
import dev.juggler.inference.openpose.OpenPoseFiles;
import dev.juggler.inference.openpose.OpenPoseJson;
import dev.juggler.inference.pose.PoseFrame;
import dev.juggler.inference.render.PoseRenderer;
import dev.juggler.inference.render.RenderedOutput;
import dev.juggler.inference.video.FfmpegFrameSources;
import dev.juggler.inference.video.VideoProbe;
import dev.juggler.ledger.FrameResult;
import dev.juggler.ledger.TrackView;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameSource;
import dev.juggler.samples.config.Escape;
import dev.juggler.samples.console.LedgerOptions;
import dev.juggler.video.DamagedFrameException;
import dev.juggler.video.FrameRange;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongFunction;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code juggler render}: draws the skeletons of a result onto its video's frames and writes an H.264 video or PNG
 * files ({@link PoseRenderer}, {@link RenderedOutput}). The results come from OpenPose JSON files next to a video
 * ({@code --video} and {@code --json}) or from a track in the ledger ({@code --track}). Not thread-safe: picocli
 * runs a command once.
 */
@Command(name = "render", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Draws the skeletons of pose results onto the video's frames (OpenPose's BODY_25 limbs and colours,"
                + " person ids, the frame index) and writes an H.264 video (OUT ending in .mp4 or .mkv) or PNG files (a folder).",
                "Results: --video FILE --json DIR (OpenPose JSON files, any version), or --track ID from the ledger."})
final class RenderCommand implements Callable<Integer> {

    /** A progress line after this many frames. */
    static final int PROGRESS_EVERY = 100;

    static final class FromFiles {
        @Option(names = "--video", paramLabel = "FILE", required = true, description = "The video (or image folder).")
        Path video;

        @Option(names = "--json", paramLabel = "DIR", required = true,
                description = "The folder of its OpenPose JSON files (<name>_<frame:12>_keypoints.json).")
        Path json;
    }

    static final class Source {
        @ArgGroup(exclusive = false)
        FromFiles files;

        @Option(names = "--track", paramLabel = "ID", description = "A track in the ledger (see --config or --ledger).")
        Long track;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--out", paramLabel = "OUT", required = true,
            description = "A video file (.mp4 or .mkv: H.264) or a folder for PNG files.")
    Path out;

    @Option(names = "--from", paramLabel = "FRAME", defaultValue = "0", description = "First frame (default ${DEFAULT-VALUE}).")
    long from;

    @Option(names = "--to", paramLabel = "FRAME", description = "End frame, exclusive (default: the end of the video).")
    Long to;

    @Option(names = "--min-confidence", paramLabel = "C", defaultValue = "0.05",
            description = "Keypoints under this confidence are not drawn (default ${DEFAULT-VALUE}).")
    float minConfidence;

    @picocli.CommandLine.Mixin
    LedgerOptions ledgerOptions = new LedgerOptions();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (from < 0 || (to != null && to <= from)) {
            throw new ParameterException(spec.commandLine(), "--from and --to must give a non-empty range of frames >= 0");
        }
        if (!(minConfidence >= 0 && minConfidence <= 1)) {
            throw new ParameterException(spec.commandLine(), "--min-confidence must be in 0..1");
        }
        PrintWriter console = spec.commandLine().getOut();
        try {
            if (source.track != null) {
                try (WorkLedger ledger = ledgerOptions.open()) {
                    return fromTrack(ledger, source.track, console);
                }
            }
            Path video = source.files.video;
            Path json = source.files.json;
            if (!Files.isDirectory(json)) {
                return fail("--json " + Escape.visible(json.toString()) + " is not a folder");
            }
            String base = OpenPoseFiles.baseName(video);
            return render(video, base, frame -> {
                Path file = json.resolve(OpenPoseFiles.fileName(base, frame));
                return Files.isRegularFile(file) ? OpenPoseJson.read(readString(file), file.toString()) : null;
            }, console);
        } catch (JugglerException e) { // OpenPoseFormatException included
            return fail(e.getMessage());
        }
    }

    private int fromTrack(WorkLedger ledger, long trackId, PrintWriter console) {
        TrackView track = ledger.reader().track(trackId).orElse(null);
        if (track == null) {
            return fail("no track " + trackId + " in the ledger");
        }
        Path video = Path.of(ledger.video(track.videoId()).orElseThrow().video().location());
        TrackResults results = new TrackResults(ledger, trackId, to != null ? to : track.range().to());
        console.printf("track %d: video %s%n", trackId, Escape.visible(track.videoId()));
        int code = render(video, track.videoId(), results, console);
        console.printf("track %d: %d stored result(s) in the rendered frames%n", trackId, results.loaded);
        return code;
    }

    /**
     * A track's results, read a block of frames at a time as the rendering reaches them (frames come in order),
     * so that a long track is never held in memory at once.
     */
    private static final class TrackResults implements LongFunction<PoseFrame> {
        static final int BLOCK = 500;
        private final WorkLedger ledger;
        private final long trackId;
        private final long end;
        private final Map<Long, PoseFrame> block = new HashMap<>();
        private long blockFrom = -1;
        private long blockTo = -1;
        long loaded;

        TrackResults(WorkLedger ledger, long trackId, long end) {
            this.ledger = ledger;
            this.trackId = trackId;
            this.end = end;
        }

        @Override
        public PoseFrame apply(long frame) {
            if (frame < blockFrom || frame >= blockTo) {
                block.clear();
                blockFrom = frame;
                blockTo = Math.max(frame + 1, Math.min(end, frame + BLOCK));
                ledger.readResults(trackId, FrameRange.of(blockFrom, blockTo), (FrameResult r) -> {
                    block.put(r.frame(), OpenPoseJson.read(r.payload(), "track " + trackId + " frame " + r.frame()));
                    loaded++;
                });
            }
            return block.get(frame);
        }
    }

    /** Renders {@code [from, to)} of {@code video}; {@code poses} gives a frame's result or {@code null} if it has none. */
    private int render(Path video, String name, LongFunction<PoseFrame> poses, PrintWriter console) {
        VideoProbe.Inspection probe = VideoProbe.inspect(name, video, null);
        long end = to != null ? Math.min(to, probe.video().frameCount()) : probe.video().frameCount();
        if (from >= end) {
            return fail("the video has " + probe.video().frameCount() + " frames; nothing from frame " + from);
        }
        long withPose = 0;
        long without = 0;
        long damaged = 0;
        try (FrameSource frames = FfmpegFrameSources.create().open(video.toString(), FrameRange.of(from, end));
             RenderedOutput output = RenderedOutput.to(out, name, probe.video().fps())) {
            for (long i = from; i < end; i++) {
                Frame frame;
                try {
                    frame = frames.next();
                } catch (DamagedFrameException e) {
                    damaged++;
                    continue;
                }
                if (frame == null) {
                    break;
                }
                PoseFrame pose = poses.apply(frame.index());
                if (pose == null) {
                    without++;
                } else {
                    withPose++;
                }
                output.write(PoseRenderer.draw(PoseRenderer.toImage(frame), pose == null ? PoseFrame.EMPTY : pose, frame.index(),
                        minConfidence), frame.index());
                if (output.written() % PROGRESS_EVERY == 0) {
                    console.printf("render: %d of %d frames%n", output.written(), end - from);
                    console.flush();
                }
            }
            console.printf("Rendered %d frame(s) of %s to %s: %d with a result, %d without (drawn bare)%s.%n", output.written(),
                    Escape.visible(video.toString()), Escape.visible(out.toString()), withPose, without,
                    damaged > 0 ? ", " + damaged + " damaged frame(s) left out" : "");
        }
        return JugglerCli.OK;
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw JugglerException.permanentFailure("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private int fail(String message) {
        spec.commandLine().getErr().println("juggler render: " + Escape.visible(message));
        return JugglerCli.FAILED;
    }
}
