package dev.juggler.ledger;

import dev.juggler.ledger.InMemoryLedgerState.Chunk;
import dev.juggler.ledger.InMemoryLedgerState.Track;
import dev.juggler.ledger.InMemoryLedgerState.VideoEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The operator views over an {@link InMemoryWorkLedger}: each call reads the ledger's state under its lock
 * (the job-record views go to its {@link InMemoryJobRecords} without it). Never shows a lease token.
 * Thread-safe.
 */
final class InMemoryLedgerReader implements LedgerReader {

    private static final int MAX_IDS = 10_000;

    private final InMemoryWorkLedger ledger;
    /** The ledger's state: read only inside {@code ledger.locked(...)}. */
    private final InMemoryLedgerState state;
    private final InMemoryJobRecords records;

    InMemoryLedgerReader(InMemoryWorkLedger ledger, InMemoryJobRecords records) {
        this.ledger = ledger;
        this.state = ledger.state;
        this.records = records;
    }

    // --- tracks ------------------------------------------------------------------------------------

    /** Frames by state of every track that has chunks. */
    private Map<Long, Map<ChunkState, Long>> sums() {
        Map<Long, Map<ChunkState, Long>> sums = new HashMap<>();
        for (Chunk chunk : state.chunks.values()) {
            sums.computeIfAbsent(chunk.trackId, k -> new EnumMap<>(ChunkState.class)).merge(chunk.state, chunk.frames(), Long::sum);
        }
        return sums;
    }

    private static ChunkState derivedState(Map<ChunkState, Long> sums) {
        return sums.getOrDefault(ChunkState.LEASED, 0L) > 0 ? ChunkState.LEASED
                : sums.getOrDefault(ChunkState.PENDING, 0L) > 0 ? ChunkState.PENDING
                : sums.getOrDefault(ChunkState.FAILED, 0L) > 0 ? ChunkState.FAILED : ChunkState.DONE;
    }

    private static TrackView view(Track track, Map<ChunkState, Long> sums) {
        return new TrackView(track.id(), track.videoId(), track.analysis(), track.range(), track.priority(),
                sums.getOrDefault(ChunkState.DONE, 0L), sums.getOrDefault(ChunkState.FAILED, 0L),
                sums.getOrDefault(ChunkState.LEASED, 0L), derivedState(sums));
    }

    @Override
    public Progress progress() {
        return ledger.locked(() -> {
            long[] byState = new long[ChunkState.values().length];
            Map<Long, Map<ChunkState, Long>> sums = sums();
            for (Track track : state.tracks.values()) {
                if (state.derivations.containsKey(track.id())) {
                    continue; // derived tracks are not work
                }
                byState[derivedState(sums.getOrDefault(track.id(), Map.of())).ordinal()]++;
            }
            return new Progress(byState[ChunkState.DONE.ordinal()], byState[ChunkState.FAILED.ordinal()],
                    byState[ChunkState.LEASED.ordinal()], byState[ChunkState.PENDING.ordinal()], state.estimate(),
                    framesPerSecondLastHour());
        });
    }

    /** As the JDBC ledger: the window starts an hour ago, or when the first track was added if that is later. */
    private double framesPerSecondLastHour() {
        long now = state.nowMillis();
        long windowStart = now - Progress.THROUGHPUT_WINDOW.toMillis();
        long firstTrack = state.tracks.values().stream().mapToLong(t -> t.createdAt().toEpochMilli()).min().orElse(windowStart);
        windowStart = Math.max(windowStart, firstTrack);
        long windowMillis = now - windowStart;
        if (windowMillis <= 0) {
            return 0;
        }
        long frames = 0;
        for (Chunk chunk : state.chunks.values()) {
            if (chunk.state == ChunkState.DONE && chunk.updatedAt.toEpochMilli() >= windowStart
                    && !state.derivations.containsKey(chunk.trackId)) {
                frames += chunk.frames();
            }
        }
        return frames * 1000.0 / windowMillis;
    }

    /** The tracks that match a query's filters, in its order. */
    private Stream<TrackView> matching(TrackQuery query) {
        Map<Long, Map<ChunkState, Long>> sums = sums();
        Map<Long, List<Chunk>> chunksOf = new HashMap<>();
        state.chunks.values().forEach(c -> chunksOf.computeIfAbsent(c.trackId, k -> new ArrayList<>()).add(c));
        Predicate<String> reason = reasonFilter(query.reasonLike());
        return state.tracks.values().stream()
                .filter(t -> query.videoId().map(t.videoId()::equals).orElse(true))
                .filter(t -> query.analysis().map(t.analysis()::equals).orElse(true))
                .filter(t -> hasTags(t.videoId(), query.tags()))
                .filter(t -> query.state().map(s -> s == derivedState(sums.getOrDefault(t.id(), Map.of()))).orElse(true))
                .filter(t -> query.reasonLike().isEmpty() || chunksOf.getOrDefault(t.id(), List.of()).stream()
                        .anyMatch(c -> c.state == ChunkState.FAILED && reason.test(c.failureReason)))
                .filter(t -> query.window().isAlways() || chunksOf.getOrDefault(t.id(), List.of()).stream()
                        .anyMatch(c -> query.window().contains(c.updatedAt)))
                .map(t -> view(t, sums.getOrDefault(t.id(), Map.of())))
                .sorted(order(query));
    }

    private static Comparator<TrackView> order(TrackQuery query) {
        Comparator<TrackView> byId = Comparator.comparingLong(TrackView::trackId);
        Comparator<TrackView> order = switch (query.sort()) {
            case ID -> byId;
            case VIDEO -> Comparator.comparing(TrackView::videoId).thenComparing(byId);
            case ANALYSIS -> Comparator.comparing(TrackView::analysis).thenComparing(byId);
            // reversed, it is by ascending priority, but ties stay by ascending id
            case PRIORITY_DESC -> Comparator.comparingInt(TrackView::priority).reversed().thenComparing(byId);
        };
        if (!query.descending()) {
            return order;
        }
        return query.sort() == TrackQuery.Sort.PRIORITY_DESC ? Comparator.comparingInt(TrackView::priority).thenComparing(byId)
                : order.reversed();
    }

    private boolean hasTags(String videoId, Map<String, String> wanted) {
        if (wanted.isEmpty()) {
            return true;
        }
        Map<String, String> tags = state.videos.get(videoId).video.tags();
        return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(tags.get(e.getKey())));
    }

    /** A {@link ReasonLike} test of a failure reason (a chunk without one never matches). */
    private static Predicate<String> reasonFilter(Optional<String> pattern) {
        if (pattern.isEmpty()) {
            return r -> true;
        }
        Pattern regex = ReasonLike.toRegex(pattern.get());
        return r -> r != null && regex.matcher(r).find();
    }

    @Override
    public List<TrackView> tracks(TrackQuery query) {
        Objects.requireNonNull(query, "query");
        return ledger.locked(() -> matching(query).skip(query.offset()).limit(query.limit()).toList());
    }

    @Override
    public Optional<TrackView> track(long trackId) {
        return ledger.locked(() -> Optional.ofNullable(state.tracks.get(trackId))
                .map(t -> view(t, sums().getOrDefault(t.id(), Map.of()))));
    }

    @Override
    public long countTracks(TrackQuery query) {
        Objects.requireNonNull(query, "query");
        return ledger.locked(() -> matching(query).limit(COUNT_LIMIT + 1).count());
    }

    // --- chunks ------------------------------------------------------------------------------------

    private Stream<Chunk> matching(ChunkQuery query) {
        Predicate<String> reason = reasonFilter(query.reasonLike());
        return state.chunks.values().stream()
                .filter(c -> query.trackId().map(id -> id == c.trackId).orElse(true))
                .filter(c -> query.state().map(s -> s == c.state).orElse(true))
                .filter(c -> query.videoId().map(state.tracks.get(c.trackId).videoId()::equals).orElse(true))
                .filter(c -> hasTags(state.tracks.get(c.trackId).videoId(), query.tags()))
                .filter(c -> query.reasonLike().isEmpty() || (c.state == ChunkState.FAILED && reason.test(c.failureReason)))
                .filter(c -> query.window().contains(c.updatedAt))
                .sorted(order(query));
    }

    private static Comparator<Chunk> order(ChunkQuery query) {
        Comparator<Chunk> byId = Comparator.comparingLong(c -> c.id);
        Comparator<Chunk> order = switch (query.sort()) {
            case UPDATED_DESC -> Comparator.<Chunk, Instant>comparing(c -> c.updatedAt).thenComparing(byId).reversed();
            case ID -> byId;
            case ATTEMPTS_DESC -> Comparator.<Chunk>comparingInt(c -> c.attempts).thenComparing(byId).reversed();
            case TRACK_FRAME -> Comparator.<Chunk>comparingLong(c -> c.trackId).thenComparingLong(c -> c.from);
        };
        return query.descending() ? order.reversed() : order;
    }

    private ChunkView view(Chunk chunk) {
        boolean leased = chunk.state == ChunkState.LEASED;
        return new ChunkView(chunk.id, chunk.trackId, state.tracks.get(chunk.trackId).videoId(), dev.juggler.video.FrameRange.of(
                chunk.from, chunk.to), chunk.state, chunk.attempts, chunk.checkpoint,
                leased ? Optional.ofNullable(chunk.owner) : Optional.empty(), leased ? Optional.ofNullable(chunk.job) : Optional.empty(),
                leased ? Optional.ofNullable(chunk.expiresAt) : Optional.empty(), Optional.ofNullable(chunk.failureReason),
                chunk.updatedAt);
    }

    @Override
    public List<ChunkView> chunks(ChunkQuery query) {
        Objects.requireNonNull(query, "query");
        return ledger.locked(() -> matching(query).skip(query.offset()).limit(query.limit()).map(this::view).toList());
    }

    @Override
    public long countChunks(ChunkQuery query) {
        Objects.requireNonNull(query, "query");
        return ledger.locked(() -> matching(query).limit(COUNT_LIMIT + 1).count());
    }

    @Override
    public Map<String, Long> leasedFramesByJob() {
        return ledger.locked(() -> {
            Map<String, Long> held = new HashMap<>();
            for (Chunk chunk : state.chunks.values()) {
                if (chunk.state == ChunkState.LEASED && chunk.job != null) {
                    held.merge(chunk.job, chunk.frames(), Long::sum);
                }
            }
            return held;
        });
    }

    // --- tags, failures, history, throughput -------------------------------------------------------

    @Override
    public Map<String, Map<String, String>> videoTags(Collection<String> videoIds) {
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(videoIds));
        if (ids.size() > MAX_IDS) {
            throw new IllegalArgumentException(ids.size() + " video ids: at most " + MAX_IDS + " per call");
        }
        return ledger.locked(() -> {
            Map<String, Map<String, String>> tags = new HashMap<>();
            for (String id : ids) {
                VideoEntry video = state.videos.get(id);
                if (video != null && !video.video.tags().isEmpty()) {
                    tags.put(id, new TreeMap<>(video.video.tags()));
                }
            }
            return tags;
        });
    }

    @Override
    public List<String> tagKeys() {
        return ledger.locked(() -> {
            TreeSet<String> keys = new TreeSet<>();
            state.videos.values().forEach(v -> keys.addAll(v.video.tags().keySet()));
            return List.copyOf(keys);
        });
    }

    @Override
    public List<ReasonCount> failureReasons(int limit) {
        if (limit < 1 || limit > MAX_IDS) {
            throw new IllegalArgumentException("limit = " + limit + ": must be in 1.." + MAX_IDS);
        }
        return ledger.locked(() -> {
            Map<String, List<Chunk>> byReason = new HashMap<>();
            for (Chunk chunk : state.chunks.values()) {
                if (chunk.state == ChunkState.FAILED) {
                    byReason.computeIfAbsent(chunk.failureReason == null ? "" : chunk.failureReason, k -> new ArrayList<>()).add(chunk);
                }
            }
            List<ReasonCount> counts = new ArrayList<>();
            byReason.forEach((reason, failed) -> {
                TreeSet<Long> tracks = new TreeSet<>();
                failed.forEach(c -> tracks.add(c.trackId));
                Instant first = failed.stream().map(c -> c.updatedAt).min(Comparator.naturalOrder()).orElseThrow();
                Instant last = failed.stream().map(c -> c.updatedAt).max(Comparator.naturalOrder()).orElseThrow();
                counts.add(new ReasonCount(reason, failed.size(), failed.stream().mapToLong(Chunk::frames).sum(), tracks.size(), first,
                        last, tracks.size() == 1 ? List.of(tracks.first()) : List.of(tracks.first(), tracks.last())));
            });
            counts.sort(Comparator.comparingLong(ReasonCount::chunks).reversed().thenComparing(ReasonCount::reason));
            return List.copyOf(counts.subList(0, Math.min(limit, counts.size())));
        });
    }

    @Override
    public List<ChunkEvent> history(long trackId, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit = " + limit + ": must be >= 1");
        }
        return ledger.locked(() -> state.history.stream().filter(e -> e.trackId() == trackId).limit(limit).toList());
    }

    @Override
    public List<ThroughputPoint> throughput(Instant from, Duration bucket) {
        Objects.requireNonNull(from, "from");
        long bucketMillis = bucket.toMillis();
        long now = state.nowMillis();
        long start = from.toEpochMilli();
        if (bucketMillis < 1_000 || start >= now) {
            throw new IllegalArgumentException("throughput from " + from + " by " + bucket + ": needs a past start and a bucket >= 1 s");
        }
        int buckets = Math.toIntExact((now - start + bucketMillis - 1) / bucketMillis);
        if (buckets > 10_000) {
            throw new IllegalArgumentException(buckets + " buckets: at most 10000");
        }
        // Read from the job records before the ledger's lock is taken (their lock comes first, see the ledger).
        List<InMemoryJobRecords.RunningSpan> spans = records.runningSpans(from);
        long[] frames = ledger.locked(() -> {
            long[] done = new long[buckets];
            for (Chunk chunk : state.chunks.values()) {
                long at = chunk.updatedAt.toEpochMilli();
                if (chunk.state == ChunkState.DONE && at >= start && (at - start) / bucketMillis < buckets
                        && !state.derivations.containsKey(chunk.trackId)) {
                    done[(int) ((at - start) / bucketMillis)] += chunk.frames();
                }
            }
            return done;
        });
        long[] jobs = new long[buckets];
        // A job runs from its first RUNNING record to its end (or now); counted in every bucket it overlaps.
        for (InMemoryJobRecords.RunningSpan span : spans) {
            long end = span.ended().map(Instant::toEpochMilli).orElse(now);
            int first = (int) Math.max(0, (span.began().toEpochMilli() - start) / bucketMillis);
            int last = (int) Math.min(buckets - 1, (end - start) / bucketMillis);
            for (int i = first; i <= last; i++) {
                jobs[i]++;
            }
        }
        List<ThroughputPoint> points = new ArrayList<>(buckets);
        for (int i = 0; i < buckets; i++) {
            points.add(new ThroughputPoint(Instant.ofEpochMilli(start + i * bucketMillis), frames[i], jobs[i]));
        }
        return points;
    }

    // --- job records -------------------------------------------------------------------------------

    @Override
    public List<JobRecord> jobs(JobQuery query) {
        return records.jobs(query);
    }

    @Override
    public long countJobs(JobQuery query) {
        return records.count(query);
    }

    @Override
    public List<RunReport> runReports() {
        return records.runReports();
    }
}
