package dev.juggler.samples.console;

import dev.juggler.samples.config.Escape;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Parses {@code --format} against the formats a command offers. Stateless; thread-safe. */
final class Formats {

    private Formats() {
    }

    static <E extends Enum<E>> E parse(OperatorCommand command, String text, E[] allowed) {
        for (E e : allowed) {
            if (e.name().equalsIgnoreCase(text.trim())) {
                return e;
            }
        }
        throw command.usage("--format = " + Escape.quoted(text) + ": not a format of this command; allowed: "
                + Arrays.stream(allowed).map(e -> e.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
    }
}
