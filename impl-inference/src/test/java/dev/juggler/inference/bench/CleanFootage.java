package dev.juggler.inference.bench;

import dev.juggler.inference.clean.CleanSettings;
import dev.juggler.inference.pose.MultiPersonBlazePose;
import dev.juggler.inference.pose.Person;
import dev.juggler.inference.pose.PoseFrame;
import dev.juggler.inference.pose.PoseModels;
import dev.juggler.inference.video.FfmpegFrameSources;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameSource;
import dev.juggler.pipeline.PixelFormat;
import dev.juggler.video.FrameRange;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cleaner on real footage: multi-person BlazePose over {@code vtest.avi} and {@code Megamind.avi} (opencv-doc),
 * then jitter (mean absolute frame-to-frame acceleration of a keypoint of one identity, px/frame², over points
 * present three frames in a row) with identities but no smoothing, against the default cleaning; and how many
 * identities the cleaner gave out, with their mean length.
 */
final class CleanFootage {
    private static final Path DATA = Path.of("/usr/share/doc/opencv-doc/examples/data");
    private static final int MAX_FRAMES = 400;

    private CleanFootage() {
    }

    static String report(Path strip) throws Exception {
        PoseModels models = PoseModels.system();
        StringBuilder rows = new StringBuilder("""

                Real footage (multi-person BlazePose full, at most %d frames each):

                | video | frames | identities | mean identity length (frames) | jitter before px/frame² | jitter after | after / before |
                |---|---|---|---|---|---|---|
                """.formatted(MAX_FRAMES));
        try (MultiPersonBlazePose model = MultiPersonBlazePose.builder(models.locate(PoseModels.Variant.FULL, null),
                models.locateDetector(null)).build()) {
            for (String name : List.of("vtest.avi", "Megamind.avi")) {
                List<PoseFrame> raw = new ArrayList<>();
                try (FrameSource source = FfmpegFrameSources.builder().pixelFormat(PixelFormat.I420).build()
                        .open(DATA.resolve(name).toString(), FrameRange.of(0, MAX_FRAMES))) {
                    for (Frame f = source.next(); f != null; f = source.next()) {
                        raw.add(model.infer(List.of(model.preprocess(f))).get(0));
                        source.recycle(f);
                    }
                } catch (dev.juggler.video.VideoException e) {
                    CleanBenchmark.log(name + ": stopped at " + raw.size() + " frames: " + e.getMessage());
                }
                List<PoseFrame> tracked = CleanBenchmark.clean(raw, CleanSettings.builder().smoothing(CleanSettings.Smoothing.NONE)
                        .maxGap(0).build());
                List<PoseFrame> cleaned = CleanBenchmark.clean(raw, CleanSettings.defaults());
                double before = jitter(tracked);
                double after = jitter(cleaned);
                Map<Integer, Integer> lengths = new HashMap<>();
                cleaned.forEach(f -> f.people().forEach(p -> lengths.merge(p.personId(), 1, Integer::sum)));
                double mean = lengths.values().stream().mapToInt(Integer::intValue).average().orElse(0);
                rows.append(String.format(Locale.ROOT, "| %s | %d | %d | %.1f | %.3f | %.3f | %.3f |%n", name, raw.size(),
                        lengths.size(), mean, before, after, after / before));
                CleanBenchmark.log(name + ": jitter " + before + " -> " + after + ", " + lengths.size() + " identities");
                if (strip != null && name.equals("vtest.avi")) {
                    writeStrip(DATA.resolve(name), raw, cleaned, strip);
                }
            }
        }
        return rows.toString();
    }

    // Four frames a few apart, cropped to where people walk: raw BlazePose output above, the cleaned track below.
    private static void writeStrip(Path video, List<PoseFrame> raw, List<PoseFrame> cleaned, Path out) throws Exception {
        long[] picks = {120, 124, 128, 132};
        // The part of vtest's 768x576 picture where the people of these frames walk, at full size.
        int x0 = 330;
        int y0 = 80;
        int w = 420;
        int h = 240;
        java.awt.image.BufferedImage strip = new java.awt.image.BufferedImage(w * picks.length, 2 * h,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = strip.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        try (FrameSource source = FfmpegFrameSources.builder().pixelFormat(PixelFormat.BGR24).build()
                .open(video.toString(), FrameRange.of(picks[0], picks[picks.length - 1] + 1))) {
            int column = 0;
            for (Frame f = source.next(); f != null; f = source.next()) {
                long index = f.index();
                if (column < picks.length && index == picks[column]) {
                    java.awt.image.BufferedImage before = dev.juggler.inference.render.PoseRenderer.toImage(f);
                    java.awt.image.BufferedImage after = dev.juggler.inference.render.PoseRenderer.toImage(f);
                    dev.juggler.inference.render.PoseRenderer.draw(before, raw.get((int) index), index, 0.05f);
                    dev.juggler.inference.render.PoseRenderer.draw(after, cleaned.get((int) index), index, 0.05f);
                    g.drawImage(before.getSubimage(x0, y0, w, h), column * w, 0, null);
                    g.drawImage(after.getSubimage(x0, y0, w, h), column * w, h, null);
                    column++;
                }
                source.recycle(f);
            }
        }
        g.dispose();
        java.nio.file.Files.createDirectories(out.toAbsolutePath().getParent());
        javax.imageio.ImageIO.write(strip, "jpg", out.toFile());
        CleanBenchmark.log("before/after strip: " + out);
    }

    static double jitter(List<PoseFrame> frames) {
        double sum = 0;
        long n = 0;
        for (int f = 2; f < frames.size(); f++) {
            for (Person p : frames.get(f).people()) {
                Person b = find(frames.get(f - 1), p.personId());
                Person a = find(frames.get(f - 2), p.personId());
                if (a == null || b == null) {
                    continue;
                }
                for (int k = 0; k < p.pose2d().length / 3; k++) {
                    if (p.confidence(k) > 0 && a.confidence(k) > 0 && b.confidence(k) > 0) {
                        sum += Math.hypot(p.x(k) - 2 * b.x(k) + a.x(k), p.y(k) - 2 * b.y(k) + a.y(k));
                        n++;
                    }
                }
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private static Person find(PoseFrame frame, int id) {
        for (Person p : frame.people()) {
            if (p.personId() == id) {
                return p;
            }
        }
        return null;
    }
}
