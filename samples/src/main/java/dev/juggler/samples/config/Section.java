package dev.juggler.samples.config;

import dev.juggler.samples.config.YamlTree.Entry;
import dev.juggler.samples.config.YamlTree.ListNode;
import dev.juggler.samples.config.YamlTree.Loc;
import dev.juggler.samples.config.YamlTree.MapNode;
import dev.juggler.samples.config.YamlTree.Node;
import dev.juggler.samples.config.YamlTree.ScalarNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads one map of the config with typed getters. Every problem goes to the shared {@link Problems} with the
 * key path and position, and the getter returns the default so that reading goes on and all problems of the
 * file are found in one pass. {@link #finish()} reports the keys nobody asked for. Not thread-safe.
 */
final class Section {
    private final Problems problems;
    private final String path;
    private final MapNode node; // null when the section is absent
    private final Loc loc;
    private final Set<String> used = new HashSet<>();
    final ConfigContext context;

    Section(Problems problems, ConfigContext context, String path, MapNode node, Loc loc) {
        this.problems = problems;
        this.context = context;
        this.path = path;
        this.node = node;
        this.loc = node != null ? node.loc() : loc;
    }

    String path() {
        return path;
    }

    String key(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean present() {
        return node != null;
    }

    boolean has(String key) {
        used.add(key);
        Entry e = node == null ? null : node.entries().get(key);
        return e != null && !(e.value() instanceof ScalarNode s && s.isNull());
    }

    /** Where the value of {@code key} is written, or the section when it is absent. */
    Loc loc(String key) {
        Entry e = node == null ? null : node.entries().get(key);
        return e == null ? loc : e.value().loc();
    }

    Loc loc() {
        return loc;
    }

    void error(String key, String message) {
        problems.add(loc(key), key.isEmpty() ? path : key(key), message);
    }

    private Node value(String key) {
        used.add(key);
        Entry e = node == null ? null : node.entries().get(key);
        if (e == null || e.value() instanceof ScalarNode s && s.isNull()) {
            return null;
        }
        return e.value();
    }

    /** The text of a scalar, or {@code null} if absent or (reported) not a scalar. */
    String text(String key) {
        Node v = value(key);
        if (v == null) {
            return null;
        }
        if (v instanceof ScalarNode s) {
            return s.text();
        }
        error(key, "expected a single value, found " + v.kind());
        return null;
    }

    String string(String key, String def) {
        String t = text(key);
        return t == null ? def : t;
    }

    String required(String key, String why) {
        String t = text(key);
        if (t == null || t.isBlank()) {
            if (node != null && node.entries().get(key) != null && !(value(key) instanceof ScalarNode)) {
                return null; // already reported as the wrong kind
            }
            error(key, "is required" + (why.isEmpty() ? "" : ": " + why));
            return null;
        }
        return t;
    }

    /** Converts a value, reporting {@code "`value` <reason>"} when the converter throws. */
    <T> T convert(String key, T def, Function<String, T> converter) {
        String t = text(key);
        if (t == null) {
            return def;
        }
        try {
            return converter.apply(t.trim());
        } catch (IllegalArgumentException e) {
            error(key, show(t) + " " + e.getMessage());
            return def;
        }
    }

    long integer(String key, long def, long min, long max) {
        Long v = convert(key, null, t -> {
            try {
                return Long.parseLong(t.replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("is not a whole number; write one in " + min + ".." + max);
            }
        });
        if (v == null) {
            return def;
        }
        if (v < min || v > max) {
            error(key, v + " is out of range; write a number in " + min + ".." + max);
            return def;
        }
        return v;
    }

    double number(String key, double def, double min, double max) {
        Double v = convert(key, null, t -> {
            try {
                return Double.parseDouble(t.replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("is not a number; write one in " + min + ".." + max);
            }
        });
        if (v == null) {
            return def;
        }
        if (!(v >= min && v <= max)) {
            error(key, v + " is out of range; write a number in " + min + ".." + max);
            return def;
        }
        return v;
    }

    /** The keys of this map, in file order; all count as asked for. */
    List<String> keys() {
        if (node == null) {
            return List.of();
        }
        List<String> keys = new ArrayList<>(node.entries().keySet());
        used.addAll(keys);
        return keys;
    }

    int integer(String key, int def, int min, int max) {
        return (int) integer(key, (long) def, min, max);
    }

    boolean bool(String key, boolean def) {
        return convert(key, def, t -> switch (t.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("is not a boolean; write true or false");
        });
    }

    Duration duration(String key, Duration def, Duration min) {
        Duration d = convert(key, null, Units::parseDuration);
        if (d == null) {
            return def;
        }
        if (d.compareTo(min) < 0) {
            error(key, Units.formatDuration(d) + " is too short; write at least " + Units.formatDuration(min));
            return def;
        }
        return d;
    }

    long size(String key, long def, long min) {
        Long v = convert(key, null, Units::parseSize);
        if (v == null) {
            return def;
        }
        if (v < min) {
            error(key, show(text(key)) + " is too small; write at least " + Units.formatSize(min));
            return def;
        }
        return v;
    }

    String choice(String key, List<String> allowed, String def) {
        String t = text(key);
        if (t == null) {
            return def;
        }
        if (!allowed.contains(t.trim())) {
            error(key, show(t) + " is not allowed; write one of " + String.join(", ", allowed)
                    + Suggest.didYouMean(t.trim(), allowed));
            return def;
        }
        return t.trim();
    }

    /** A path on this machine: {@code ${VAR}} and {@code ~} expanded, relative paths against the config's folder. */
    java.nio.file.Path localPath(String key, java.nio.file.Path def) {
        String t = expanded(key);
        return t == null ? def : context.baseDir().resolve(t).normalize();
    }

    /** Text with {@code ${VAR}} and a leading {@code ~/} expanded (for paths); {@code null} if absent. */
    String expanded(String key) {
        String t = text(key);
        if (t == null) {
            return null;
        }
        try {
            return context.expand(t);
        } catch (IllegalArgumentException e) {
            error(key, e.getMessage());
            return null;
        }
    }

    /** A list of single values; one single value is taken as a list of one. */
    List<String> strings(String key, List<String> def) {
        Node v = value(key);
        if (v == null) {
            return def;
        }
        if (v instanceof ScalarNode s) {
            return List.of(s.text());
        }
        if (v instanceof ListNode list) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < list.items().size(); i++) {
                Node item = list.items().get(i);
                if (item instanceof ScalarNode s && !s.isNull()) {
                    out.add(s.text());
                } else {
                    problems.add(item.loc(), key(key) + "[" + i + "]", "expected a single value, found "
                            + (item instanceof ScalarNode ? "nothing" : item.kind()));
                }
            }
            return List.copyOf(out);
        }
        error(key, "expected a list, found " + v.kind());
        return def;
    }

    /** A map of single values (e.g. free-form options); insertion order kept. */
    Map<String, String> stringMap(String key) {
        Node v = value(key);
        Map<String, String> out = new LinkedHashMap<>();
        if (v instanceof MapNode map) {
            for (Entry e : map.entries().values()) {
                if (e.value() instanceof ScalarNode s && !s.isNull()) {
                    out.put(e.key(), s.text());
                } else {
                    problems.add(e.value().loc(), key(key) + "." + e.key(), "expected a single value");
                }
            }
        } else if (v != null) {
            error(key, "expected a map of key: value, found " + v.kind());
        }
        return out;
    }

    /** The nested map {@code key}; an absent section reads as empty (all defaults). */
    Section section(String key) {
        Node v = value(key);
        if (v != null && !(v instanceof MapNode)) {
            error(key, "expected a map of settings, found " + v.kind());
            v = null;
        }
        return new Section(problems, context, key(key), (MapNode) v, loc(key));
    }

    /** A list of maps, each as a section named {@code key[i]}. */
    List<Section> sections(String key) {
        Node v = value(key);
        List<Section> out = new ArrayList<>();
        if (v instanceof ListNode list) {
            for (int i = 0; i < list.items().size(); i++) {
                Node item = list.items().get(i);
                if (item instanceof MapNode map) {
                    out.add(new Section(problems, context, key(key) + "[" + i + "]", map, map.loc()));
                } else {
                    problems.add(item.loc(), key(key) + "[" + i + "]", "expected a map of settings (folder: ..., "
                            + "glob: ... or manifest: ...), found " + item.kind());
                }
            }
        } else if (v != null) {
            error(key, "expected a list (each item starts with '- '), found " + v.kind());
        }
        return out;
    }

    /**
     * Reports every key that no getter asked for, with a suggestion; {@code elsewhere} explains keys that
     * belong to another type of this section (e.g. {@code slots} under a slurm cluster).
     */
    void finish(Map<String, String> elsewhere) {
        if (node == null) {
            return;
        }
        for (Entry e : node.entries().values()) {
            if (used.contains(e.key())) {
                continue;
            }
            String hint = elsewhere.get(e.key());
            String message;
            if (hint != null) {
                message = "is not used here: " + hint;
            } else if (e.key().toLowerCase(java.util.Locale.ROOT).contains("password")) {
                message = "unknown key; passwords are never written in the config: use passwordEnv (an environment "
                        + "variable's name) or passwordFile (a file readable only by you)";
            } else {
                message = "unknown key" + Suggest.didYouMean(e.key(), used) + "; known keys here: "
                        + String.join(", ", new java.util.TreeSet<>(used));
            }
            problems.add(e.keyLoc(), key(e.key()), message);
        }
    }

    void finish() {
        finish(Map.of());
    }

    /** A value for a message: quoted, escaped and cut short. Never call with a secret. */
    static String show(String value) {
        return "`" + Escape.visible(value.length() > 80 ? value.substring(0, 80) + "…" : value) + "`";
    }
}
