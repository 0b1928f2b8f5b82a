package dev.juggler.samples.console;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * Writes table rows in one of the command line's formats, a block of rows at a time, so that
 * {@code --all} streams any number of rows in bounded memory. Not thread-safe: one command writes.
 */
abstract class RowWriter {

    /** The command line's output formats. */
    enum Format {
        TABLE, CSV, JSON;

        static Format of(String text) {
            return valueOf(text.toUpperCase(Locale.ROOT));
        }
    }

    protected final List<Column> columns;
    protected final PrintWriter out;

    RowWriter(List<Column> columns, PrintWriter out) {
        this.columns = List.copyOf(columns);
        this.out = out;
    }

    static RowWriter of(Format format, List<Column> columns, PrintWriter out) {
        return switch (format) {
            case TABLE -> new TextTable(columns, out);
            case CSV -> new CsvRows(columns, out);
            case JSON -> new JsonRows(columns, out);
        };
    }

    /** Writes rows (the header first, on the first call). */
    abstract void rows(List<List<String>> rows);

    /** Ends the output (closes the JSON array), flushing it. */
    abstract void finish();
}
