package dev.juggler.samples.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The table, CSV and JSON writers with hostile cells. */
class RowWritersTest {

    private static final List<Column> COLUMNS = List.of(new Column("track", "Track"), new Column("video", "Video"),
            new Column("tag:note", "note"));
    private static final List<List<String>> ROWS = List.of(List.of("1", "<img src=x onerror=alert(1)>", "=HYPERLINK(\"x\")"),
            List.of("22", "line\nbreak \u001b[31mred\u202e", ""), List.of("333", "a, \"quoted\" ünïcödé ✓", "-2+3"),
            List.of("4", "x".repeat(60), "@SUM(A1)"));

    private static String write(RowWriter.Format format, List<List<String>> rows) {
        StringWriter text = new StringWriter();
        RowWriter w = RowWriter.of(format, COLUMNS, new PrintWriter(text));
        w.rows(rows);
        w.finish();
        return text.toString();
    }

    @Test
    void csvQuotesAsRfc4180AndDefusesFormulas() {
        String csv = write(RowWriter.Format.CSV, ROWS);
        assertEquals("track,video,tag:note\r\n"
                + "1,<img src=x onerror=alert(1)>,\"'=HYPERLINK(\"\"x\"\")\"\r\n"
                + "22,\"line\nbreak \\x1b[31mred\u202e\",\r\n"
                + "333,\"a, \"\"quoted\"\" ünïcödé ✓\",'-2+3\r\n"
                + "4," + "x".repeat(60) + ",'@SUM(A1)\r\n", csv);
    }

    @Test
    void tableEscapesCutsAndAligns() {
        String table = write(RowWriter.Format.TABLE, ROWS);
        List<String> lines = table.lines().toList();
        assertEquals(5, lines.size(), table);
        assertTrue(lines.get(0).startsWith("Track  Video"), table);
        assertTrue(lines.get(2).contains("line\\nbreak \\x1b[31mred\\u202e"), table);
        assertFalse(table.contains("\u001b"), "no raw escape reaches the terminal");
        assertTrue(lines.get(4).contains("x".repeat(39) + "…"), table);
        assertFalse(lines.get(4).contains("x".repeat(40)), table);
        assertEquals("    1", lines.get(1).substring(0, 5), "numbers are right-aligned under the widest: " + table);
        int videoColumn = lines.get(0).indexOf("Video");
        for (String line : lines) {
            assertEquals(' ', line.charAt(videoColumn - 1), "aligned: " + table);
        }
    }

    @Test
    void aStreamedTableKeepsTheWidthsOfItsFirstBlock() {
        StringWriter text = new StringWriter();
        RowWriter w = RowWriter.of(RowWriter.Format.TABLE, COLUMNS, new PrintWriter(text));
        w.rows(ROWS.subList(0, 1));
        w.rows(ROWS.subList(3, 4));
        w.finish();
        List<String> lines = text.toString().lines().toList();
        assertEquals(lines.get(1).indexOf("=HYPERLINK"), lines.get(2).indexOf("@SUM"), text.toString());
        assertTrue(lines.get(2).contains("x".repeat(27) + "…"), text.toString());
    }

    @Test
    void jsonIsAnArrayOfObjectsWithNumbersAndNulls() throws Exception {
        String json = write(RowWriter.Format.JSON, ROWS);
        JsonNode array = new ObjectMapper().readTree(json);
        assertEquals(4, array.size());
        assertEquals(1, array.get(0).get("track").asLong());
        assertTrue(array.get(0).get("track").isNumber());
        assertEquals("<img src=x onerror=alert(1)>", array.get(0).get("video").asText());
        assertTrue(array.get(1).get("tag:note").isNull());
        assertEquals("line\nbreak \u001b[31mred\u202e", array.get(1).get("video").asText());
        assertFalse(json.contains("\u001b"), "control characters are escaped");
        assertEquals(6, json.lines().count(), "one object per line: " + json);
        StringWriter blocks = new StringWriter();
        RowWriter w = RowWriter.of(RowWriter.Format.JSON, COLUMNS, new PrintWriter(blocks));
        w.rows(ROWS.subList(0, 2));
        w.rows(ROWS.subList(2, 4));
        w.finish();
        assertEquals(json, blocks.toString(), "written block by block, the same document");
        assertEquals("[]", new ObjectMapper().readTree(write(RowWriter.Format.JSON, List.of())).toString());
    }
}
