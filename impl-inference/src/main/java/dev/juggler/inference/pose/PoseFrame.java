package dev.juggler.inference.pose;

import java.util.List;
import java.util.Objects;

/**
 * The people found in one frame (possibly none). Immutable and thread-safe.
 *
 * @param people the people, in the model's order; an unmodifiable copy
 */
public record PoseFrame(List<Person> people) {

    /** A frame in which nobody was found. */
    public static final PoseFrame EMPTY = new PoseFrame(List.of());

    /** Copies the list; {@code null} elements are rejected. */
    public PoseFrame {
        people = List.copyOf(Objects.requireNonNull(people, "people"));
    }

    /** A frame with these people. */
    public static PoseFrame of(Person... people) {
        return new PoseFrame(List.of(people));
    }

    /** {@code true} if nobody was found. */
    public boolean isEmpty() {
        return people.isEmpty();
    }
}
