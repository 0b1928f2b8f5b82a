package dev.juggler.samples.console;

import dev.juggler.cluster.JobState;
import dev.juggler.ledger.ChunkQuery;
import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.JobQuery;
import dev.juggler.ledger.ReasonLike;
import dev.juggler.ledger.TimeWindow;
import dev.juggler.ledger.TrackQuery;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one table view shows: its filters, order, page and columns, parsed from the same keys whether they come
 * from command-line options ({@code juggler tracks --state FAILED}) or from the console's URL query
 * ({@code /tracks?state=FAILED}), so a view can be typed, bookmarked and shared alike. Immutable and
 * thread-safe.
 *
 * <p>Keys (all optional; an empty value counts as absent, as an empty form field does):
 * <ul>
 *   <li>{@code state}: a chunk state for tracks and chunks (tracks: {@code RUNNING} means {@code LEASED}), a job
 *       state for jobs; case-insensitive;</li>
 *   <li>{@code analysis} (tracks), {@code video} (tracks, chunks), {@code track} (chunks), {@code run} (jobs);</li>
 *   <li>{@code tag} (tracks, chunks; repeatable): {@code key=value}, all must match;</li>
 *   <li>{@code reason} (tracks, chunks): a {@link ReasonLike} pattern (case-insensitive substring, {@code *} and
 *       {@code ?} wildcards; every other character, SQL's included, is literal);</li>
 *   <li>{@code since}, {@code until}: an ISO-8601 instant ({@code 2026-01-31T12:00:00Z}), a date (UTC midnight)
 *       or a duration back from now ({@code 90s}, {@code 15m}, {@code 2h}, {@code 7d}, {@code 2w},
 *       {@code PT2H});</li>
 *   <li>{@code sort}: a sortable column key, {@code -key} for descending;</li>
 *   <li>{@code offset} (default 0), {@code limit} (default {@value #DEFAULT_LIMIT}, at most
 *       {@value #MAX_LIMIT});</li>
 *   <li>{@code columns}: a comma list of column keys ({@link TableViews#columns}); {@code tag:KEY} shows a
 *       video tag.</li>
 * </ul>
 *
 * @param kind the table
 * @param state the canonical state name filter ({@link ChunkState} or {@link JobState} name)
 * @param analysis tracks of this analysis only
 * @param video tracks or chunks of this video only
 * @param track chunks of this track only
 * @param run jobs of this run only
 * @param tags tags every row's video must carry, sorted by key
 * @param reason failure reason pattern
 * @param since the {@code since} text as given (kept so that a relative window stays relative in a URL)
 * @param until the {@code until} text as given
 * @param window the time window resolved when parsed
 * @param sort the sort column key (without {@code -})
 * @param descending whether the order is reversed
 * @param offset rows to skip
 * @param limit rows per page
 * @param columns the chosen column keys, in order; empty for the default set
 */
public record ViewParams(TableKind kind, Optional<String> state, Optional<String> analysis, Optional<String> video,
        Optional<Long> track, Optional<String> run, Map<String, String> tags, Optional<String> reason,
        Optional<String> since, Optional<String> until, TimeWindow window, String sort, boolean descending, long offset,
        int limit, List<String> columns) {

    /** Rows per page unless {@code limit} says otherwise. */
    public static final int DEFAULT_LIMIT = 50;
    /** The largest page. */
    public static final int MAX_LIMIT = 10_000;

    static final String STATE = "state";
    static final String ANALYSIS = "analysis";
    static final String VIDEO = "video";
    static final String TRACK = "track";
    static final String RUN = "run";
    static final String TAG = "tag";
    static final String REASON = "reason";
    static final String SINCE = "since";
    static final String UNTIL = "until";
    static final String SORT = "sort";
    static final String OFFSET = "offset";
    static final String LIMIT = "limit";
    static final String COLUMNS = "columns";

    private static final int MAX_TEXT = 1000;

    public ViewParams {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(analysis, "analysis");
        Objects.requireNonNull(video, "video");
        Objects.requireNonNull(track, "track");
        Objects.requireNonNull(run, "run");
        tags = Map.copyOf(tags);
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(until, "until");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(sort, "sort");
        columns = List.copyOf(columns);
    }

    /** The keys {@code kind} accepts, in the order the help lists them. */
    public static List<String> keys(TableKind kind) {
        return switch (kind) {
            case TRACKS -> List.of(STATE, ANALYSIS, VIDEO, TAG, REASON, SINCE, UNTIL, SORT, OFFSET, LIMIT, COLUMNS);
            case CHUNKS -> List.of(STATE, TRACK, VIDEO, TAG, REASON, SINCE, UNTIL, SORT, OFFSET, LIMIT, COLUMNS);
            case JOBS -> List.of(STATE, RUN, SINCE, UNTIL, SORT, OFFSET, LIMIT, COLUMNS);
        };
    }

    /** The first page of {@code kind} in its default order, without filters. */
    public static ViewParams defaults(TableKind kind) {
        return parse(kind, Map.of(), Clock.systemUTC());
    }

    /** {@link #parse(TableKind, Map, Clock)} with the system clock. */
    public static ViewParams parse(TableKind kind, Map<String, List<String>> raw) {
        return parse(kind, raw, Clock.systemUTC());
    }

    /**
     * Parses and checks the parameters of a view.
     *
     * @param raw key to values (repeated keys have several values); keys outside {@link #keys(TableKind)} are refused
     * @param clock resolves durations such as {@code since=2h}
     * @throws BadViewParameter naming the parameter, the value and what is allowed
     */
    public static ViewParams parse(TableKind kind, Map<String, List<String>> raw, Clock clock) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(clock, "clock");
        Map<String, List<String>> given = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : raw.entrySet()) {
            String key = Objects.requireNonNull(e.getKey(), "parameter key");
            if (!keys(kind).contains(key)) {
                throw BadViewParameter.of(key, null, "not a parameter of the " + kind.key() + " view", keys(kind));
            }
            List<String> values = e.getValue() == null ? List.of()
                    : e.getValue().stream().filter(v -> v != null && !v.isEmpty()).toList();
            if (!values.isEmpty()) {
                given.put(key, values);
            }
        }
        Optional<String> state = one(given, STATE).map(v -> state(kind, v));
        Optional<String> analysis = one(given, ANALYSIS).map(v -> text(ANALYSIS, v));
        Optional<String> video = one(given, VIDEO).map(v -> text(VIDEO, v));
        Optional<Long> track = one(given, TRACK).map(v -> number(TRACK, v, 0, Long.MAX_VALUE));
        Optional<String> run = one(given, RUN).map(v -> text(RUN, v));
        if (run.isPresent() && (run.get().isBlank() || run.get().length() > 200)) {
            throw BadViewParameter.of(RUN, run.get(), "a run key is 1..200 characters, not blank", List.of());
        }
        Map<String, String> tags = tags(given.getOrDefault(TAG, List.of()));
        Optional<String> reason = one(given, REASON).map(ViewParams::reason);
        Optional<String> since = one(given, SINCE);
        Optional<String> until = one(given, UNTIL);
        Optional<Instant> from = since.map(v -> TimeText.parse(SINCE, v, clock));
        Optional<Instant> to = until.map(v -> TimeText.parse(UNTIL, v, clock));
        if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
            throw BadViewParameter.of(UNTIL, until.get(), "must be later than since (" + from.get() + ")", List.of());
        }
        TimeWindow window = new TimeWindow(from, to);
        String sortText = one(given, SORT).orElse(Sorts.defaultSort(kind));
        boolean descending = sortText.startsWith("-");
        String sort = descending ? sortText.substring(1) : sortText;
        if (!Sorts.sortable(kind).contains(sort)) {
            throw BadViewParameter.of(SORT, sortText, "the " + kind.key() + " view cannot be sorted by that (prefix - to reverse)",
                    Sorts.sortable(kind));
        }
        long offset = one(given, OFFSET).map(v -> number(OFFSET, v, 0, Long.MAX_VALUE / 2)).orElse(0L);
        int limit = one(given, LIMIT).map(v -> number(LIMIT, v, 1, MAX_LIMIT)).orElse((long) DEFAULT_LIMIT).intValue();
        List<String> columns = one(given, COLUMNS).map(v -> columns(kind, v)).orElse(List.of());
        return new ViewParams(kind, state, analysis, video, track, run, tags, reason, since, until, window, sort, descending,
                offset, limit, columns);
    }

    /**
     * The parameters as keys and values again, leaving out defaults, so that {@code parse(kind, toRaw())} gives the
     * same view: what a console link or a bookmark carries.
     */
    public Map<String, List<String>> toRaw() {
        Map<String, List<String>> raw = new LinkedHashMap<>();
        state.ifPresent(v -> raw.put(STATE, List.of(v)));
        analysis.ifPresent(v -> raw.put(ANALYSIS, List.of(v)));
        video.ifPresent(v -> raw.put(VIDEO, List.of(v)));
        track.ifPresent(v -> raw.put(TRACK, List.of(Long.toString(v))));
        run.ifPresent(v -> raw.put(RUN, List.of(v)));
        if (!tags.isEmpty()) {
            raw.put(TAG, new TreeMap<>(tags).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        }
        reason.ifPresent(v -> raw.put(REASON, List.of(v)));
        since.ifPresent(v -> raw.put(SINCE, List.of(v)));
        until.ifPresent(v -> raw.put(UNTIL, List.of(v)));
        String sortText = (descending ? "-" : "") + sort;
        if (!sortText.equals(Sorts.defaultSort(kind))) {
            raw.put(SORT, List.of(sortText));
        }
        if (offset != 0) {
            raw.put(OFFSET, List.of(Long.toString(offset)));
        }
        if (limit != DEFAULT_LIMIT) {
            raw.put(LIMIT, List.of(Integer.toString(limit)));
        }
        if (!columns.isEmpty()) {
            raw.put(COLUMNS, List.of(String.join(",", columns)));
        }
        return raw;
    }

    /** The columns shown: the chosen ones, or the default set of the table. */
    public List<Column> chosenColumns() {
        if (columns.isEmpty()) {
            return TableViews.columns(kind);
        }
        List<Column> all = TableViews.columns(kind);
        List<Column> chosen = new ArrayList<>();
        for (String key : columns) {
            chosen.add(key.startsWith(Column.TAG_PREFIX) ? Column.tag(key.substring(Column.TAG_PREFIX.length()))
                    : all.stream().filter(c -> c.key().equals(key)).findFirst().orElseThrow());
        }
        return chosen;
    }

    /** The same view, another page. */
    public ViewParams withPage(long rowOffset, int rowLimit) {
        if (rowOffset < 0 || rowLimit < 1 || rowLimit > MAX_LIMIT) {
            throw new IllegalArgumentException("page " + rowOffset + "+" + rowLimit + ": offset >= 0, limit 1.." + MAX_LIMIT);
        }
        return new ViewParams(kind, state, analysis, video, track, run, tags, reason, since, until, window, sort, descending,
                rowOffset, rowLimit, columns);
    }

    /** The track query of a {@link TableKind#TRACKS} view. */
    public TrackQuery trackQuery() {
        require(TableKind.TRACKS);
        Sorts.Order<TrackQuery.Sort> order = Sorts.track(sort, descending);
        return new TrackQuery(video, analysis, state.map(ChunkState::valueOf), tags, reason, window, order.sort(),
                order.reversed(), offset, limit);
    }

    /** The chunk query of a {@link TableKind#CHUNKS} view. */
    public ChunkQuery chunkQuery() {
        require(TableKind.CHUNKS);
        Sorts.Order<ChunkQuery.Sort> order = Sorts.chunk(sort, descending);
        return new ChunkQuery(track, state.map(ChunkState::valueOf), video, tags, reason, window, order.sort(), order.reversed(),
                offset, limit);
    }

    /** The job query of a {@link TableKind#JOBS} view. */
    public JobQuery jobQuery() {
        require(TableKind.JOBS);
        return new JobQuery(run, state.map(JobState::valueOf), window, Sorts.job(sort, descending), offset, limit);
    }

    private void require(TableKind wanted) {
        if (kind != wanted) {
            throw new IllegalStateException("a " + kind.key() + " view has no " + wanted.key() + " query");
        }
    }

    private static Optional<String> one(Map<String, List<String>> given, String key) {
        List<String> values = given.get(key);
        if (values == null) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw BadViewParameter.of(key, values.get(1), "given " + values.size() + " times; give it once", List.of());
        }
        return Optional.of(values.get(0));
    }

    private static String state(TableKind kind, String value) {
        String name = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        List<String> allowed = kind == TableKind.JOBS ? Arrays.stream(JobState.values()).map(Enum::name).toList()
                : Arrays.stream(ChunkState.values()).map(Enum::name).toList();
        if (kind == TableKind.TRACKS && name.equals("RUNNING")) {
            return ChunkState.LEASED.name(); // a track is "running" while a chunk of it is leased
        }
        if (!allowed.contains(name)) {
            throw BadViewParameter.of(STATE, value, "not a state of the " + kind.key() + " view", allowed);
        }
        return name;
    }

    private static String text(String key, String value) {
        if (value.length() > MAX_TEXT) {
            throw BadViewParameter.of(key, value, "longer than " + MAX_TEXT + " characters", List.of());
        }
        return value;
    }

    private static String reason(String value) {
        try {
            return ReasonLike.require(value);
        } catch (IllegalArgumentException e) {
            throw BadViewParameter.of(REASON, value, e.getMessage() + " (* and ? are wildcards)", List.of());
        }
    }

    private static long number(String key, String value, long min, long max) {
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw BadViewParameter.of(key, value, "not a whole number", List.of());
        }
        if (n < min || n > max) {
            throw BadViewParameter.of(key, value, "must be in " + min + ".." + max, List.of());
        }
        return n;
    }

    private static Map<String, String> tags(List<String> values) {
        Map<String, String> tags = new TreeMap<>();
        for (String v : values) {
            int eq = v.indexOf('=');
            if (eq <= 0) {
                throw BadViewParameter.of(TAG, v, "write KEY=VALUE (e.g. camera=left)", List.of());
            }
            String key = text(TAG, v.substring(0, eq));
            if (tags.put(key, text(TAG, v.substring(eq + 1))) != null) {
                throw BadViewParameter.of(TAG, v, "the tag key is given twice; a video has one value per key", List.of());
            }
        }
        return tags;
    }

    private static List<String> columns(TableKind kind, String value) {
        List<String> known = TableViews.columns(kind).stream().map(Column::key).toList();
        LinkedHashSet<String> chosen = new LinkedHashSet<>();
        for (String part : value.split(",")) {
            String key = part.trim();
            if (key.isEmpty()) {
                continue;
            }
            boolean tag = key.startsWith(Column.TAG_PREFIX) && key.length() > Column.TAG_PREFIX.length()
                    && kind != TableKind.JOBS;
            if (!tag && !known.contains(key)) {
                List<String> allowed = new ArrayList<>(known);
                if (kind != TableKind.JOBS) {
                    allowed.add("tag:KEY");
                }
                throw BadViewParameter.of(COLUMNS, key, "not a column of the " + kind.key() + " view", allowed);
            }
            chosen.add(text(COLUMNS, key));
        }
        if (chosen.isEmpty()) {
            throw BadViewParameter.of(COLUMNS, value, "names no column", known);
        }
        return List.copyOf(chosen);
    }
}
