package dev.juggler.samples.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;

/**
 * Writes RFC 4180 CSV rows to a stream as they come: a field with a comma, a quote or a line break is
 * quoted with its quotes doubled; lines end in CRLF. A field that a spreadsheet would run as a formula
 * (starting with {@code = + - @}, or a tab or carriage return that some spreadsheets skip) gets a leading
 * {@code '} first, so that opening an export cannot execute data. Not thread-safe: one writer per response.
 */
final class ApiCsv {

    private final Writer out;

    ApiCsv(Writer out) {
        this.out = out;
    }

    /**
     * Writes one row.
     *
     * @throws UncheckedIOException when the client went away (it ends the stream early)
     */
    void row(List<String> fields) {
        try {
            for (int i = 0; i < fields.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                out.write(field(fields.get(i)));
            }
            out.write("\r\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One field, guarded and quoted as needed. */
    static String field(String value) {
        String v = value == null ? "" : value;
        if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
            v = "'" + v;
        }
        if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
            return '"' + v.replace("\"", "\"\"") + '"';
        }
        return v;
    }
}
