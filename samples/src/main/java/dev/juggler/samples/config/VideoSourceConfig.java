package dev.juggler.samples.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One item of the {@code videos:} list: where to find video files and what to do with them. Immutable and
 * thread-safe.
 *
 * @param kind folder, glob, manifest or images
 * @param location the absolute folder, the absolute glob pattern, the absolute manifest file, or the absolute
 *     image folder
 * @param recursive (folder) also look in sub-folders; (images) every folder at or under the location that
 *     directly holds images is one video, not just the location itself
 * @param include (folder, glob) file names to take, a glob matched case-insensitively
 * @param tags a regular expression with named groups, matched ({@code find}) against the file's path; each
 *     group that matched becomes a tag
 * @param analyses the tracks to add for each video
 * @param priority the tracks' priority (higher first)
 * @param id how a video's id is made: {@code relative} (the path relative to the source's root folder),
 *     {@code name}, {@code stem}, or a template such as {@code {region}{film}_{perspective}}
 * @param fps (images) the frame rate of its image folders, given to each as its {@code fps} tag; empty: each
 *     folder's own {@code fps} file, else 25
 */
public record VideoSourceConfig(Kind kind, String location, boolean recursive, String include, Optional<String> tags,
        List<String> analyses, int priority, String id, Optional<String> fps) {

    /** Default {@code include}: common video file extensions. */
    public static final String DEFAULT_INCLUDE = "*.{mp4,m4v,mov,avi,mkv,webm,mts,m2ts,mpg,mpeg,wmv,flv}";
    /** Default {@code id} rule. */
    public static final String DEFAULT_ID = "relative";

    private static final Pattern GROUP_NAME = Pattern.compile("(?<!\\\\)\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");
    private static final Set<String> BUILT_IN = Set.of("relative", "name", "stem");

    /**
     * Where the source's videos are listed: video files in a folder, matching a glob, or listed in a CSV
     * manifest (whose paths may also name image folders); or image folders, each one video.
     */
    public enum Kind {
        FOLDER, GLOB, MANIFEST, IMAGES;

        /** The key in the config. */
        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public VideoSourceConfig {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(include, "include");
        Objects.requireNonNull(tags, "tags");
        analyses = List.copyOf(analyses);
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(fps, "fps");
    }

    /** The compiled {@link #tags()} expression. */
    public Optional<Pattern> tagPattern() {
        return tags.map(Pattern::compile);
    }

    /** The names of the tag expression's groups, in order. */
    public List<String> tagNames() {
        return tags.map(VideoSourceConfig::groupNames).orElse(List.of());
    }

    static List<String> groupNames(String regex) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = GROUP_NAME.matcher(regex);
        while (m.find()) {
            names.add(m.group(1));
        }
        return List.copyOf(names);
    }

    /**
     * The folder that ids are relative to: the folder, the glob's fixed prefix, the manifest's folder, or the
     * image folder's parent (so that an image folder's {@code relative} id starts with its own name).
     */
    public Path root() {
        return switch (kind) {
            case FOLDER -> Path.of(location);
            case IMAGES -> Path.of(location).getParent() == null ? Path.of(location) : Path.of(location).getParent();
            case MANIFEST -> Path.of(location).getParent();
            case GLOB -> {
                Path fixed = Path.of("/");
                for (Path part : Path.of(location)) {
                    if (part.toString().matches(".*[*?\\[{].*")) {
                        break;
                    }
                    fixed = fixed.resolve(part);
                }
                yield fixed;
            }
        };
    }

    static List<VideoSourceConfig> readAll(Section top, String defaultAnalysis) {
        List<VideoSourceConfig> out = new ArrayList<>();
        for (Section s : top.sections("videos")) {
            VideoSourceConfig v = read(s, defaultAnalysis);
            if (v != null) {
                out.add(v);
            }
        }
        return out;
    }

    private static VideoSourceConfig read(Section s, String defaultAnalysis) {
        List<String> given = new ArrayList<>();
        for (String k : List.of("folder", "glob", "manifest", "images")) {
            if (s.has(k)) {
                given.add(k);
            }
        }
        if (given.size() != 1) {
            s.error("", given.isEmpty() ? "needs one of folder:, glob:, manifest: or images:" : "has "
                    + String.join(" and ", given) + "; give exactly one of folder:, glob:, manifest: or images: per list item");
        }
        Kind kind = given.isEmpty() ? Kind.FOLDER : Kind.valueOf(given.get(0).toUpperCase(java.util.Locale.ROOT));
        Path location = s.localPath(kind.key(), Path.of("/"));
        if ((kind == Kind.FOLDER || kind == Kind.IMAGES) && given.size() == 1 && !java.nio.file.Files.isDirectory(location)) {
            s.error(kind.key(), Escape.quoted(location.toString()) + " is not a folder; write an existing folder");
        }
        if (kind == Kind.MANIFEST && given.size() == 1 && !java.nio.file.Files.isRegularFile(location)) {
            s.error("manifest", Escape.quoted(location.toString()) + " is not a file; write a CSV file with a path column");
        }
        boolean recursive = kind == Kind.FOLDER || kind == Kind.IMAGES ? s.bool("recursive", false) : false;
        String include = kind == Kind.MANIFEST || kind == Kind.IMAGES ? DEFAULT_INCLUDE : s.string("include", DEFAULT_INCLUDE);
        Optional<String> fps = Optional.empty();
        if (kind == Kind.IMAGES) {
            String rate = s.string("fps", null);
            if (rate != null && dev.juggler.inference.video.ImageFolders.parseFps(rate).isEmpty()) {
                s.error("fps", Section.show(rate) + " is not a frame rate; write one such as 25, 29.97 or 30000/1001");
            } else if (rate != null) {
                fps = Optional.of(rate.strip());
            }
        }
        try {
            java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + include);
        } catch (IllegalArgumentException e) {
            s.error("include", Section.show(include) + " is not a glob; write e.g. *.mp4 or *.{mp4,avi}");
            include = DEFAULT_INCLUDE;
        }
        Optional<String> tags = Optional.ofNullable(s.string("tags", null));
        if (tags.isPresent()) {
            try {
                Pattern.compile(tags.get());
                if (groupNames(tags.get()).isEmpty()) {
                    s.error("tags", Section.show(tags.get()) + " has no named group; write groups like (?<region>[A-Z]+)");
                }
            } catch (PatternSyntaxException e) {
                s.error("tags", "is not a regular expression: " + e.getDescription() + " at index " + e.getIndex());
                tags = Optional.empty();
            }
        }
        List<String> analyses = s.strings("analyses", List.of(defaultAnalysis));
        for (String a : analyses) {
            if (!WorkerConfig.ANALYSES.contains(a)) {
                s.error("analyses", Section.show(a) + " is not an analysis; write one of "
                        + String.join(", ", WorkerConfig.ANALYSES) + Suggest.didYouMean(a, WorkerConfig.ANALYSES));
            }
        }
        int priority = s.integer("priority", 0, -1_000_000, 1_000_000);
        String id = s.string("id", DEFAULT_ID).trim();
        checkId(s, id, tags.map(VideoSourceConfig::groupNames).orElse(List.of()));
        s.finish(java.util.Map.of("recursive", "recursive applies only to folder: and images:",
                "include", "include applies to folder: and glob:; a manifest lists its files, an image folder's frames are "
                        + "its image files", "fps", "fps applies only to images:; a manifest gives it in an fps column"));
        return new VideoSourceConfig(kind, location.toString(), recursive, include, tags, analyses, priority, id, fps);
    }

    private static void checkId(Section s, String id, List<String> groups) {
        if (BUILT_IN.contains(id)) {
            return;
        }
        Matcher m = PLACEHOLDER.matcher(id);
        boolean any = false;
        while (m.find()) {
            any = true;
            if (!BUILT_IN.contains(m.group(1)) && !groups.contains(m.group(1))) {
                s.error("id", "{" + Escape.visible(m.group(1)) + "} is neither relative, name, stem nor a named group of "
                        + "tags" + (groups.isEmpty() ? "" : " (" + String.join(", ", groups) + ")")
                        + Suggest.didYouMean(m.group(1), groups));
            }
        }
        if (!any) {
            s.error("id", Section.show(id) + " would give every video the same id; write relative, name, stem or a "
                    + "template with {placeholders}, e.g. {region}{film}_{perspective}");
        }
    }
}
