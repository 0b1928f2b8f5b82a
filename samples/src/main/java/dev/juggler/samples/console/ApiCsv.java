package dev.juggler.samples.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;

/**
 * Writes CSV rows to a stream as they come, each cell as {@link CsvRows#cell} writes it for the command line
 * (RFC 4180 quoting, CRLF, a {@code '} before what a spreadsheet would run as a formula), so that an export
 * from the browser and one from {@code juggler tracks --format csv} are the same file. Not thread-safe: one
 * writer per response.
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
                out.write(CsvRows.cell(fields.get(i) == null ? "" : fields.get(i)));
            }
            out.write("\r\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
