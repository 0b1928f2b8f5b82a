package dev.juggler.samples.config;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV: fields separated by commas, a field in double quotes may hold commas, line breaks and
 * doubled quotes ({@code ""}). A UTF-8 byte order mark is skipped; blank lines are dropped. Stateless.
 */
final class Csv {

    private Csv() {
    }

    /** One record with the 1-based line it starts on. */
    record Row(int line, List<String> fields) {
    }

    /** @throws IllegalArgumentException for a quote left open (naming its line) */
    static List<Row> parse(String text) {
        List<Row> rows = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean fieldStarted = false;
        int line = 1;
        int rowLine = 1;
        int quoteLine = 0;
        int start = text.startsWith("\uFEFF") ? 1 : 0;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    field.append(c);
                }
            } else if (c == '"' && field.length() == 0) {
                quoted = true;
                fieldStarted = true;
                quoteLine = line;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                fieldStarted = true;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                end(rows, fields, field, fieldStarted, rowLine);
                fields = new ArrayList<>();
                fieldStarted = false;
                line++;
                rowLine = line;
            } else {
                field.append(c);
                fieldStarted = true;
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("a quoted field opened on line " + quoteLine + " is never closed");
        }
        end(rows, fields, field, fieldStarted, rowLine);
        return rows;
    }

    private static void end(List<Row> rows, List<String> fields, StringBuilder field, boolean started, int line) {
        if (started || field.length() > 0 || !fields.isEmpty()) {
            fields.add(field.toString());
            rows.add(new Row(line, List.copyOf(fields)));
        }
        field.setLength(0);
    }
}
