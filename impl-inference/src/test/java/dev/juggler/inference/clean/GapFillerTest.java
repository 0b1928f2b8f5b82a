package dev.juggler.inference.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GapFillerTest {

    private static double[] series(int n, java.util.function.IntToDoubleFunction f) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = f.applyAsDouble(i);
        }
        return v;
    }

    @Test
    void aCubicTrajectoryIsRestoredExactlyWhereBothSidesHaveTwoPoints() {
        int n = 20;
        double[] x = series(n, i -> 0.01 * i * i * i - 0.3 * i * i + 2 * i + 5);
        double[] y = series(n, i -> 3 * i);
        double[] truthX = x.clone();
        double[] c = series(n, i -> 0.9);
        boolean[] filled = new boolean[n];
        for (int i = 6; i < 14; i++) {
            x[i] = 0;
            y[i] = 0;
            c[i] = 0;
        }
        assertEquals(8, GapFiller.fill(x, y, c, filled, 0, n, 10));
        for (int i = 6; i < 14; i++) {
            assertEquals(truthX[i], x[i], 1e-9, "frame " + i);
            assertEquals(3 * i, y[i], 1e-9);
            assertTrue(filled[i]);
            assertEquals(0.45, c[i], 1e-12, "half the lower neighbouring confidence");
        }
        assertFalse(filled[5]);
        assertFalse(filled[14]);
    }

    @Test
    void withoutAnOuterPointTheFillIsAStraightLine() {
        double[] x = {0, 0, 0, 0, 10};
        double[] y = {0, 0, 0, 0, 20};
        double[] c = {1, 0, 0, 0, 0.5};
        boolean[] filled = new boolean[5];
        assertEquals(3, GapFiller.fill(x, y, c, filled, 0, 5, 10));
        assertEquals(2.5, x[1], 1e-12);
        assertEquals(10, y[2], 1e-12);
        assertEquals(0.25, c[3], 1e-12);
    }

    @Test
    void longGapsAndGapsAtTheEndsStayEmpty() {
        int n = 40;
        double[] x = series(n, i -> i);
        double[] y = series(n, i -> i);
        double[] c = series(n, i -> 1);
        for (int i = 0; i < 3; i++) {
            c[i] = 0; // before the first observation: nothing to interpolate from
        }
        for (int i = 10; i < 21; i++) {
            c[i] = 0; // 11 missing > maxGap 10
        }
        for (int i = 35; i < n; i++) {
            c[i] = 0; // after the last observation
        }
        boolean[] filled = new boolean[n];
        assertEquals(0, GapFiller.fill(x, y, c, filled, 0, n, 10));
        for (int i = 0; i < n; i++) {
            assertFalse(filled[i], "frame " + i);
        }
        c[20] = 1; // now exactly 10 missing
        assertEquals(10, GapFiller.fill(x, y, c, filled, 0, n, 10));
    }

    @Test
    void maxGapZeroFillsNothing() {
        double[] x = {1, 0, 3};
        double[] c = {1, 0, 1};
        assertEquals(0, GapFiller.fill(x, x.clone(), c, new boolean[3], 0, 3, 0));
    }

    @Test
    void aFlickerInsideALongGapIsRemovedAndAnchorsNothing() {
        int n = 30;
        double[] x = series(n, i -> i);
        double[] c = series(n, i -> i < 5 || i >= 25 ? 1 : 0);
        c[12] = 0.8; // one frame seen in the middle of 20 missing ones (a mixed-up point, say)
        c[13] = 0.8;
        boolean[] filled = new boolean[n];
        assertEquals(0, GapFiller.fill(x, x.clone(), c, filled, 0, n, 10));
        assertEquals(0, c[12], "the flicker is gone");
        assertEquals(0, c[13]);
        double[] edge = series(n, i -> i >= 28 ? 1 : 0); // a short run at the end of the series is not a flicker
        GapFiller.fill(x, x.clone(), edge, new boolean[n], 0, n, 10);
        assertEquals(1, edge[29]);
    }
}
