package dev.juggler.samples.console;

import dev.juggler.samples.config.Escape;
import java.io.PrintWriter;
import java.util.List;

/**
 * Rows as aligned columns for a terminal: every cell escaped ({@link Escape#visible}), cut to
 * {@value #MAX_WIDTH} characters ({@code reason} cells twice that) with {@code …}, numbers right-aligned. The widths
 * come from the header and the first block of rows and stay fixed after it, so a streamed table stays aligned
 * without holding its rows. Not thread-safe.
 */
final class TextTable extends RowWriter {

    /** The widest a column gets; longer cells are cut. */
    static final int MAX_WIDTH = 40;

    private final int maxWidth;
    private int[] widths;

    TextTable(List<Column> columns, PrintWriter out) {
        this(columns, out, MAX_WIDTH);
    }

    /** A table whose cells are cut at {@code maxWidth} characters. */
    TextTable(List<Column> columns, PrintWriter out, int maxWidth) {
        super(columns, out);
        this.maxWidth = maxWidth;
    }

    @Override
    void rows(List<List<String>> rows) {
        if (widths == null) {
            widths = new int[columns.size()];
            for (int c = 0; c < columns.size(); c++) {
                int cap = cap(columns.get(c));
                widths[c] = Math.min(cap, length(columns.get(c).title()));
                for (List<String> row : rows) {
                    widths[c] = Math.max(widths[c], Math.min(cap, length(Escape.visible(row.get(c)))));
                }
            }
            line(columns.stream().map(Column::title).toList(), false);
        }
        for (List<String> row : rows) {
            line(row, true);
        }
        out.flush();
    }

    // A failure reason is what the operator reads the row for: give it twice the room.
    private int cap(Column column) {
        return column.key().equals("reason") ? Math.max(maxWidth, 2 * MAX_WIDTH) : maxWidth;
    }

    @Override
    void finish() {
        if (widths == null) {
            rows(List.of());
        }
        out.flush();
    }

    private void line(List<String> cells, boolean data) {
        StringBuilder s = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            String cell = cut(data ? Escape.visible(cells.get(c)) : cells.get(c), widths[c]);
            int pad = widths[c] - length(cell);
            boolean right = data && TableViews.numeric(columns.get(c));
            if (c > 0) {
                s.append("  ");
            }
            if (right) {
                s.append(" ".repeat(pad)).append(cell);
            } else {
                s.append(cell);
                if (c < cells.size() - 1) {
                    s.append(" ".repeat(pad));
                }
            }
        }
        out.println(s.toString().stripTrailing());
    }

    static String cut(String text, int width) {
        if (length(text) <= width) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, Math.max(0, width - 1))) + "…";
    }

    private static int length(String text) {
        return text.codePointCount(0, text.length());
    }
}
