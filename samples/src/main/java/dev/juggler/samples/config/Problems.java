package dev.juggler.samples.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects the problems of one file while it is read. Not thread-safe (one parse, one thread). */
final class Problems {
    private final String source;
    private final List<ConfigProblem> list = new ArrayList<>();

    Problems(String source) {
        this.source = source;
    }

    void add(YamlTree.Loc loc, String key, String message) {
        list.add(new ConfigProblem(source, loc.line(), loc.column(), key, message));
    }

    boolean isEmpty() {
        return list.isEmpty();
    }

    /** @throws ConfigException with every problem, in file order, if there is any */
    void throwIfAny() {
        if (!list.isEmpty()) {
            List<ConfigProblem> sorted = new ArrayList<>(list);
            sorted.sort(Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column));
            throw new ConfigException(sorted);
        }
    }
}
