package dev.juggler.stage;

import java.util.Objects;

/**
 * A video that is complete and verified in the workspace. Immutable and thread-safe.
 *
 * @param videoId the video's id
 * @param location where workers read it (a path on the cluster's file system)
 * @param sizeBytes its size in the workspace
 */
public record StagedVideo(String videoId, String location, long sizeBytes) {
    public StagedVideo {
        Objects.requireNonNull(videoId, "videoId");
        Objects.requireNonNull(location, "location");
    }
}
