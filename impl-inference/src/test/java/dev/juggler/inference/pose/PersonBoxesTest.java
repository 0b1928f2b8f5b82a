package dev.juggler.inference.pose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PersonBoxesTest {

    private static float[][] raw() {
        return new float[PersonBoxes.ANCHORS][4];
    }

    private static float[][] logits() {
        float[][] l = new float[PersonBoxes.ANCHORS][PersonBoxes.CLASSES];
        for (float[] a : l) {
            java.util.Arrays.fill(a, -20f);
        }
        return l;
    }

    private static void assertBox(float[] expected, PersonBoxes.Box actual) {
        float[] corners = actual.corners();
        for (int i = 0; i < 4; i++) {
            assertEquals(expected[i], corners[i], 0.01f, actual.toString());
        }
    }

    @Test
    void onlyThePersonClassCounts() {
        float[][] logits = logits();
        logits[0][PersonBoxes.PERSON - 1] = 10f; // a laptop, however sure
        logits[1][0] = 10f;                      // the background
        assertEquals(List.of(), PersonBoxes.decode(raw(), logits, 0.4f));
        logits[2][PersonBoxes.PERSON] = 0f;      // a person at 0.5
        assertEquals(1, PersonBoxes.decode(raw(), logits, 0.4f).size());
        assertEquals(0, PersonBoxes.decode(raw(), logits, 0.6f).size());
    }

    @Test
    void theFirstAnchorIsTheSmallSquareOfTheTopLeftCell() {
        float[][] logits = logits();
        logits[0][PersonBoxes.PERSON] = 5f;
        List<PersonBoxes.Box> found = PersonBoxes.decode(raw(), logits, 0.5f);
        assertEquals(1, found.size());
        assertEquals(1 / (1 + Math.exp(-5)), found.get(0).score(), 1e-6);
        // Cell (0, 0) of the 19x19 layer, centre 0.5 / 19 of 300 pixels; scale 0.1 of 300.
        float centre = 0.5f / 19 * 300;
        assertBox(new float[] {centre - 15, centre - 15, centre + 15, centre + 15}, found.get(0));
    }

    @Test
    void regressionsMoveTheCentreByTenthsOfTheAnchorAndScaleItsSidesExponentially() {
        float[][] raw = raw();
        float[][] logits = logits();
        // y, x, h, w: down by one anchor height, right by half a width, twice as tall, as wide.
        raw[0] = new float[] {10f, 5f, (float) (5 * Math.log(2)), 0f};
        logits[0][PersonBoxes.PERSON] = 5f;
        PersonBoxes.Box b = PersonBoxes.decode(raw, logits, 0.5f).get(0);
        float centre = 0.5f / 19 * 300;
        assertBox(new float[] {centre + 15 - 15, centre + 30 - 30, centre + 15 + 15, centre + 30 + 30}, b);
    }

    @Test
    void theLastAnchorCoversTheWholeInputAtTheInterpolatedScale() {
        float[][] logits = logits();
        logits[PersonBoxes.ANCHORS - 1][PersonBoxes.PERSON] = 5f;
        PersonBoxes.Box b = PersonBoxes.decode(raw(), logits, 0.5f).get(0);
        float half = (float) Math.sqrt(0.95 * 1.0) * 300 / 2;
        assertBox(new float[] {150 - half, 150 - half, 150 + half, 150 + half}, b);
    }

    @Test
    void nonFiniteRegressionsAreSkipped() {
        float[][] raw = raw();
        float[][] logits = logits();
        raw[0][0] = Float.NaN;
        raw[1][2] = 1e6f; // an infinite height
        logits[0][PersonBoxes.PERSON] = 5f;
        logits[1][PersonBoxes.PERSON] = 5f;
        assertEquals(List.of(), PersonBoxes.decode(raw, logits, 0.5f));
    }

    @Test
    void suppressionKeepsTheBestOfOverlappingBoxesAndAllSeparateOnes() {
        PersonBoxes.Box best = new PersonBoxes.Box(0.9f, 0, 0, 20, 60);
        PersonBoxes.Box shifted = new PersonBoxes.Box(0.7f, 2, 3, 22, 63);
        PersonBoxes.Box neighbour = new PersonBoxes.Box(0.6f, 15, 0, 35, 60); // shoulder to shoulder
        PersonBoxes.Box far = new PersonBoxes.Box(0.5f, 100, 100, 120, 160);
        assertEquals(List.of(best, neighbour, far), PersonBoxes.suppress(List.of(far, shifted, neighbour, best), 10));
        assertEquals(List.of(best, neighbour), PersonBoxes.suppress(List.of(far, shifted, neighbour, best), 2));
    }

    @Test
    void theFinestViewThatSawAPersonPlacesTheBox() {
        PersonBoxes.Box whole = new PersonBoxes.Box(0.54f, 579, 133, 604, 194, 2.56f); // whole frame: half on a neighbour
        PersonBoxes.Box tile = new PersonBoxes.Box(0.50f, 584, 134, 610, 196, 1.66f);
        PersonBoxes.Box finest = new PersonBoxes.Box(0.25f, 585, 134, 611, 196, 1.2f); // under half the best score
        PersonBoxes.Box neighbour = new PersonBoxes.Box(0.56f, 558, 126, 585, 197, 1.2f);
        List<PersonBoxes.Box> kept = PersonBoxes.suppress(List.of(whole, tile, finest, neighbour), 10);
        assertEquals(List.of(neighbour, new PersonBoxes.Box(0.54f, 584, 134, 610, 196, 1.66f)), kept,
                "the score of the best box, the corners of the finest that scores at least half of it");
        PersonBoxes.Box sameView = new PersonBoxes.Box(0.50f, 584, 134, 610, 196, 2.56f);
        assertEquals(List.of(whole), PersonBoxes.suppress(List.of(sameView, whole), 10), "no finer view: as it was");
    }

    @Test
    void aBoxPlacedInTheFrameKnowsHowCoarselyItWasSeen() {
        PersonBoxes.Box inInput = new PersonBoxes.Box(0.5f, 30, 60, 60, 120);
        PersonBoxes.Box inFrame = inInput.toFrame(new RoiTransform(2f, 0f, 100f, 0f, 2f, 50f));
        assertEquals(new PersonBoxes.Box(0.5f, 160, 170, 220, 290, 2f), inFrame);
    }

    @Test
    void suppressedBoxesNeverOverlapMuchAndComeBestFirst() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            List<PersonBoxes.Box> boxes = new ArrayList<>();
            for (int i = random.nextInt(30); i > 0; i--) {
                float x = random.nextFloat() * 200;
                float y = random.nextFloat() * 200;
                boxes.add(new PersonBoxes.Box(random.nextFloat(), x, y, x + 5 + random.nextFloat() * 50,
                        y + 5 + random.nextFloat() * 100, 1 + random.nextInt(3))); // seen in views of 3 scales
            }
            List<PersonBoxes.Box> kept = PersonBoxes.suppress(boxes, 10);
            assertTrue(kept.size() <= 10, "seed " + seed);
            assertTrue(boxes.isEmpty() == kept.isEmpty(), "seed " + seed);
            for (int i = 0; i < kept.size(); i++) {
                for (int j = i + 1; j < kept.size(); j++) {
                    assertTrue(kept.get(i).score() >= kept.get(j).score(), "seed " + seed);
                    assertTrue(PoseNms.iou(kept.get(i).corners(), kept.get(j).corners()) <= PersonBoxes.NMS_IOU,
                            "seed " + seed);
                }
            }
        }
    }

    @Test
    void aBoxPlacesAnUprightRegionAroundTheBody() {
        PoseRoi roi = PersonBoxes.roi(new PersonBoxes.Box(0.8f, 50, 100, 150, 300));
        assertEquals(100f, roi.cx(), 1e-4f);
        assertEquals(200f, roi.cy(), 1e-4f);
        assertEquals(200f * PoseRoi.SCALE, roi.side(), 1e-4f);
        assertEquals(0f, roi.rotation());
    }
}
