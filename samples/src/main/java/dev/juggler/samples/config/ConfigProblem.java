package dev.juggler.samples.config;

import java.util.Objects;

/**
 * One problem found in a config file: where it is, which key, and what is wrong with the fix. Never holds a
 * secret. Immutable and thread-safe.
 *
 * @param source the file name (or another name for the text) as given to the parser
 * @param line 1-based line, {@code 0} if unknown
 * @param column 1-based column, {@code 0} if unknown
 * @param key the dotted key path, e.g. {@code cluster.ssh.port}; {@code videos[2].folder} for list items;
 *     empty for the whole file
 * @param message what is wrong, the bad value, and how to fix it
 */
public record ConfigProblem(String source, int line, int column, String key, String message) {

    public ConfigProblem {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(message, "message");
    }

    /** {@code file:line:column: key: message}, the form of compilers and linters (editors jump to it). */
    public String format() {
        return source + ":" + line + ":" + column + ": " + (key.isEmpty() ? "" : key + ": ") + message;
    }

    @Override
    public String toString() {
        return format();
    }
}
