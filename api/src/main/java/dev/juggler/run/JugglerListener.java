package dev.juggler.run;

/**
 * Receives the juggler's events and status snapshots, on the juggler's threads. Must be fast; a
 * listener that throws is logged and ignored.
 */
public interface JugglerListener {

    default void onEvent(JugglerEvent event) {
    }

    default void onStatus(JugglerStatus status) {
    }
}
