package dev.juggler.inference.bench;

import dev.juggler.inference.clean.Butterworth;
import dev.juggler.inference.clean.CleanSettings;
import dev.juggler.inference.clean.CleanedFrame;
import dev.juggler.inference.clean.TrackCleaner;
import dev.juggler.inference.clean.testing.DetectorNoise;
import dev.juggler.inference.clean.testing.SyntheticPoseScene;
import dev.juggler.inference.clean.testing.TrackMetrics;
import dev.juggler.inference.openpose.OpenPoseDocument;
import dev.juggler.inference.pose.Person;
import dev.juggler.inference.pose.PoseFrame;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 15's track-cleaning benchmark: accuracy on seeded synthetic multi-person scenes corrupted as detectors
 * corrupt them (raw input, a per-keypoint Butterworth without identities as Pose2Sim-style baseline, and the
 * cleaner), cleaning speed for one BODY_25 person, and peak RSS of cleaning a 1,000,000-frame track against a
 * 10,000-frame one (each in its own JVM through the ledger path, {@link CleanRssProbe}); optionally jitter on
 * real footage ({@link CleanFootage}). Appends a section to {@code --out} and prints the RESULT line last.
 *
 * <p>Usage: {@code CleanBenchmark --out FILE [--seeds N] [--frames N] [--rss true|false] [--footage true|false]
 * [--strip IMAGE]} ({@code --strip}: a before/after picture of four vtest frames, for the docs).
 */
public final class CleanBenchmark {
    private static final double FPS = 25;
    private static final int MAX_GAP = CleanSettings.defaults().maxGap();
    private static final double MATCH = 0.5;

    private CleanBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i], args[i + 1]);
        }
        Path out = Path.of(opts.getOrDefault("--out", "target/bench-clean.md"));
        int seeds = Integer.parseInt(opts.getOrDefault("--seeds", "10"));
        int frames = Integer.parseInt(opts.getOrDefault("--frames", "1500"));
        StringBuilder table = new StringBuilder();
        table.append("| seed | people | raw RMSE px | baseline RMSE px | clean RMSE px | raw IDSW | baseline IDSW | clean IDSW"
                + " | clean MOTA | recovered | invented |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        double rawSq = 0, baseSq = 0, cleanSq = 0;
        long rawN = 0, baseN = 0, cleanN = 0, baseIdsw = 0, cleanIdsw = 0, invented = 0, fillable = 0, recovered = 0;
        for (int seed = 1; seed <= seeds; seed++) {
            SyntheticPoseScene scene = SyntheticPoseScene.generate(seed, frames, FPS, 1280, 720);
            DetectorNoise.Corrupted corrupted = DetectorNoise.builder().seed(1000 + seed).build().corrupt(scene.truth());
            List<PoseFrame> cleaned = clean(corrupted.raw(), CleanSettings.defaults());
            List<PoseFrame> baseline = baseline(corrupted.raw());
            TrackMetrics.Report raw = TrackMetrics.evaluate(scene.truth(), corrupted, corrupted.raw(), MAX_GAP, MATCH);
            TrackMetrics.Report base = TrackMetrics.evaluate(scene.truth(), corrupted, baseline, MAX_GAP, MATCH);
            TrackMetrics.Report clean = TrackMetrics.evaluate(scene.truth(), corrupted, cleaned, MAX_GAP, MATCH);
            table.append(String.format(Locale.ROOT, "| %d | %d | %.2f | %.2f | %.2f | %d | %d | %d | %.3f | %.3f | %d |%n", seed,
                    scene.people(), raw.rmse(), base.rmse(), clean.rmse(), raw.idSwitches(), base.idSwitches(), clean.idSwitches(),
                    clean.mota(), clean.recovered(), clean.inventedPoints()));
            log("seed " + seed + ": raw " + raw + " | clean " + clean);
            rawSq += raw.rmse() * raw.rmse() * raw.rmsePoints();
            rawN += raw.rmsePoints();
            baseSq += base.rmse() * base.rmse() * base.rmsePoints();
            baseN += base.rmsePoints();
            cleanSq += clean.rmse() * clean.rmse() * clean.rmsePoints();
            cleanN += clean.rmsePoints();
            baseIdsw += base.idSwitches();
            cleanIdsw += clean.idSwitches();
            invented += clean.inventedPoints();
            fillable += clean.fillable();
            recovered += clean.recoveredPoints();
        }
        double rawRmse = Math.sqrt(rawSq / rawN);
        double baseRmse = Math.sqrt(baseSq / baseN);
        double cleanRmse = Math.sqrt(cleanSq / cleanN);
        double speed = speed();
        double rss = Boolean.parseBoolean(opts.getOrDefault("--rss", "true")) ? CleanRssProbe.ratio() : Double.NaN;
        String footage = Boolean.parseBoolean(opts.getOrDefault("--footage", "false")) ? CleanFootage.report(
                opts.containsKey("--strip") ? Path.of(opts.get("--strip")) : null) : "";
        String section = String.format(Locale.ROOT, """
                ## clean

                Run %s on %d cores, Java %s. `bench/clean.sh`: %d seeded synthetic scenes of %d frames at %.0f fps (2-6 BODY_25
                people, crossings, entries and exits), corrupted by `DetectorNoise` defaults (jitter 2%% of body height, 5%% of
                points dropped for 1-20 frames, order shuffled and ids removed every frame, 1%% left/right swaps, 0.5%%
                one-frame outliers). Baseline: a per-keypoint 4th-order 6 Hz zero-phase Butterworth per list position,
                without identities (what per-keypoint filtering gives when people are not tracked). Matching to truth:
                CLEAR MOT with a threshold of %.1f body heights.

                %s
                | measure | raw | baseline | cleaner |
                |---|---|---|---|
                | RMSE px (all seeds) | %.2f | %.2f | %.2f |
                | IDSW (all seeds) | | %d | %d |
                | dropped points recovered (gap <= %d) | | | %.3f |
                | points invented beyond the max gap | | | %d |

                Cleaning speed, one BODY_25 person, in memory: %.0f frames/s on one core. Peak RSS cleaning a 1,000,000-frame
                track through the ledger path vs a 10,000-frame one: %.3f.
                %s
                """, java.time.LocalDate.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                seeds, frames, FPS, MATCH, table, rawRmse, baseRmse, cleanRmse, baseIdsw, cleanIdsw, MAX_GAP,
                fillable == 0 ? Double.NaN : (double) recovered / fillable, invented, speed, rss, footage);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, section, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        System.out.println(section);
        System.out.printf(Locale.ROOT, "RESULT clean rmse_vs_raw=%.3f idsw_vs_baseline=%.3f invented=%d frames_per_s=%.0f"
                + " rss_1m_vs_10k=%.3f%n", cleanRmse / rawRmse, baseIdsw == 0 ? Double.NaN : (double) cleanIdsw / baseIdsw,
                invented, speed, rss);
    }

    static List<PoseFrame> clean(List<PoseFrame> raw, CleanSettings settings) {
        List<PoseFrame> out = new ArrayList<>(raw.size());
        TrackCleaner cleaner = new TrackCleaner(settings, FPS, (CleanedFrame f) -> out.add(f.document().toPoseFrame()));
        for (int f = 0; f < raw.size(); f++) {
            cleaner.accept(f, OpenPoseDocument.of(raw.get(f)));
        }
        cleaner.finish();
        return out;
    }

    // Per list position i and keypoint, a zero-phase Butterworth over each run of frames where it is present.
    static List<PoseFrame> baseline(List<PoseFrame> raw) {
        Butterworth filter = Butterworth.lowPass(4, 6, FPS);
        int slots = raw.stream().mapToInt(f -> f.people().size()).max().orElse(0);
        int n = raw.size();
        float[][][] poses = new float[n][][];
        for (int f = 0; f < n; f++) {
            poses[f] = raw.get(f).people().stream().map(Person::pose2d).toArray(float[][]::new);
        }
        double[] x = new double[n];
        double[] y = new double[n];
        for (int slot = 0; slot < slots; slot++) {
            for (int k = 0; k < 25; k++) {
                int f = 0;
                while (f < n) {
                    while (f < n && !present(poses[f], slot, k)) {
                        f++;
                    }
                    int start = f;
                    while (f < n && present(poses[f], slot, k)) {
                        x[f] = poses[f][slot][3 * k];
                        y[f] = poses[f][slot][3 * k + 1];
                        f++;
                    }
                    if (f - start >= 2) {
                        filter.filtfilt(x, start, f);
                        filter.filtfilt(y, start, f);
                        for (int t = start; t < f; t++) {
                            poses[t][slot][3 * k] = (float) x[t];
                            poses[t][slot][3 * k + 1] = (float) y[t];
                        }
                    }
                }
            }
        }
        List<PoseFrame> out = new ArrayList<>(n);
        for (int f = 0; f < n; f++) {
            List<Person> people = new ArrayList<>();
            for (int slot = 0; slot < poses[f].length; slot++) {
                people.add(new Person(slot, poses[f][slot]));
            }
            out.add(new PoseFrame(people));
        }
        return out;
    }

    private static boolean present(float[][] frame, int slot, int k) {
        return slot < frame.length && frame[slot][3 * k + 2] > 0;
    }

    // Frames/s of the cleaner alone (documents prepared beforehand), best of three runs of 200,000 frames.
    static double speed() {
        int n = 200_000;
        OpenPoseDocument[] docs = new OpenPoseDocument[1000];
        SyntheticPoseScene scene = SyntheticPoseScene.generate(99, 1000, FPS, 1280, 720);
        for (int f = 0; f < docs.length; f++) {
            Person first = scene.truth().get(f).people().isEmpty() ? new Person(-1, new float[75]) : scene.truth().get(f).people().get(0);
            docs[f] = OpenPoseDocument.of(PoseFrame.of(new Person(-1, first.pose2d())));
        }
        double best = 0;
        for (int run = 0; run < 3; run++) {
            long[] count = {0};
            TrackCleaner cleaner = new TrackCleaner(CleanSettings.defaults(), FPS, f -> count[0]++);
            long cpu0 = cpuNanos();
            for (int f = 0; f < n; f++) {
                cleaner.accept(f, docs[f % 2000 < 1000 ? f % 1000 : 1999 - f % 2000]); // there and back: no jumps
            }
            cleaner.finish();
            long cpu = cpuNanos() - cpu0;
            best = Math.max(best, count[0] / (cpu / 1e9));
        }
        return best;
    }

    private static long cpuNanos() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    static void log(String line) {
        System.err.println("[clean bench] " + line);
    }

    static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
