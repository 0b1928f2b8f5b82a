package dev.juggler.samples.config;

import dev.juggler.InvalidConfigException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A config file was rejected. Carries every problem found in the file (not just the first), each with its
 * line, column and key; the message lists them one per line in the {@link ConfigProblem#format()} form.
 * Never contains a secret. Always permanent. Immutable and thread-safe.
 */
public final class ConfigException extends InvalidConfigException {
    private static final long serialVersionUID = 1L;

    private final transient List<ConfigProblem> problems;

    /** @param problems at least one problem */
    public ConfigException(List<ConfigProblem> problems) {
        super(message(problems));
        this.problems = List.copyOf(problems);
    }

    /** A single problem. */
    public ConfigException(ConfigProblem problem) {
        this(List.of(problem));
    }

    /** The problems, in file order. */
    public List<ConfigProblem> problems() {
        return problems == null ? List.of() : problems;
    }

    private static String message(List<ConfigProblem> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        String head = problems.size() == 1 ? "1 problem in the config:" : problems.size() + " problems in the config:";
        return head + "\n" + problems.stream().map(ConfigProblem::format).collect(Collectors.joining("\n"));
    }
}
