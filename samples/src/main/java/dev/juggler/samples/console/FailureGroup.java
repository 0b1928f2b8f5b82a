package dev.juggler.samples.console;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Failed ranges whose reasons differ only in numbers, paths, ids and such: one cause, as an operator sees it
 * ({@code cannot decode frame <n> of <path>}). Immutable and thread-safe.
 *
 * @param id a short stable id: the first 8 hex digits of the SHA-256 of {@code pattern} (the same in every run
 *     and process, so a link or a {@code --group} argument keeps its meaning)
 * @param pattern the normalised reason ({@link FailureGroups#normalize})
 * @param chunks FAILED chunks in the group
 * @param frames their frames
 * @param tracks tracks they belong to, summed over the group's reasons (a track that failed with two of them
 *     counts twice)
 * @param firstSeen the earliest last change of its chunks
 * @param lastSeen the latest last change of its chunks
 * @param exampleTracks a few of their tracks, lowest id first
 * @param reasons the exact reasons of the group (what a re-schedule of the group matches)
 */
public record FailureGroup(String id, String pattern, long chunks, long frames, long tracks, Instant firstSeen,
        Instant lastSeen, List<Long> exampleTracks, Set<String> reasons) {

    public FailureGroup {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(firstSeen, "firstSeen");
        Objects.requireNonNull(lastSeen, "lastSeen");
        exampleTracks = List.copyOf(exampleTracks);
        reasons = Set.copyOf(reasons);
    }
}
