package dev.juggler.samples.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A video file found by a scan, with the id, tags and tracks it will be registered with. Immutable and
 * thread-safe.
 *
 * @param id the video id (stable: made from the path by the source's id rule)
 * @param file the absolute file
 * @param tags the tags from the tag expression and manifest columns
 * @param analyses the tracks to add
 * @param priority the tracks' priority
 */
public record VideoCandidate(String id, Path file, Map<String, String> tags, List<String> analyses, int priority) {
    public VideoCandidate {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(file, "file");
        tags = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(tags));
        analyses = List.copyOf(analyses);
    }

    /**
     * A file that will not be registered, and why. Immutable and thread-safe.
     *
     * @param what the file (or manifest line, or folder) as found; show it with {@link Escape#quoted(String)}
     * @param reason why, with what to do
     */
    public record Refusal(String what, String reason) {
        public Refusal {
            Objects.requireNonNull(what, "what");
            Objects.requireNonNull(reason, "reason");
        }

        /** {@code "file": reason}, escaped for a terminal. */
        public String display() {
            return Escape.quoted(what) + ": " + Escape.visible(reason);
        }
    }

    /**
     * The outcome of a scan: the files to register, in order (sources in config order, files in natural
     * order), and the files refused. Immutable and thread-safe.
     */
    public record ScanResult(List<VideoCandidate> candidates, List<Refusal> refused) {
        public ScanResult {
            candidates = List.copyOf(candidates);
            refused = List.copyOf(refused);
        }
    }
}
