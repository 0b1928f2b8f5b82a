package dev.juggler.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A list of listeners where one that throws is logged and ignored, so that an operator's dashboard bug
 * never stops the work. Internal; thread-safe.
 *
 * @param <L> the listener type
 */
public final class Listeners<L> {
    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

    private final List<L> listeners = new CopyOnWriteArrayList<>();

    public void add(L listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    public void addAll(List<L> all) {
        all.forEach(this::add);
    }

    /** {@code true} if somebody listens: callers skip building events otherwise. */
    public boolean isEmpty() {
        return listeners.isEmpty();
    }

    public void fire(Consumer<L> call) {
        for (L listener : listeners) {
            try {
                call.accept(listener);
            } catch (RuntimeException e) {
                LOG.warn("listener {} threw; ignored", listener, e);
            }
        }
    }
}
