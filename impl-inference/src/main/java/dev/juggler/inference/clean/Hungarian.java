package dev.juggler.inference.clean;

import java.util.Arrays;
import java.util.Objects;

/**
 * Optimal minimum-cost assignment of the rows of a rectangular cost matrix to its columns, in
 * {@code O(n² m)} time for an {@code n x m} matrix with {@code n <= m} (the matrix is transposed
 * internally otherwise), by shortest augmenting paths with row and column potentials.
 *
 * <p><b>Forbidden pairs.</b> An entry of {@link Double#POSITIVE_INFINITY} forbids that pair. The
 * result never assigns a forbidden pair: among all assignments that use only allowed pairs it picks
 * one with the largest number of assigned rows and, among those, the smallest total cost. A row whose
 * only options are forbidden (or taken by rows that have no alternative) gets {@code -1}.
 *
 * <p>Stateless and thread-safe; the input matrix is only read.
 */
public final class Hungarian {

    private Hungarian() {
    }

    /**
     * Assigns rows to columns at minimum total cost.
     *
     * @param cost {@code n} rows of equal length {@code m}; finite values or
     *             {@link Double#POSITIVE_INFINITY} (forbidden); {@code n} may be 0
     * @return {@code result[row]} = the column assigned to {@code row}, or {@code -1} when the row is
     *         left out (more rows than columns, or no allowed column remains for it)
     * @throws IllegalArgumentException for ragged rows, NaN, negative infinity, or finite costs so
     *                                  spread out that their total overflows a double
     */
    public static int[] assign(double[][] cost) {
        Objects.requireNonNull(cost, "cost");
        int n = cost.length;
        if (n == 0) {
            return new int[0];
        }
        int m = validate(cost);
        int[] result = new int[n];
        Arrays.fill(result, -1);
        if (m == 0) {
            return result;
        }
        boolean transpose = n > m;
        int rows = transpose ? m : n;
        int cols = transpose ? n : m;
        double[][] a = finiteCopy(cost, transpose, rows, cols);
        int[] colOfRow = solve(a, rows, cols);
        for (int r = 0; r < rows; r++) {
            int c = colOfRow[r];
            int row = transpose ? c : r;
            int col = transpose ? r : c;
            // The stand-in for a forbidden pair is only ever chosen when no allowed alternative exists.
            if (cost[row][col] != Double.POSITIVE_INFINITY) {
                result[row] = col;
            }
        }
        return result;
    }

    private static int validate(double[][] cost) {
        Objects.requireNonNull(cost[0], "cost[0]");
        int m = cost[0].length;
        for (int i = 0; i < cost.length; i++) {
            double[] row = Objects.requireNonNull(cost[i], () -> "cost row is null");
            if (row.length != m) {
                throw new IllegalArgumentException("cost row " + i + " has " + row.length
                        + " columns but row 0 has " + m + "; the matrix must be rectangular");
            }
            for (int j = 0; j < m; j++) {
                double v = row[j];
                if (Double.isNaN(v) || v == Double.NEGATIVE_INFINITY) {
                    throw new IllegalArgumentException("cost[" + i + "][" + j + "] = " + v
                            + "; use a finite cost, or +Infinity to forbid the pair");
                }
            }
        }
        return m;
    }

    /**
     * Shifts finite costs to start at 0 and replaces forbidden entries with one value larger than any
     * possible sum of finite costs, so that minimising the total first minimises the number of
     * forbidden pairs used and then the real cost. The shift changes every full assignment's total by
     * the same amount, so it does not change which one is optimal.
     */
    private static double[][] finiteCopy(double[][] cost, boolean transpose, int rows, int cols) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double[] row : cost) {
            for (double v : row) {
                if (v != Double.POSITIVE_INFINITY) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (min == Double.POSITIVE_INFINITY) {
            min = 0;
            max = 0;
        }
        double forbidden = (max - min + 1) * (rows + 1.0);
        if (!Double.isFinite(forbidden) || !Double.isFinite(forbidden * (rows + 1.0))) {
            throw new IllegalArgumentException("finite costs range from " + min + " to " + max
                    + ", too wide to add up; scale the costs down");
        }
        double[][] a = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double v = transpose ? cost[c][r] : cost[r][c];
                a[r][c] = v == Double.POSITIVE_INFINITY ? forbidden : v - min;
            }
        }
        return a;
    }

    /**
     * Potentials method for {@code rows <= cols}: adds one row at a time and augments along the
     * shortest path in reduced costs (Dijkstra over columns). Index 0 of the column arrays is a
     * virtual column that holds the row being inserted.
     */
    private static int[] solve(double[][] a, int rows, int cols) {
        double[] rowPot = new double[rows + 1];
        double[] colPot = new double[cols + 1];
        int[] rowOfCol = new int[cols + 1]; // 1-based row index; 0 = free column
        int[] prevCol = new int[cols + 1];
        double[] slack = new double[cols + 1];
        boolean[] visited = new boolean[cols + 1];
        for (int row = 1; row <= rows; row++) {
            rowOfCol[0] = row;
            int col = 0;
            Arrays.fill(slack, Double.POSITIVE_INFINITY);
            Arrays.fill(visited, false);
            do {
                visited[col] = true;
                int r = rowOfCol[col];
                double delta = Double.POSITIVE_INFINITY;
                int next = -1;
                for (int c = 1; c <= cols; c++) {
                    if (visited[c]) {
                        continue;
                    }
                    double reduced = a[r - 1][c - 1] - rowPot[r] - colPot[c];
                    if (reduced < slack[c]) {
                        slack[c] = reduced;
                        prevCol[c] = col;
                    }
                    if (slack[c] < delta) {
                        delta = slack[c];
                        next = c;
                    }
                }
                for (int c = 0; c <= cols; c++) {
                    if (visited[c]) {
                        rowPot[rowOfCol[c]] += delta;
                        colPot[c] -= delta;
                    } else {
                        slack[c] -= delta;
                    }
                }
                col = next;
            } while (rowOfCol[col] != 0);
            // Flip the alternating path back to the virtual column.
            do {
                int before = prevCol[col];
                rowOfCol[col] = rowOfCol[before];
                col = before;
            } while (col != 0);
        }
        int[] colOfRow = new int[rows];
        for (int c = 1; c <= cols; c++) {
            if (rowOfCol[c] != 0) {
                colOfRow[rowOfCol[c] - 1] = c - 1;
            }
        }
        return colOfRow;
    }
}
