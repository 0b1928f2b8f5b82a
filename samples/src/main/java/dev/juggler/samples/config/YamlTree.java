package dev.juggler.samples.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A YAML document read into a small tree that keeps the line and column of every key and value (Jackson's
 * {@code JsonNode} forgets them). Package-private; the nodes are immutable after parsing.
 */
final class YamlTree {

    private static final YAMLFactory FACTORY = YAMLFactory.builder().build();

    /** A 1-based position in the file. */
    record Loc(int line, int column) {
        static final Loc START = new Loc(1, 1);

        static Loc of(JsonLocation location) {
            return location == null ? START : new Loc(Math.max(location.getLineNr(), 0), Math.max(location.getColumnNr(), 0));
        }
    }

    sealed interface Node permits MapNode, ListNode, ScalarNode {
        Loc loc();

        default String kind() {
            return this instanceof MapNode ? "a map" : this instanceof ListNode ? "a list" : "a single value";
        }
    }

    /** A key of a map with where the key itself is written. */
    record Entry(String key, Loc keyLoc, Node value) {
    }

    record MapNode(Loc loc, Map<String, Entry> entries) implements Node {
    }

    record ListNode(Loc loc, List<Node> items) implements Node {
    }

    /** A scalar; {@code text} is {@code null} for YAML null ({@code key:} with nothing, {@code ~}, {@code null}). */
    record ScalarNode(Loc loc, String text, JsonToken token) implements Node {
        boolean isNull() {
            return text == null;
        }
    }

    private YamlTree() {
    }

    /**
     * Parses the first document of {@code yaml}. Duplicate keys are reported to {@code problems} (the first
     * one wins); a syntax error ends parsing with a problem at its position.
     *
     * @return the root map; empty for an empty document; {@code null} after a syntax error or if the root
     *     is not a map (reported)
     */
    static MapNode parse(String yaml, Problems problems) {
        try (JsonParser parser = FACTORY.createParser(yaml)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return new MapNode(Loc.START, Map.of());
            }
            Node root = read(parser, problems, "");
            if (root instanceof MapNode map) {
                return map;
            }
            if (root instanceof ScalarNode scalar && scalar.isNull()) {
                return new MapNode(Loc.START, Map.of());
            }
            problems.add(root.loc(), "", "the file must be a map of sections (ledger:, cluster:, ...), found "
                    + root.kind());
            return null;
        } catch (JsonProcessingException e) {
            syntaxError(e, problems);
            return null;
        } catch (IOException e) {
            problems.add(Loc.START, "", "cannot read the YAML: " + e.getClass().getSimpleName());
            return null;
        }
    }

    // The snakeyaml message quotes the offending line, which may hold a secret someone pasted: only the
    // problem's description and its position are shown.
    private static void syntaxError(JsonProcessingException e, Problems problems) {
        Throwable cause = e.getCause();
        if (cause instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
            String what = marked.getProblem() == null ? "invalid YAML" : marked.getProblem();
            String context = marked.getContext() == null ? "" : " (" + marked.getContext() + ")";
            problems.add(new Loc(marked.getProblemMark().getLine() + 1, marked.getProblemMark().getColumn() + 1), "",
                    "YAML syntax error: " + what + context + "; check the indentation and quoting there");
            return;
        }
        String what = e.getOriginalMessage();
        int cut = what == null ? -1 : what.indexOf('\n');
        what = what == null ? "invalid YAML" : cut >= 0 ? what.substring(0, cut) : what;
        problems.add(Loc.of(e.getLocation()), "", "YAML syntax error: " + what);
    }

    private static Node read(JsonParser parser, Problems problems, String path) throws IOException {
        JsonToken token = parser.currentToken();
        Loc loc = Loc.of(parser.currentTokenLocation());
        if (token == JsonToken.START_OBJECT) {
            Map<String, Entry> entries = new LinkedHashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                Loc keyLoc = Loc.of(parser.currentTokenLocation());
                parser.nextToken();
                String childPath = path.isEmpty() ? key : path + "." + key;
                Node value = read(parser, problems, childPath);
                if (entries.containsKey(key)) {
                    Entry first = entries.get(key);
                    problems.add(keyLoc, childPath, "duplicate key (first at line " + first.keyLoc().line()
                            + "); remove one of them");
                } else {
                    entries.put(key, new Entry(key, keyLoc, value));
                }
            }
            return new MapNode(loc, entries);
        }
        if (token == JsonToken.START_ARRAY) {
            List<Node> items = new ArrayList<>();
            int index = 0;
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                items.add(read(parser, problems, path + "[" + index++ + "]"));
            }
            return new ListNode(loc, items);
        }
        if (token == JsonToken.VALUE_NULL) {
            return new ScalarNode(loc, null, token);
        }
        return new ScalarNode(loc, parser.getText(), token);
    }
}
