package dev.juggler.inference.bench;

import dev.juggler.inference.clean.CleanSettings;
import dev.juggler.inference.clean.LedgerCleaning;
import dev.juggler.inference.openpose.OpenPoseJson;
import dev.juggler.inference.pose.Person;
import dev.juggler.inference.pose.PoseFrame;
import dev.juggler.ledger.FrameResult;
import dev.juggler.ledger.InMemoryWorkLedger;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Peak resident memory of cleaning a long track through the ledger path ({@link LedgerCleaning}: results read a
 * block at a time, parsed, cleaned, written as JSON), measured in a fresh JVM per track length. The source
 * track's results are generated as they are read and the cleaned ones counted and dropped, so that what grows, if
 * anything, is the cleaning's own memory. Both JVMs run with the same fixed, pre-touched heap: the heap's pages
 * are resident from the start in both, and a cleaning that kept anything per frame would run out of that heap
 * on the long track.
 *
 * <p>Usage as a child: {@code CleanRssProbe FRAMES}, printing {@code VmHWM <kB>}.
 */
public final class CleanRssProbe {
    private static final String HEAP = "-Xmx160m";

    private CleanRssProbe() {
    }

    public static void main(String[] args) throws IOException {
        long frames = Long.parseLong(args[0]);
        InMemoryWorkLedger ledger = new GeneratedTrack(frames);
        ledger.registerVideo(new Video("long", "/long.mp4", frames, 25, 1, Map.of()));
        long track = ledger.addTrack(new TrackSpec("long", "pose", FrameRange.of(0, frames), 0));
        LedgerCleaning.Outcome outcome = new LedgerCleaning(ledger).clean(track, "pose", FrameRange.of(0, frames), 25,
                CleanSettings.defaults(), false, f -> { });
        if (outcome.stats().frames() != frames) {
            throw new IllegalStateException("cleaned " + outcome.stats().frames() + " of " + frames + " frames");
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                System.out.println("VmHWM " + line.replaceAll("[^0-9]", ""));
            }
        }
    }

    /** Peak RSS of a 1,000,000-frame cleaning over a 10,000-frame one, each in its own JVM. */
    static double ratio() throws IOException, InterruptedException {
        long small = child(10_000);
        long large = child(1_000_000);
        CleanBenchmark.log("peak RSS: 10,000 frames " + small + " kB, 1,000,000 frames " + large + " kB");
        return (double) large / small;
    }

    private static long child(long frames) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, HEAP, "-Xms160m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), CleanRssProbe.class.getName(), Long.toString(frames))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long kb = -1;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("VmHWM ")) {
                    kb = Long.parseLong(line.substring(6).trim());
                }
            }
        }
        if (p.waitFor() != 0 || kb < 0) {
            throw new IllegalStateException("the RSS probe of " + frames + " frames failed (exit " + p.exitValue() + ")");
        }
        return kb;
    }

    /** A ledger whose one track's results are a person walking to and fro with jitter, made as they are read. */
    private static final class GeneratedTrack extends InMemoryWorkLedger {
        private final long frames;
        private long stored;

        GeneratedTrack(long frames) {
            this.frames = frames;
        }

        @Override
        public void readResults(long trackId, FrameRange range, Consumer<FrameResult> consumer) {
            Random random = new Random(range.from());
            for (long f = range.from(); f < Math.min(range.to(), frames); f++) {
                double phase = (f % 400) < 200 ? f % 200 : 199 - f % 200;
                float[] pose = new float[75];
                for (int k = 0; k < 25; k++) {
                    pose[3 * k] = (float) (200 + 3 * phase + (k % 5) * 20 + random.nextGaussian() * 2);
                    pose[3 * k + 1] = (float) (200 + (k / 5) * 60 + random.nextGaussian() * 2);
                    pose[3 * k + 2] = 0.9f;
                }
                consumer.accept(new FrameResult(trackId, f, OpenPoseJson.toJson(PoseFrame.of(new Person(-1, pose)))));
            }
        }

        @Override
        public void storeResults(List<FrameResult> results) {
            stored += results.size();
        }
    }
}
