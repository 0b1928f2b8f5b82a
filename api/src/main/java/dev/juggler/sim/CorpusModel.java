package dev.juggler.sim;

import dev.juggler.InvalidConfigException;
import dev.juggler.video.Video;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The videos of a run: {@code sessions} recording sessions, each filmed by every camera. Registered session
 * by session, so plan order is session order. Immutable and thread-safe.
 *
 * @param sessions recording sessions
 * @param cameras the cameras of each session, at least one
 */
public record CorpusModel(int sessions, List<Camera> cameras) {

    public CorpusModel {
        InvalidConfigException.requireInRange("corpus.sessions", sessions, 1, 10_000_000);
        cameras = List.copyOf(cameras);
        if (cameras.isEmpty()) {
            throw InvalidConfigException.of("corpus.cameras", cameras, "needs at least one camera");
        }
        if (cameras.stream().map(Camera::name).distinct().count() != cameras.size()) {
            throw InvalidConfigException.of("corpus.cameras", cameras, "names must differ");
        }
    }

    /**
     * One camera of every session.
     *
     * @param name its name (part of the video ids)
     * @param frames frames of one of its videos
     * @param bytes bytes of one of its videos
     * @param speedClass the worker speed class of its videos (a key of {@link WorkerModel#framesPerSecond()})
     */
    public record Camera(String name, long frames, long bytes, String speedClass) {
        public Camera {
            InvalidConfigException.requireNotBlank("corpus.cameras.name", name);
            if (frames < 1) {
                throw InvalidConfigException.of("corpus.cameras." + name + ".frames", frames, "must be >= 1");
            }
            if (bytes < 1) {
                throw InvalidConfigException.of("corpus.cameras." + name + ".bytes", bytes, "must be >= 1");
            }
            InvalidConfigException.requireNotBlank("corpus.cameras." + name + ".speedClass", speedClass);
        }
    }

    /** Every video, session by session, with frames counted in blocks of {@code quantum}. */
    List<Video> videos(long quantum) {
        List<Video> videos = new ArrayList<>();
        int digits = Integer.toString(sessions).length();
        for (int s = 1; s <= sessions; s++) {
            String session = String.format(Locale.ROOT, "s%0" + digits + "d", s);
            for (Camera camera : cameras) {
                String id = session + "-" + camera.name();
                long frames = Math.max(1, (camera.frames() + quantum - 1) / quantum);
                videos.add(new Video(id, "sim:/" + id, frames, 0, camera.bytes(),
                        Map.of("session", session, "camera", camera.name(), "speed", camera.speedClass())));
            }
        }
        return videos;
    }

    /** Frames of the whole corpus. */
    public long totalFrames() {
        return cameras.stream().mapToLong(Camera::frames).sum() * sessions;
    }
}
