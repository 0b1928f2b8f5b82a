package dev.juggler.samples.console;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Rows as a JSON array of objects, one object per line, keyed by column key; numeric columns as numbers, absent
 * values as {@code null}. Written as the rows come (never built in memory). Control characters are escaped by the
 * generator, so the output is safe on a terminal too. Not thread-safe.
 */
final class JsonRows extends RowWriter {

    private final JsonGenerator json;
    private boolean started;

    JsonRows(List<Column> columns, PrintWriter out) {
        super(columns, out);
        try {
            json = new JsonFactory().createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        json.setPrettyPrinter(new OneObjectPerLine());
    }

    @Override
    void rows(List<List<String>> rows) {
        try {
            start();
            for (List<String> row : rows) {
                json.writeStartObject();
                for (int c = 0; c < columns.size(); c++) {
                    String key = columns.get(c).key();
                    String cell = row.get(c);
                    if (cell.isEmpty()) {
                        json.writeNullField(key);
                    } else if (TableViews.numeric(columns.get(c)) && cell.matches("-?\\d{1,18}")) {
                        json.writeNumberField(key, Long.parseLong(cell));
                    } else {
                        json.writeStringField(key, cell);
                    }
                }
                json.writeEndObject();
            }
            json.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    void finish() {
        try {
            start();
            json.writeEndArray();
            json.flush();
            out.println();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void start() throws IOException {
        if (!started) {
            started = true;
            json.writeStartArray();
        }
    }

    // "[\n{...},\n{...}\n]": readable, and each row a line for grep.
    private static final class OneObjectPerLine extends MinimalPrettyPrinter {
        private static final long serialVersionUID = 1L;

        @Override
        public void writeStartArray(JsonGenerator g) throws IOException {
            g.writeRaw("[\n");
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(",\n");
        }

        @Override
        public void writeEndArray(JsonGenerator g, int values) throws IOException {
            g.writeRaw(values == 0 ? "]" : "\n]");
        }
    }
}
