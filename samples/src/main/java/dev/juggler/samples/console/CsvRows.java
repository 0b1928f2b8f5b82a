package dev.juggler.samples.console;

import java.io.PrintWriter;
import java.util.List;

/**
 * Rows as RFC 4180 CSV: a header of column keys, CRLF line ends, a cell with a comma, quote or line break
 * quoted and its quotes doubled. A cell that a spreadsheet would run as a formula (starting with {@code =},
 * {@code +}, {@code -}, {@code @}, tab or CR) gets a leading {@code '}; other control characters are written as
 * {@code \xNN} so that a cell cannot drive a terminal. Not thread-safe.
 */
final class CsvRows extends RowWriter {

    private boolean header;

    CsvRows(List<Column> columns, PrintWriter out) {
        super(columns, out);
    }

    @Override
    void rows(List<List<String>> rows) {
        if (!header) {
            header = true;
            line(columns.stream().map(Column::key).toList());
        }
        rows.forEach(this::line);
        out.flush();
    }

    @Override
    void finish() {
        if (!header) {
            rows(List.of());
        }
        out.flush();
    }

    private void line(List<String> cells) {
        StringBuilder s = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            if (c > 0) {
                s.append(',');
            }
            s.append(cell(cells.get(c)));
        }
        out.print(s.append("\r\n"));
    }

    /** One cell, guarded against formula injection and quoted as RFC 4180 requires. */
    static String cell(String value) {
        StringBuilder v = new StringBuilder(value.length() + 2);
        if (!value.isEmpty() && "=+-@\t\r".indexOf(value.charAt(0)) >= 0) {
            v.append('\'');
        }
        value.codePoints().forEach(ch -> {
            if (ch < 0x20 && ch != '\n' && ch != '\r' && ch != '\t' || ch == 0x7f) {
                v.append(String.format("\\x%02x", ch));
            } else {
                v.appendCodePoint(ch);
            }
        });
        String text = v.toString();
        if (text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }
}
