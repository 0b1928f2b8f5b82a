package dev.juggler.samples.console;

import dev.juggler.ledger.LedgerReader;
import dev.juggler.ledger.ReasonCount;
import dev.juggler.ledger.RescheduleFilter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Groups failed ranges by cause: their reasons with the parts that vary from one failure to the next (numbers,
 * paths and file names, URLs, quoted strings, hex ids, UUIDs, times, durations, addresses) replaced by
 * placeholders, so that {@code cannot decode frame 1234 of /data/a b/x.mp4} and
 * {@code cannot decode frame 77 of /other/y.avi} both read {@code cannot decode frame <n> of <path>}.
 * Stateless; thread-safe.
 */
public final class FailureGroups {

    /** The most distinct reasons read; a ledger with more shows the groups of the most frequent ones. */
    public static final int MAX_REASONS = 10_000;
    /** Example tracks kept per group. */
    public static final int EXAMPLES = 5;
    /** A normalised reason is cut to this many characters (a stack trace is one cause, not thousands). */
    public static final int MAX_PATTERN = 300;

    private static final String FILE_EXTENSIONS = "mp4|m4v|avi|mkv|mov|webm|mpg|mpeg|wmv|flv|ts|mts|h264|h265|hevc|yuv|"
            + "json|jpg|jpeg|png|bmp|gif|tif|tiff|txt|csv|log|yaml|yml|xml|onnx|tflite|pt|pb|bin|dat|npy|db|tmp|out|err|sh|jar";
    private static final Pattern URL = Pattern.compile("(?i)\\b[a-z][a-z0-9+.-]*://[^\\s\"'<>]+");
    private static final Pattern DOUBLE_QUOTED = Pattern.compile("\"[^\"\\n]*\"");
    private static final Pattern BACK_QUOTED = Pattern.compile("`[^`\\n]*`");
    private static final Pattern SINGLE_QUOTED = Pattern.compile("(?<![\\p{L}\\p{N}])'[^'\\n]*'(?![\\p{L}\\p{N}])");
    private static final Pattern TIMESTAMP = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?");
    private static final Pattern CLOCK = Pattern.compile("\\b\\d{1,2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?\\b");
    private static final Pattern UUID = Pattern.compile(
            "\\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\b");
    private static final Pattern ADDRESS = Pattern.compile("\\b\\d{1,3}(?:\\.\\d{1,3}){3}(?::\\d{1,5})?\\b");
    private static final Pattern FILE = Pattern.compile(
            "(?<![\\p{L}\\p{N}_.+-])[\\p{L}\\p{N}_][\\p{L}\\p{N}_.+-]*\\.(?i:" + FILE_EXTENSIONS + ")(?![\\p{L}\\p{N}])");
    private static final Pattern HEX_PREFIXED = Pattern.compile("\\b0[xX][0-9a-fA-F]+\\b");
    private static final Pattern HEX = Pattern.compile("\\b(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\\d)[0-9a-fA-F]{6,}\\b");
    private static final Pattern DURATION = Pattern.compile(
            "\\b\\d+(?:\\.\\d+)?(?:\\s?(?:ns|us|µs|ms|sec|secs|seconds?|mins?|minutes?|hrs?|hours?|days?)|(?:s|m|h|d))\\b"
                    + "|\\bPT?(?:\\d+(?:\\.\\d+)?[DHMS])+\\b");
    private static final Pattern NUMBER = Pattern.compile("\\d+(?:[.,]\\d+)*");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    // A path ends at these (or at ": "), so "open /a/b: no such file" keeps its words.
    private static final String PATH_END = "\"'`<>|;,[]{}\n\r\t";
    private static final Pattern EXTENSION_END = Pattern.compile("\\.(?i:" + FILE_EXTENSIONS + ")(?![\\p{L}\\p{N}])");
    private static final String PATH_BEFORE = "=([{<,;:\"'`";

    private FailureGroups() {
    }

    /** The reason with its varying parts replaced by {@code <n>}, {@code <path>}, {@code <file>}, {@code <url>}… */
    public static String normalize(String reason) {
        if (reason == null || reason.isEmpty()) {
            return "";
        }
        String s = reason.length() > 20 * MAX_PATTERN ? reason.substring(0, 20 * MAX_PATTERN) : reason;
        s = URL.matcher(s).replaceAll("<url>");
        s = DOUBLE_QUOTED.matcher(s).replaceAll("<str>");
        s = BACK_QUOTED.matcher(s).replaceAll("<str>");
        s = SINGLE_QUOTED.matcher(s).replaceAll("<str>");
        s = TIMESTAMP.matcher(s).replaceAll("<time>");
        s = UUID.matcher(s).replaceAll("<id>");
        s = paths(s);
        s = ADDRESS.matcher(s).replaceAll("<addr>");
        s = CLOCK.matcher(s).replaceAll("<time>");
        s = FILE.matcher(s).replaceAll("<file>");
        s = HEX_PREFIXED.matcher(s).replaceAll("<hex>");
        s = HEX.matcher(s).replaceAll("<hex>");
        s = DURATION.matcher(s).replaceAll("<duration>");
        s = NUMBER.matcher(s).replaceAll("<n>");
        s = SPACES.matcher(s).replaceAll(" ").strip();
        return s.length() > MAX_PATTERN ? s.substring(0, MAX_PATTERN) + "…" : s;
    }

    /**
     * The failure groups of the ledger's FAILED chunks, most chunks first (then most frames, then by pattern),
     * from its {@value #MAX_REASONS} most frequent reasons.
     */
    public static List<FailureGroup> read(LedgerReader reader) {
        Map<String, List<ReasonCount>> byPattern = new LinkedHashMap<>();
        for (ReasonCount count : reader.failureReasons(MAX_REASONS)) {
            byPattern.computeIfAbsent(normalize(count.reason()), p -> new ArrayList<>()).add(count);
        }
        List<FailureGroup> groups = new ArrayList<>(byPattern.size());
        byPattern.forEach((pattern, counts) -> groups.add(merge(pattern, counts)));
        groups.sort(Comparator.comparingLong(FailureGroup::chunks).reversed()
                .thenComparing(Comparator.comparingLong(FailureGroup::frames).reversed())
                .thenComparing(FailureGroup::pattern));
        return List.copyOf(groups);
    }

    /**
     * The group named by {@code idOrIndex}: its {@link FailureGroup#id() id} (case-insensitive) or its 1-based
     * number in {@code groups} as listed.
     */
    public static Optional<FailureGroup> find(List<FailureGroup> groups, String idOrIndex) {
        String key = idOrIndex == null ? "" : idOrIndex.strip();
        if (key.matches("\\d{1,7}")) {
            int n = Integer.parseInt(key);
            if (n >= 1 && n <= groups.size()) {
                return Optional.of(groups.get(n - 1));
            }
        }
        return groups.stream().filter(g -> g.id().equalsIgnoreCase(key)).findFirst();
    }

    /** The re-schedule filter of exactly the group's FAILED chunks: those whose reason is one of its reasons. */
    public static RescheduleFilter filterOf(FailureGroup group) {
        return RescheduleFilter.all().andReasonIn(group.reasons());
    }

    /** The first 8 hex digits of the SHA-256 of {@code pattern} (UTF-8). */
    public static String idOf(String pattern) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(pattern.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static FailureGroup merge(String pattern, List<ReasonCount> counts) {
        long chunks = 0;
        long frames = 0;
        long tracks = 0;
        Instant first = null;
        Instant last = null;
        TreeSet<Long> examples = new TreeSet<>();
        Set<String> reasons = new HashSet<>();
        for (ReasonCount c : counts) {
            chunks += c.chunks();
            frames += c.frames();
            tracks += c.tracks();
            first = first == null || c.firstSeen().isBefore(first) ? c.firstSeen() : first;
            last = last == null || c.lastSeen().isAfter(last) ? c.lastSeen() : last;
            examples.addAll(c.exampleTracks());
            reasons.add(c.reason());
        }
        List<Long> few = examples.stream().limit(EXAMPLES).toList();
        return new FailureGroup(idOf(pattern), pattern, chunks, frames, tracks, first, last, few, reasons);
    }

    // Paths are found by hand: they may hold spaces ("/data/a b/x.mp4"), which no simple pattern tells from
    // the words around them. A path starts at a separator that follows a space or punctuation; see pathEnd.
    private static String paths(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            int start = pathStart(s, i);
            if (start < 0) {
                out.append(s.charAt(i));
                i++;
                continue;
            }
            int runEnd = i;
            while (runEnd < s.length() && PATH_END.indexOf(s.charAt(runEnd)) < 0
                    && !(s.charAt(runEnd) == ':' && runEnd > start && (runEnd + 1 == s.length() || s.charAt(runEnd + 1) == ' '))) {
                runEnd++;
            }
            int end = pathEnd(s, start, runEnd);
            while (end > start + 1 && s.charAt(end - 1) == ')' && count(s, start, end, '(') < count(s, start, end, ')')) {
                end--; // "(see /a/b.mp4)": the parenthesis is the sentence's, not the path's
            }
            while (end > start + 1 && s.charAt(end - 1) == '.') {
                end--; // the full stop of a sentence
            }
            out.append("<path>");
            i = end;
        }
        return out.toString();
    }

    // A path may hold spaces when it ends in a file name ("/data/a b/x.mp4", "/a/session 1.mkv": at most one
    // space after its last separator); without one it ends at the first space.
    private static int pathEnd(String s, int start, int runEnd) {
        java.util.regex.Matcher extension = EXTENSION_END.matcher(s).region(start, runEnd);
        if (extension.find() && extension.end() - start <= 300) {
            int lastSep = Math.max(s.lastIndexOf('/', extension.start()), s.lastIndexOf('\\', extension.start()));
            if (lastSep >= start && s.substring(lastSep, extension.start()).chars().filter(Character::isWhitespace).count() <= 1) {
                // Suffixes after the extension belong to the name too ("a.mp4.part", a staged "a.mp4.v.mp4").
                int end = extension.end();
                while (end < runEnd && !Character.isWhitespace(s.charAt(end))) {
                    end++;
                }
                return end;
            }
        }
        int end = start;
        while (end < runEnd && !Character.isWhitespace(s.charAt(end))) {
            end++;
        }
        return end;
    }

    private static int count(String s, int from, int to, char c) {
        int n = 0;
        for (int i = from; i < to; i++) {
            n += s.charAt(i) == c ? 1 : 0;
        }
        return n;
    }

    // Where a path begins at i ("/x", "\x", "~/x", "./x", "../x", "C:\x"), or -1.
    private static int pathStart(String s, int i) {
        if (i > 0) {
            char before = s.charAt(i - 1);
            if (!Character.isWhitespace(before) && PATH_BEFORE.indexOf(before) < 0) {
                return -1;
            }
        }
        int sep;
        if (s.startsWith("../", i) || s.startsWith("..\\", i)) {
            sep = i + 2;
        } else if (s.startsWith("./", i) || s.startsWith(".\\", i) || s.startsWith("~/", i)) {
            sep = i + 1;
        } else if (i + 2 < s.length() && Character.isLetter(s.charAt(i)) && s.charAt(i + 1) == ':' && s.charAt(i + 2) == '\\') {
            sep = i + 2;
        } else if (s.charAt(i) == '/' || s.charAt(i) == '\\') {
            sep = i;
        } else {
            return -1;
        }
        // A separator followed by a space or nothing ("a / b") is not a path.
        if (sep + 1 >= s.length() || Character.isWhitespace(s.charAt(sep + 1)) || PATH_END.indexOf(s.charAt(sep + 1)) >= 0) {
            return -1;
        }
        return i;
    }
}
