package dev.juggler.ledger;

import dev.juggler.video.Video;
import java.util.Objects;
import java.util.Optional;

/**
 * A registered video with its staging state, as the ledger knows it. Immutable and thread-safe.
 *
 * @param video the registered video
 * @param stageState where it stands with respect to the workspace
 * @param stagedLocation where it is in the workspace, when staged
 * @param stageError the reason of the last staging failure, if any
 */
public record VideoRecord(Video video, StageState stageState, Optional<String> stagedLocation, Optional<String> stageError) {
    public VideoRecord {
        Objects.requireNonNull(video, "video");
        Objects.requireNonNull(stageState, "stageState");
        Objects.requireNonNull(stagedLocation, "stagedLocation");
        Objects.requireNonNull(stageError, "stageError");
    }
}
