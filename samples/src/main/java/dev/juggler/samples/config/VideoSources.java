package dev.juggler.samples.config;

import dev.juggler.samples.config.VideoCandidate.Refusal;
import dev.juggler.samples.config.VideoCandidate.ScanResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lists the video files of the {@code videos:} sources, without opening them: ids by each source's rule, tags
 * from its expression (and manifest columns). Hidden files and folders (names starting with {@code .}) are
 * skipped. An {@code images:} source lists image folders (each one video; see
 * {@link dev.juggler.inference.video.ImageFolders}), and a manifest's path may name one too. Stateless between
 * scans; thread-safe.
 */
public final class VideoSources {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");

    private final List<VideoSourceConfig> sources;

    /** @param sources the sources, scanned in this order */
    public VideoSources(List<VideoSourceConfig> sources) {
        this.sources = List.copyOf(sources);
    }

    /** The sources. */
    public List<VideoSourceConfig> sources() {
        return sources;
    }

    /** Scans every source. Ids used twice: the later file is refused. I/O problems become refusals. */
    public ScanResult scan() {
        List<VideoCandidate> candidates = new ArrayList<>();
        List<Refusal> refused = new ArrayList<>();
        Map<String, Path> seen = new HashMap<>();
        for (VideoSourceConfig source : sources) {
            List<VideoCandidate> found = switch (source.kind()) {
                case FOLDER, GLOB -> walk(source, refused);
                case MANIFEST -> manifest(source, refused);
                case IMAGES -> imageFolders(source, refused);
            };
            for (VideoCandidate c : found) {
                Path first = seen.putIfAbsent(c.id(), c.file());
                if (first != null) {
                    refused.add(new Refusal(c.file().toString(), "duplicate id " + c.id() + " (also " + first
                            + "); change the id rule so that ids are unique"));
                } else {
                    candidates.add(c);
                }
            }
        }
        return new ScanResult(candidates, refused);
    }

    private static List<VideoCandidate> walk(VideoSourceConfig source, List<Refusal> refused) {
        Path root = source.root();
        PathMatcher include = FileSystems.getDefault().getPathMatcher("glob:" + source.include().toLowerCase(Locale.ROOT));
        PathMatcher glob = source.kind() == VideoSourceConfig.Kind.GLOB
                ? FileSystems.getDefault().getPathMatcher("glob:" + source.location()) : null;
        int depth = source.kind() == VideoSourceConfig.Kind.FOLDER ? (source.recursive() ? Integer.MAX_VALUE : 1)
                : source.location().contains("**") ? Integer.MAX_VALUE : root.relativize(Path.of(source.location())).getNameCount();
        List<String> relative = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            refused.add(new Refusal(root.toString(), "is not a folder (" + source.kind().key() + " source)"));
            return List.of();
        }
        try {
            Files.walkFileTree(root, java.util.EnumSet.noneOf(java.nio.file.FileVisitOption.class), depth,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                            return !dir.equals(root) && hidden(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            if (!hidden(file) && Files.isRegularFile(file)
                                    && include.matches(Path.of(file.getFileName().toString().toLowerCase(Locale.ROOT)))
                                    && (glob == null || glob.matches(file))) {
                                relative.add(slashes(root.relativize(file)));
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            refused.add(new Refusal(file.toString(), "cannot be read (" + e.getClass().getSimpleName() + ")"));
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            refused.add(new Refusal(root.toString(), "cannot be listed (" + e.getClass().getSimpleName() + ")"));
        }
        relative.sort(dev.juggler.inference.video.ImageFolders.NATURAL_ORDER);
        List<VideoCandidate> out = new ArrayList<>();
        for (String rel : relative) {
            candidate(source, root.resolve(rel), rel, Map.of(), null, source.priority(), refused, out);
        }
        return out;
    }

    /**
     * The image folders of an {@code images:} source: the folder itself, or with {@code recursive} it and every
     * folder under it that directly holds images, in natural order of their paths.
     */
    private static List<VideoCandidate> imageFolders(VideoSourceConfig source, List<Refusal> refused) {
        Path top = Path.of(source.location());
        Path root = source.root();
        if (!Files.isDirectory(top)) {
            refused.add(new Refusal(top.toString(), "is not a folder (images source)"));
            return List.of();
        }
        List<String> relative = new ArrayList<>();
        try {
            Files.walkFileTree(top, java.util.EnumSet.noneOf(java.nio.file.FileVisitOption.class),
                    source.recursive() ? Integer.MAX_VALUE : 0, new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                            if (!dir.equals(top) && hidden(dir)) {
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            if (dev.juggler.inference.video.ImageFolders.holdsImages(dir)) {
                                relative.add(slashes(root.relativize(dir)));
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            // maxDepth 0 visits the top folder itself as a "file"
                            if (file.equals(top) && dev.juggler.inference.video.ImageFolders.holdsImages(file)) {
                                relative.add(slashes(root.relativize(file)));
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            refused.add(new Refusal(file.toString(), "cannot be read (" + e.getClass().getSimpleName() + ")"));
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            refused.add(new Refusal(top.toString(), "cannot be listed (" + e.getClass().getSimpleName() + ")"));
        }
        if (relative.isEmpty()) {
            refused.add(new Refusal(top.toString(), (source.recursive() ? "neither it nor a folder under it holds"
                    : "holds no") + " image files (" + String.join(", ", dev.juggler.inference.video.ImageFolders.EXTENSIONS)
                    + ")" + (source.recursive() ? "" : "; write recursive: true to take the folders under it")));
            return List.of();
        }
        relative.sort(dev.juggler.inference.video.ImageFolders.NATURAL_ORDER);
        Map<String, String> fps = source.fps().map(f -> Map.of(dev.juggler.inference.video.ImageFolders.FPS_TAG, f))
                .orElse(Map.of());
        List<VideoCandidate> out = new ArrayList<>();
        for (String rel : relative) {
            candidate(source, root.resolve(rel), rel, fps, null, source.priority(), refused, out);
        }
        return out;
    }

    private static List<VideoCandidate> manifest(VideoSourceConfig source, List<Refusal> refused) {
        Path file = Path.of(source.location());
        List<Csv.Row> rows;
        try {
            rows = Csv.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | IllegalArgumentException e) {
            refused.add(new Refusal(file.toString(), "cannot be read as CSV: " + (e instanceof IllegalArgumentException
                    ? e.getMessage() : e.getClass().getSimpleName())));
            return List.of();
        }
        if (rows.isEmpty()) {
            return List.of();
        }
        List<String> header = rows.get(0).fields().stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).toList();
        int pathColumn = header.indexOf("path");
        if (pathColumn < 0) {
            refused.add(new Refusal(file.toString(), "has no path column; its first line must be a header such as "
                    + "path,id,priority,region"));
            return List.of();
        }
        List<String[]> ordered = new ArrayList<>();
        List<VideoCandidate> out = new ArrayList<>();
        for (Csv.Row row : rows.subList(1, rows.size())) {
            String where = file.getFileName() + " line " + row.line();
            if (row.fields().size() != header.size()) {
                refused.add(new Refusal(where, "has " + row.fields().size() + " fields, the header " + header.size()));
                continue;
            }
            String path = row.fields().get(pathColumn).strip();
            if (path.isEmpty()) {
                refused.add(new Refusal(where, "has an empty path"));
                continue;
            }
            Map<String, String> tags = new LinkedHashMap<>();
            String id = null;
            Integer priority = source.priority();
            for (int i = 0; i < header.size(); i++) {
                String value = row.fields().get(i).strip();
                String name = rows.get(0).fields().get(i).strip();
                switch (header.get(i)) {
                    case "path" -> { }
                    case "id" -> id = value.isEmpty() ? null : value;
                    case "priority" -> {
                        try {
                            priority = value.isEmpty() ? priority : Integer.valueOf(value);
                        } catch (NumberFormatException e) {
                            refused.add(new Refusal(where, "priority " + value + " is not a whole number"));
                            priority = null;
                        }
                    }
                    default -> {
                        if (!value.isEmpty() && !name.isEmpty()) {
                            tags.put(name, value);
                        }
                    }
                }
            }
            if (priority == null) {
                continue;
            }
            Path video = file.getParent().resolve(path).normalize();
            if (!Files.isRegularFile(video) && !Files.isDirectory(video)) {
                refused.add(new Refusal(video.toString(), "is neither a file nor an image folder (" + where + ")"));
                continue;
            }
            String rel = slashes(Path.of(path).isAbsolute() ? video : file.getParent().relativize(video));
            candidate(source, video, rel, tags, id, priority, refused, out);
        }
        return out;
    }

    private static void candidate(VideoSourceConfig source, Path file, String relative, Map<String, String> columns,
            String givenId, int priority, List<Refusal> refused, List<VideoCandidate> out) {
        Map<String, String> tags = new LinkedHashMap<>(tags(source, relative));
        tags.putAll(columns);
        String id = givenId != null ? givenId : id(source.id(), relative, tags);
        if (id == null || id.isBlank()) {
            refused.add(new Refusal(file.toString(), "its id rule " + source.id() + " gives no id (a tag it needs did not "
                    + "match the path)"));
            return;
        }
        out.add(new VideoCandidate(id, file.toAbsolutePath().normalize(), tags, source.analyses(), priority));
    }

    /** The named groups of the source's tag expression that match {@code relativePath}. */
    static Map<String, String> tags(VideoSourceConfig source, String relativePath) {
        Map<String, String> tags = new LinkedHashMap<>();
        source.tagPattern().ifPresent(p -> {
            Matcher m = p.matcher(relativePath);
            if (m.find()) {
                for (String name : source.tagNames()) {
                    String value = m.group(name);
                    if (value != null) {
                        tags.put(name, value);
                    }
                }
            }
        });
        return tags;
    }

    /** Applies an id rule; {@code null} if a placeholder has no value. */
    static String id(String rule, String relative, Map<String, String> tags) {
        String name = relative.substring(relative.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        Map<String, String> values = new HashMap<>(tags);
        values.put("relative", relative);
        values.put("name", name);
        values.put("stem", stem);
        if (values.containsKey(rule) && (rule.equals("relative") || rule.equals("name") || rule.equals("stem"))) {
            return values.get(rule);
        }
        Matcher m = PLACEHOLDER.matcher(rule);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                return null;
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static boolean hidden(Path p) {
        return p.getFileName() != null && p.getFileName().toString().startsWith(".");
    }

    private static String slashes(Path relative) {
        return relative.toString().replace(java.io.File.separatorChar, '/');
    }
}
