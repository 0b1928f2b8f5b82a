package dev.juggler.inference.clean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HungarianTest {

    private static final double INF = Double.POSITIVE_INFINITY;

    @Test
    void matchesBruteForceOnRandomMatrices() {
        long base = 20_240_611L;
        for (int trial = 0; trial < 3000; trial++) {
            long seed = base + trial;
            Random rnd = new Random(seed);
            int n = rnd.nextInt(8);
            int m = rnd.nextInt(8);
            double forbidChance = rnd.nextInt(3) == 0 ? 0 : rnd.nextDouble() * 0.6;
            // Small integers make ties common, which is where a wrong augmenting path shows.
            boolean integers = rnd.nextBoolean();
            double[][] cost = new double[n][m];
            for (double[] row : cost) {
                for (int j = 0; j < m; j++) {
                    row[j] = rnd.nextDouble() < forbidChance ? INF
                            : integers ? rnd.nextInt(10) - 3 : rnd.nextDouble() * 100 - 20;
                }
            }
            try {
                check(cost);
            } catch (AssertionError e) {
                fail("seed " + seed + " (" + n + "x" + m + "): " + e.getMessage() + "\n" + Arrays.deepToString(cost), e);
            }
        }
    }

    @Test
    void knownSquareCase() {
        double[][] cost = {{4, 1, 3}, {2, 0, 5}, {3, 2, 2}};
        assertArrayEquals(new int[]{1, 0, 2}, Hungarian.assign(cost));
    }

    @Test
    void moreRowsThanColumnsLeavesTheCostliestOut() {
        double[][] cost = {{1}, {0.5}, {7}};
        assertArrayEquals(new int[]{-1, 0, -1}, Hungarian.assign(cost));
    }

    @Test
    void rowWithOnlyForbiddenOptionsGetsMinusOne() {
        double[][] cost = {{INF, INF}, {3, 1}};
        assertArrayEquals(new int[]{-1, 1}, Hungarian.assign(cost));
        assertArrayEquals(new int[]{-1, -1}, Hungarian.assign(new double[][]{{INF}, {INF}}));
    }

    @Test
    void prefersMoreAllowedPairsOverLowerCost() {
        // Row 0 taking column 0 (cost 0) would leave row 1 with nothing allowed.
        double[][] cost = {{0, 100}, {5, INF}};
        assertArrayEquals(new int[]{1, 0}, Hungarian.assign(cost));
    }

    @Test
    void emptyMatrices() {
        assertArrayEquals(new int[0], Hungarian.assign(new double[0][]));
        assertArrayEquals(new int[]{-1, -1}, Hungarian.assign(new double[2][0]));
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> Hungarian.assign(new double[][]{{1, 2}, {3}}));
        assertThrows(IllegalArgumentException.class, () -> Hungarian.assign(new double[][]{{Double.NaN}}));
        assertThrows(IllegalArgumentException.class, () -> Hungarian.assign(new double[][]{{Double.NEGATIVE_INFINITY}}));
    }

    @Test
    void aLargeMatrixGetsAValidAssignmentAndAPlantedOptimumIsFound() {
        long seed = 300;
        Random rnd = new Random(seed);
        int n = 300;
        double[][] cost = new double[n][n];
        for (double[] row : cost) {
            for (int j = 0; j < n; j++) {
                row[j] = rnd.nextDouble() < 0.1 ? INF : rnd.nextDouble() * 1000;
            }
        }
        int[] result = Hungarian.assign(cost);
        assertValid(cost, result);
        // A diagonal plant: the identity is the unique optimum when everything else costs more.
        double[][] planted = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                planted[i][j] = i == j ? 0 : 1 + rnd.nextDouble();
            }
        }
        int[] identity = Hungarian.assign(planted);
        for (int i = 0; i < n; i++) {
            assertEquals(i, identity[i], "seed " + seed + " row " + i);
        }
    }

    private static void check(double[][] cost) {
        int[] got = Hungarian.assign(cost);
        assertEquals(cost.length, got.length, "result length");
        assertValid(cost, got);
        double[] best = bruteForce(cost);
        assertEquals((int) best[0], assigned(got), "number of assigned rows");
        assertEquals(best[1], total(cost, got), 1e-7, "total cost of " + Arrays.toString(got));
    }

    private static void assertValid(double[][] cost, int[] got) {
        boolean[] used = new boolean[cost.length == 0 ? 0 : cost[0].length];
        for (int i = 0; i < got.length; i++) {
            int j = got[i];
            if (j < 0) {
                assertEquals(-1, j);
                continue;
            }
            assertTrue(!used[j], "column " + j + " assigned twice");
            used[j] = true;
            assertTrue(cost[i][j] != INF, "row " + i + " got forbidden column " + j);
        }
    }

    private static int assigned(int[] got) {
        return (int) Arrays.stream(got).filter(j -> j >= 0).count();
    }

    private static double total(double[][] cost, int[] got) {
        double sum = 0;
        for (int i = 0; i < got.length; i++) {
            if (got[i] >= 0) {
                sum += cost[i][got[i]];
            }
        }
        return sum;
    }

    /** Best (count, cost) over every partial assignment of allowed pairs: most pairs, then least cost. */
    private static double[] bruteForce(double[][] cost) {
        int m = cost.length == 0 ? 0 : cost[0].length;
        double[] best = {-1, INF};
        search(cost, 0, new boolean[m], 0, 0, best);
        return best;
    }

    private static void search(double[][] cost, int row, boolean[] used, int count, double sum, double[] best) {
        if (row == cost.length) {
            if (count > best[0] || (count == best[0] && sum < best[1])) {
                best[0] = count;
                best[1] = sum;
            }
            return;
        }
        search(cost, row + 1, used, count, sum, best);
        for (int j = 0; j < used.length; j++) {
            if (!used[j] && cost[row][j] != INF) {
                used[j] = true;
                search(cost, row + 1, used, count + 1, sum + cost[row][j], best);
                used[j] = false;
            }
        }
    }
}
