package dev.juggler.inference.pose;

import java.util.ArrayList;
import java.util.List;

/**
 * The output of MediaPipe's general object detector ({@code object_detection_ssd_mobilenetv2_oidv4_fp16.tflite},
 * an SSD MobileNetV2 trained on 24 Open Images classes) decoded without the model, for its "Person" class:
 * its 1,917 SSD anchors on a 300x300 input (6 layers, strides 16 to 512, five aspect ratios plus an
 * interpolated scale, three anchors per cell in the lowest layer), the box regression (centre scaled by 10,
 * size by 5 through an exponential) and sigmoid class scores, then non-maximum suppression.
 *
 * <p>Unlike the pose detector, which proposes a person from a face, this one sees whole bodies, so it finds
 * people seen from behind or from above and people whose face is a pixel or two. A box places a landmark
 * region ({@link #roi}): a square around the box, upright, as large as the body circle MediaPipe uses.
 * Pure arithmetic; thread-safe.
 */
final class PersonBoxes {

    /** Width and height of the detector input. */
    static final int SIZE = 300;
    /** Anchors of the detector (19x19x3 + (10x10 + 5x5 + 3x3 + 2x2 + 1x1) x 6). */
    static final int ANCHORS = 1917;
    /** Classes of the detector; index 0 is the background. */
    static final int CLASSES = 24;
    /** The "Person" class in the detector's label map ({@code ???, Bicycle, Boot, Laptop, Person, ...}). */
    static final int PERSON = 4;
    /** Intersection over union above which two boxes are one person (hard suppression, the best stays). */
    static final float NMS_IOU = 0.4f;
    /**
     * Share of a kept box's score from which a box on the same person in a finer view places it. On the
     * labelled {@code vtest.avi} frames 0.4 to 0.8 gave the same result; 1.0 (only a finer box scoring as high)
     * lost one person again (docs/benchmarks.md, pose).
     */
    static final float FINER_SCORE = 0.5f;

    private static final float[][] ANCHOR_BOXES = anchors();

    private PersonBoxes() {
    }

    /**
     * One person's box, {@code x0, y0} top left and {@code x1, y1} bottom right.
     *
     * @param score probability that this is a person
     * @param scale frame pixels per detector-input pixel of the view the box was seen in (1 in the input):
     *              how coarsely the detector saw it
     */
    record Box(float score, float x0, float y0, float x1, float y1, float scale) {
        /** A box seen in the detector input itself (scale 1). */
        Box(float score, float x0, float y0, float x1, float y1) {
            this(score, x0, y0, x1, y1, 1f);
        }

        /** This box in the frame, for a detector input that {@code toFrame} (axis-aligned) places there. */
        Box toFrame(RoiTransform toFrame) {
            float pixels = (float) Math.sqrt(Math.abs(toFrame.a() * toFrame.e() - toFrame.b() * toFrame.d()));
            return new Box(score, toFrame.x(x0, y0), toFrame.y(x0, y0), toFrame.x(x1, y1), toFrame.y(x1, y1),
                    scale * pixels);
        }

        float[] corners() {
            return new float[] {x0, y0, x1, y1};
        }

        private Box placedAs(Box finer) {
            return new Box(score, finer.x0, finer.y0, finer.x1, finer.y1, finer.scale);
        }
    }

    /**
     * The landmark model's region for a person in {@code box}: centred on the box, upright, with the side
     * of the box's longer edge times {@link PoseRoi#SCALE} (a standing person's box is about the diameter of
     * the body circle that MediaPipe's region encloses). The landmarks then place the region properly from
     * the next frame on.
     */
    static PoseRoi roi(Box box) {
        float side = Math.max(box.x1() - box.x0(), box.y1() - box.y0()) * PoseRoi.SCALE;
        return new PoseRoi((box.x0() + box.x1()) / 2f, (box.y0() + box.y1()) / 2f, side, 0f);
    }

    /**
     * Anchor boxes {@code cx, cy, h, w}, normalised: MediaPipe's SSD anchor rule with scales from 0.2 to
     * 0.95 over 6 layers, aspect ratios 1, 2, 1/2, 3, 1/3 and an interpolated scale per cell, and only
     * (0.1, 1), (scale, 2), (scale, 1/2) in the lowest layer.
     */
    private static float[][] anchors() {
        int[] strides = {16, 32, 64, 128, 256, 512};
        double[] ratios = {1.0, 2.0, 0.5, 3.0, 0.3333};
        double minScale = 0.2;
        double maxScale = 0.95;
        List<float[]> out = new ArrayList<>(ANCHORS);
        for (int layer = 0; layer < strides.length; layer++) {
            double scale = minScale + (maxScale - minScale) * layer / (strides.length - 1);
            double nextScale = layer == strides.length - 1 ? 1.0
                    : minScale + (maxScale - minScale) * (layer + 1) / (strides.length - 1);
            List<double[]> shapes = new ArrayList<>(); // {aspect ratio, scale}
            if (layer == 0) {
                shapes.add(new double[] {1.0, 0.1});
                shapes.add(new double[] {2.0, scale});
                shapes.add(new double[] {0.5, scale});
            } else {
                for (double ratio : ratios) {
                    shapes.add(new double[] {ratio, scale});
                }
                shapes.add(new double[] {1.0, Math.sqrt(scale * nextScale)});
            }
            int cells = (int) Math.ceil((double) SIZE / strides[layer]);
            for (int y = 0; y < cells; y++) {
                for (int x = 0; x < cells; x++) {
                    for (double[] shape : shapes) {
                        double root = Math.sqrt(shape[0]);
                        out.add(new float[] {(float) ((x + 0.5) / cells), (float) ((y + 0.5) / cells),
                            (float) (shape[1] / root), (float) (shape[1] * root)});
                    }
                }
            }
        }
        if (out.size() != ANCHORS) {
            throw new IllegalStateException(out.size() + " anchors, expected " + ANCHORS);
        }
        return out.toArray(new float[0][]);
    }

    /**
     * Decodes raw detector output ({@code [ANCHORS][4]} regressions in the order y, x, h, w, and
     * {@code [ANCHORS][CLASSES]} class logits) into person boxes in detector-input pixels scoring at least
     * {@code minScore}, unsuppressed.
     */
    static List<Box> decode(float[][] raw, float[][] logits, float minScore) {
        List<Box> out = new ArrayList<>();
        for (int i = 0; i < ANCHORS; i++) {
            float score = (float) (1.0 / (1.0 + Math.exp(-logits[i][PERSON])));
            if (!(score >= minScore)) {
                continue;
            }
            float[] r = raw[i];
            float[] a = ANCHOR_BOXES[i];
            float cy = r[0] / 10f * a[2] + a[1];
            float cx = r[1] / 10f * a[3] + a[0];
            float h = (float) Math.exp(r[2] / 5f) * a[2];
            float w = (float) Math.exp(r[3] / 5f) * a[3];
            if (!Float.isFinite(cx) || !Float.isFinite(cy) || !(w > 0 && h > 0) || !Float.isFinite(w * h)) {
                continue;
            }
            out.add(new Box(score, (cx - w / 2) * SIZE, (cy - h / 2) * SIZE, (cx + w / 2) * SIZE, (cy + h / 2) * SIZE));
        }
        return out;
    }

    /**
     * Hard non-maximum suppression across views: of boxes that overlap by more than {@link #NMS_IOU}, the
     * best-scored stays, placed where the finest view among them (the smallest {@link Box#scale}) scoring at
     * least {@link #FINER_SCORE} of it saw the person. A coarse view (the whole frame, squeezed into the input)
     * often scores a small person as high as a tile does but places the box several pixels off, half onto a
     * neighbour; the tile's box is where the person is. A box so placed that it overlaps one kept before it is
     * dropped too, so that kept boxes never overlap by more than {@link #NMS_IOU}. Returns at most {@code max},
     * best first.
     */
    static List<Box> suppress(List<Box> boxes, int max) {
        List<Box> sorted = new ArrayList<>(boxes);
        sorted.sort((a, b) -> Float.compare(b.score(), a.score()));
        List<Box> kept = new ArrayList<>();
        List<Box> winners = new ArrayList<>(); // as they scored, before placing
        for (Box b : sorted) {
            if (kept.size() >= max) {
                break;
            }
            float[] corners = b.corners();
            if (winners.stream().anyMatch(w -> PoseNms.iou(w.corners(), corners) > NMS_IOU)) {
                continue;
            }
            winners.add(b);
            Box placed = b;
            for (Box other : sorted) {
                if (other.scale() < placed.scale() && other.score() >= FINER_SCORE * b.score()
                        && PoseNms.iou(other.corners(), corners) > NMS_IOU) {
                    placed = b.placedAs(other);
                }
            }
            float[] at = placed.corners();
            if (kept.stream().noneMatch(k -> PoseNms.iou(k.corners(), at) > NMS_IOU)) {
                kept.add(placed);
            }
        }
        return kept;
    }
}
