package dev.juggler.inference.pose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.video.FfmpegFrameSources;
import dev.juggler.inference.video.SyntheticVideo;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameInfo;
import dev.juggler.pipeline.FrameSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MarkerPoseModelTest {
    static final int W = 320;
    static final int H = 240;
    static final int N = 150;

    @TempDir
    static Path dir;
    static List<Frame> decoded = new ArrayList<>();

    @BeforeAll
    static void decodeVideo() {
        // Every 10th frame has no figure: those must yield no person.
        Path video = SyntheticVideo.builder().size(W, H).frames(N).hideFigureWhen(f -> f % 10 == 7)
                .write(dir.resolve("markers.mp4"));
        try (FrameSource src = FfmpegFrameSources.create().open(video.toString(), 0, N)) {
            for (Frame f; (f = src.next()) != null; ) {
                decoded.add(f);
            }
        }
        assertEquals(N, decoded.size());
    }

    @Test
    void findsTheMarkersOfDecodedFramesWithin2Pixels() {
        int good = 0;
        int withFigure = 0;
        double worst = 0;
        try (MarkerPoseModel model = MarkerPoseModel.create()) {
            for (int i = 0; i < N; i += model.maxBatchSize()) {
                List<Frame> batch = decoded.subList(i, Math.min(N, i + model.maxBatchSize()));
                List<PoseFrame> out = model.infer(batch);
                assertEquals(batch.size(), out.size());
                for (int j = 0; j < batch.size(); j++) {
                    long f = batch.get(j).index();
                    PoseFrame pose = out.get(j);
                    if (f % 10 == 7) {
                        assertTrue(pose.isEmpty(), "frame " + f + " has no figure: " + pose);
                        continue;
                    }
                    withFigure++;
                    double err = maxError(pose, f);
                    worst = Math.max(worst, err);
                    if (err <= 2.0) {
                        good++;
                    }
                }
            }
        }
        assertTrue(good >= 0.95 * withFigure, good + " of " + withFigure + " frames within 2 px (worst " + worst + ")");
        System.out.println("marker pose: " + good + "/" + withFigure + " frames within 2 px, worst error " + worst + " px");
    }

    static double maxError(PoseFrame pose, long frame) {
        if (pose.people().size() != 1) {
            return Double.POSITIVE_INFINITY;
        }
        Person p = pose.people().get(0);
        assertEquals(25, p.keypointCount());
        assertEquals(Person.UNTRACKED, p.personId());
        Map<Integer, double[]> gt = SyntheticVideo.groundTruth(frame, W, H);
        double worst = 0;
        for (int k = 0; k < 25; k++) {
            double[] t = gt.get(k);
            if (t == null) {
                assertEquals(0f, p.x(k));
                assertEquals(0f, p.y(k));
                assertEquals(0f, p.confidence(k), "keypoint " + k + " has no marker");
                continue;
            }
            if (p.confidence(k) <= 0) {
                return Double.POSITIVE_INFINITY;
            }
            assertTrue(p.confidence(k) <= 1f);
            worst = Math.max(worst, Math.hypot(p.x(k) - t[0], p.y(k) - t[1]));
        }
        return worst;
    }

    @Test
    void exactOnUncompressedFrames() {
        MarkerPoseModel model = MarkerPoseModel.create();
        for (long f = 0; f < 240; f += 7) {
            byte[] img = SyntheticVideo.render(f, 640, 360, true);
            PoseFrame pose = model.analyse(new Frame(new FrameInfo(f, 0, 640, 360), img, 1920));
            Person p = pose.people().get(0);
            for (Map.Entry<Integer, double[]> e : SyntheticVideo.groundTruth(f, 640, 360).entrySet()) {
                int k = e.getKey();
                assertEquals(e.getValue()[0], p.x(k), 0.5, "x of " + BodyModel.BODY_25.name(k));
                assertEquals(e.getValue()[1], p.y(k), 0.5, "y of " + BodyModel.BODY_25.name(k));
                assertTrue(p.confidence(k) > 0.9f, "confidence " + p.confidence(k));
            }
        }
    }

    @Test
    void noPersonWithFewerThanThreeMarkers() {
        MarkerPoseModel model = MarkerPoseModel.create();
        byte[] img = SyntheticVideo.render(3, W, H, false);
        Frame blank = new Frame(new FrameInfo(3, 0, W, H), img, 3 * W);
        assertTrue(model.analyse(blank).isEmpty());
        // Two coloured discs only.
        byte[] two = SyntheticVideo.render(3, W, H, false);
        paintDisc(two, 100, 100, 0, 0, 255);
        paintDisc(two, 200, 100, 255, 0, 0);
        PoseFrame pose = model.analyse(new Frame(new FrameInfo(3, 0, W, H), two, 3 * W));
        assertTrue(pose.isEmpty(), pose.toString());
        assertEquals(1, MarkerPoseModel.builder().minMarkers(2).build()
                .analyse(new Frame(new FrameInfo(3, 0, W, H), two, 3 * W)).people().size());
    }

    private static void paintDisc(byte[] img, int cx, int cy, int r, int g, int b) {
        for (int y = cy - 6; y <= cy + 6; y++) {
            for (int x = cx - 6; x <= cx + 6; x++) {
                if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= 36) {
                    int o = 3 * (y * W + x);
                    img[o] = (byte) b;
                    img[o + 1] = (byte) g;
                    img[o + 2] = (byte) r;
                }
            }
        }
    }

    @Test
    void fastEnoughOnOneCore() {
        MarkerPoseModel model = MarkerPoseModel.create();
        List<Frame> batch = decoded.subList(0, 8);
        for (int i = 0; i < 100; i++) {
            model.infer(batch); // warm-up
        }
        int frames = 0;
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < 500_000_000L) {
            model.infer(batch);
            frames += batch.size();
        }
        double fps = frames / ((System.nanoTime() - t0) / 1e9);
        System.out.printf("marker pose: %.0f frames/s at %dx%d on one thread%n", fps, W, H);
        assertTrue(fps >= 300, "frames/s " + fps);
    }

    @Test
    void threadSafeUnderConcurrentBatches() throws Exception {
        MarkerPoseModel model = MarkerPoseModel.create();
        List<PoseFrame> expected = new ArrayList<>();
        for (Frame f : decoded) {
            expected.add(model.analyse(f));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<PoseFrame>>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    List<PoseFrame> out = new ArrayList<>();
                    for (int i = 0; i < N; i += 8) {
                        out.addAll(model.infer(decoded.subList(i, Math.min(N, i + 8))));
                    }
                    return out;
                }));
            }
            for (Future<List<PoseFrame>> f : futures) {
                assertEquals(expected, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void contract() {
        MarkerPoseModel model = MarkerPoseModel.builder().maxBatchSize(2).build();
        assertEquals("cpu-marker-pose", model.name());
        assertEquals(2, model.maxBatchSize());
        assertEquals(List.of(), model.infer(Collections.emptyList()));
        assertThrows(IllegalArgumentException.class, () -> model.infer(decoded.subList(0, 3)));
        model.close();
        model.close();
        assertThrows(IllegalStateException.class, () -> model.infer(decoded.subList(0, 1)));
    }
}
