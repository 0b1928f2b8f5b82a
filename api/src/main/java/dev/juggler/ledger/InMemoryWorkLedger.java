package dev.juggler.ledger;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.NotFoundException;
import dev.juggler.ledger.InMemoryLedgerState.Chunk;
import dev.juggler.ledger.InMemoryLedgerState.Track;
import dev.juggler.ledger.InMemoryLedgerState.VideoEntry;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The reference {@link WorkLedger}, in memory: a plain statement of the ledger's semantics (it passes the
 * same contract suites as the JDBC ledger) and a fast ledger for a host's own tests. Nothing survives the
 * JVM, and it cannot be shared between processes.
 *
 * <pre>{@code
 * try (WorkLedger ledger = new InMemoryWorkLedger(clock)) {
 *     ledger.registerVideo(video);
 *     ledger.markStaged(video.id(), "/ws/" + video.id());
 *     ledger.addTrack(TrackSpec.whole(video, "pose"));
 *     Optional<Lease> lease = ledger.claim(ClaimRequest.of("worker-1", 500, Duration.ofMinutes(10)));
 * }
 * }</pre>
 *
 * <p>Claims take the PENDING chunk of a STAGED video with the highest track priority, then the oldest
 * track, then the first frame, and lease at most {@code maxFrames} of its head (the rest becomes a new
 * PENDING chunk). Leases are fenced by a random token. A lease that fails, expires or is revoked counts an
 * attempt; after {@link #maxAttempts()} attempts (or a permanent failure) its frames become FAILED. Times
 * and lease expiries come from the injected {@link Clock}. Its {@link #jobRecords()} are an
 * {@link InMemoryJobRecords} that counts a job's frames done from this ledger's chunks.
 *
 * <p>Thread-safe: every call is one critical section under one lock (the job records have their own lock,
 * and may take this ledger's inside theirs, never the other way round). The class is not final so that a
 * test can override a method to inject a failure or record calls; an override must keep the contract.
 */
public class InMemoryWorkLedger implements WorkLedger {

    /** The default of {@link #maxAttempts()}, as the JDBC ledger's. */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;

    final Object lock = new Object();
    private final Clock clock;
    private final int maxAttempts;
    /** Everything the ledger holds, guarded by {@link #lock}; the reader reads it under the same lock. */
    final InMemoryLedgerState state;
    private boolean closed;
    private final InMemoryJobRecords jobRecords;
    private final InMemoryLedgerReader reader;

    /** A ledger on the system UTC clock with {@value #DEFAULT_MAX_ATTEMPTS} attempts. */
    public InMemoryWorkLedger() {
        this(Clock.systemUTC());
    }

    /** A ledger whose timestamps and lease expiries come from {@code clock}, with {@value #DEFAULT_MAX_ATTEMPTS} attempts. */
    public InMemoryWorkLedger(Clock clock) {
        this(clock, DEFAULT_MAX_ATTEMPTS);
    }

    /**
     * A ledger on {@code clock} whose frames fail for good after {@code maxAttempts} unsuccessful leases
     * (failures, expiries, revocations).
     *
     * @throws InvalidConfigException if {@code maxAttempts} is not in 1..1000
     */
    public InMemoryWorkLedger(Clock clock, int maxAttempts) {
        if (clock == null) {
            throw InvalidConfigException.of("clock", null, "must not be null");
        }
        if (maxAttempts < 1 || maxAttempts > 1000) {
            throw InvalidConfigException.of("maxAttempts", maxAttempts, "must be in 1..1000");
        }
        this.clock = clock;
        this.maxAttempts = maxAttempts;
        this.state = new InMemoryLedgerState(clock);
        this.jobRecords = new InMemoryJobRecords((job, from, until) -> {
            synchronized (lock) {
                return state.framesDone(job, from, until);
            }
        });
        this.reader = new InMemoryLedgerReader(this, jobRecords);
    }

    /** After how many unsuccessful leases frames become FAILED. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** Runs {@code work} under the lock, once the ledger is known to be open. */
    <T> T locked(Supplier<T> work) {
        synchronized (lock) {
            if (closed) {
                throw new JugglerException("the in-memory ledger is closed");
            }
            return work.get();
        }
    }

    private void lockedRun(Runnable work) {
        locked(() -> {
            work.run();
            return null;
        });
    }

    // --- catalogue ---------------------------------------------------------------------------------

    @Override
    public void registerVideo(Video video) {
        Objects.requireNonNull(video, "video");
        lockedRun(() -> {
            VideoEntry known = state.videos.get(video.id());
            if (known != null) {
                known.video = video; // the staging state is kept
            } else {
                state.videos.put(video.id(), new VideoEntry(video, state.nextSeq++));
            }
        });
    }

    @Override
    public Optional<VideoRecord> video(String videoId) {
        Objects.requireNonNull(videoId, "videoId");
        return locked(() -> Optional.ofNullable(state.videos.get(videoId)).map(VideoEntry::record));
    }

    @Override
    public long addTrack(TrackSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return locked(() -> {
            Long known = state.trackByKey.get(spec.videoId() + '\u0000' + spec.analysis());
            if (known != null) {
                return known;
            }
            VideoEntry video = state.requireVideo(spec.videoId());
            FrameRange range = spec.range();
            if (range.to() > video.video.frameCount()) {
                throw new IllegalArgumentException("track range " + range + " of video " + spec.videoId()
                        + " does not lie inside the video's frames [0, " + video.video.frameCount() + ")");
            }
            Track track = new Track(state.nextTrack++, spec.videoId(), spec.analysis(), range, spec.priority(), state.now());
            state.tracks.put(track.id(), track);
            state.trackByKey.put(spec.videoId() + '\u0000' + spec.analysis(), track.id());
            if (!range.isEmpty()) {
                state.newChunk(track, range.from(), range.to(), ChunkState.PENDING, 0, null);
            }
            return track.id();
        });
    }

    @Override
    public long addDerivedTrack(long sourceTrackId, String analysis, String parameters) {
        Objects.requireNonNull(analysis, "analysis");
        Objects.requireNonNull(parameters, "parameters");
        return locked(() -> state.addDerivedTrack(sourceTrackId, analysis, parameters));
    }

    @Override
    public void markDerivedDone(long trackId, FrameRange range) {
        Objects.requireNonNull(range, "range");
        lockedRun(() -> state.markDerivedDone(trackId, range));
    }

    @Override
    public Optional<TrackDerivation> derivation(long trackId) {
        return locked(() -> Optional.ofNullable(state.derivations.get(trackId)));
    }

    @Override
    public List<VideoRecord> videosToStage(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit = " + limit + ": must be >= 1");
        }
        return locked(() -> {
            Map<String, Integer> topPriority = new HashMap<>();
            for (Chunk chunk : state.chunks.values()) {
                if (chunk.state == ChunkState.PENDING) {
                    topPriority.merge(state.tracks.get(chunk.trackId).videoId(), chunk.priority, Math::max);
                }
            }
            return state.videos.values().stream()
                    .filter(v -> v.state == StageState.NOT_STAGED || v.state == StageState.PURGED || v.state == StageState.STAGE_FAILED)
                    .filter(v -> topPriority.containsKey(v.video.id()))
                    .sorted(Comparator.<VideoEntry>comparingInt(v -> -topPriority.get(v.video.id())).thenComparingLong(v -> v.seq))
                    .limit(limit).map(VideoEntry::record).toList();
        });
    }

    @Override
    public void markStaging(String videoId) {
        setStage(videoId, StageState.STAGING, null, null);
    }

    @Override
    public void markStaged(String videoId, String location) {
        setStage(videoId, StageState.STAGED, requireText(location, "location"), null);
    }

    @Override
    public void markStageFailed(String videoId, String error) {
        setStage(videoId, StageState.STAGE_FAILED, null, requireText(error, "error"));
    }

    @Override
    public void markPurged(String videoId) {
        setStage(videoId, StageState.PURGED, null, null);
    }

    private static String requireText(String value, String what) {
        if (Objects.requireNonNull(value, what).isBlank()) {
            throw new IllegalArgumentException("a staging mark needs a non-blank " + what);
        }
        return value;
    }

    private void setStage(String videoId, StageState stage, String location, String error) {
        Objects.requireNonNull(videoId, "videoId");
        lockedRun(() -> {
            VideoEntry video = state.requireVideo(videoId);
            video.state = stage;
            video.location = location;
            video.error = error;
        });
    }

    @Override
    public List<VideoRecord> videosToPurge() {
        return locked(() -> {
            java.util.Set<String> busy = new java.util.HashSet<>();
            for (Chunk chunk : state.chunks.values()) {
                if (chunk.state == ChunkState.PENDING || chunk.state == ChunkState.LEASED) {
                    busy.add(state.tracks.get(chunk.trackId).videoId());
                }
            }
            return state.videos.values().stream().filter(v -> v.state == StageState.STAGED && !busy.contains(v.video.id()))
                    .map(VideoEntry::record).toList();
        });
    }

    @Override
    public WorkEstimate estimate() {
        return locked(state::estimate);
    }

    // --- claims and leases -------------------------------------------------------------------------

    @Override
    public Optional<Lease> claim(ClaimRequest request) {
        Objects.requireNonNull(request, "request");
        return locked(() -> {
            Optional<Chunk> best = state.chunks.values().stream()
                    .filter(c -> c.state == ChunkState.PENDING && state.videoOf(c).state == StageState.STAGED)
                    .filter(c -> request.analysis().map(state.tracks.get(c.trackId).analysis()::equals).orElse(true))
                    .min(InMemoryLedgerState.CLAIM_ORDER);
            if (best.isEmpty()) {
                return Optional.empty();
            }
            Chunk chunk = best.get();
            Track track = state.tracks.get(chunk.trackId);
            Instant now = state.now();
            long headEnd = chunk.from + Math.min(request.maxFrames(), chunk.frames());
            if (headEnd < chunk.to) {
                state.newChunk(track, headEnd, chunk.to, ChunkState.PENDING, chunk.attempts, null);
            }
            Duration duration = Duration.ofMillis(Math.max(1, request.leaseDuration().toMillis()));
            chunk.to = headEnd;
            chunk.state = ChunkState.LEASED;
            chunk.checkpoint = chunk.from;
            chunk.token = UUID.randomUUID().toString();
            chunk.owner = request.workerId();
            chunk.job = request.jobId().orElse(null);
            chunk.leaseDuration = duration;
            chunk.expiresAt = now.plus(duration);
            chunk.updatedAt = now;
            String location = state.videoOf(chunk).location;
            return Optional.of(new Lease(chunk.id, chunk.token, track.id(), track.analysis(), track.videoId(),
                    location == null ? "" : location, FrameRange.of(chunk.from, chunk.to), chunk.expiresAt, chunk.attempts + 1));
        });
    }

    @Override
    public Lease heartbeat(Lease lease, long checkpoint) {
        Objects.requireNonNull(lease, "lease");
        FrameRange range = lease.range();
        if (checkpoint < range.from() || checkpoint > range.to()) {
            throw new IllegalArgumentException("checkpoint = " + checkpoint + ": must lie within " + range.from() + ".."
                    + range.to() + " of the lease on chunk " + lease.chunkId());
        }
        return locked(() -> {
            Chunk chunk = held(lease);
            Instant now = state.now();
            chunk.checkpoint = Math.max(chunk.checkpoint, checkpoint);
            chunk.expiresAt = now.plus(chunk.leaseDuration); // not a state change: updatedAt stays
            return lease.withExpiry(chunk.expiresAt);
        });
    }

    @Override
    public void complete(Lease lease, long doneUntil) {
        Objects.requireNonNull(lease, "lease");
        checkDoneUntil(lease, doneUntil);
        lockedRun(() -> {
            Chunk chunk = held(lease);
            state.settle(chunk, doneUntil, ChunkState.PENDING, chunk.attempts, null);
        });
    }

    @Override
    public void complete(Lease lease, long doneUntil, List<DamagedFrame> damaged) {
        Objects.requireNonNull(lease, "lease");
        checkDoneUntil(lease, doneUntil);
        if (damaged.isEmpty()) {
            complete(lease, doneUntil);
            return;
        }
        LeaseSettlement settlement = LeaseSettlement.of(lease.range().from(), lease.range().to(), doneUntil, damaged);
        lockedRun(() -> state.settle(held(lease), settlement));
    }

    @Override
    public void fail(Lease lease, long doneUntil, String reason, boolean permanent) {
        Objects.requireNonNull(lease, "lease");
        checkDoneUntil(lease, doneUntil);
        String stored = reason == null || reason.isBlank() ? "(no reason given)" : reason;
        lockedRun(() -> {
            Chunk chunk = held(lease);
            int attempts = chunk.attempts + 1;
            ChunkState rest = permanent || attempts >= maxAttempts ? ChunkState.FAILED : ChunkState.PENDING;
            state.failed(chunk, doneUntil, rest, attempts, stored);
            state.settle(chunk, doneUntil, rest, attempts, stored);
        });
    }

    private static void checkDoneUntil(Lease lease, long doneUntil) {
        FrameRange range = lease.range();
        if (doneUntil < range.from() || doneUntil > range.to()) {
            throw new IllegalArgumentException("doneUntil = " + doneUntil + ": must lie within " + range.from() + ".."
                    + range.to() + " of the lease on chunk " + lease.chunkId());
        }
    }

    /** The chunk of a lease that is still held (same token, same frames), or a {@link LeaseLostException}. */
    private Chunk held(Lease lease) {
        Chunk chunk = state.chunks.get(lease.chunkId());
        if (chunk == null) {
            throw new LeaseLostException(lease.chunkId(), "the chunk does not exist");
        }
        if (chunk.state != ChunkState.LEASED) {
            throw new LeaseLostException(lease.chunkId(), "the chunk is now " + chunk.state);
        }
        if (!chunk.token.equals(lease.token()) || chunk.from != lease.range().from() || chunk.to != lease.range().to()) {
            throw new LeaseLostException(lease.chunkId(), "the chunk is leased under another token");
        }
        return chunk;
    }

    @Override
    public int reapExpired() {
        return locked(() -> {
            Instant now = state.now();
            return state.endLeases(maxAttempts, c -> !c.expiresAt.isAfter(now), attempts -> "lease expired " + attempts + " times", "lease expired");
        });
    }

    @Override
    public int revokeJob(String jobId, String reason) {
        Objects.requireNonNull(jobId, "jobId");
        String why = "job " + jobId + " revoked: " + (reason == null || reason.isBlank() ? "(no reason given)" : reason);
        return locked(() -> state.endLeases(maxAttempts, c -> jobId.equals(c.job), attempts -> why + " (attempts exhausted: " + attempts + ")", why));
    }

    // --- operator writes ---------------------------------------------------------------------------

    @Override
    public RescheduleOutcome reschedule(RescheduleFilter filter, boolean dryRun) {
        Objects.requireNonNull(filter, "filter");
        return locked(() -> {
            List<Chunk> matches = state.chunks.values().stream().filter(c -> c.state == ChunkState.FAILED && state.selects(filter, c)).toList();
            long skipped = 0;
            long frames = 0;
            long rescheduled = 0;
            for (Chunk chunk : matches) {
                boolean aside = chunk.failureReason != null && chunk.failureReason.startsWith(SET_ASIDE_PREFIX);
                if (aside && !filter.namesReason()) {
                    skipped++;
                } else if (dryRun) {
                    frames += chunk.frames();
                } else {
                    // the entry keeps the attempts and the reason that the re-schedule ends; the reason stays on the
                    // chunk until its frames are done, as in the JDBC ledger
                    state.appendHistory(chunk.id, chunk.trackId, chunk.from, chunk.to, ChunkEvent.Kind.RESCHEDULED, chunk.attempts,
                            chunk.failureReason, null);
                    chunk.state = ChunkState.PENDING;
                    chunk.attempts = 0;
                    chunk.updatedAt = state.now();
                    rescheduled++;
                    frames += chunk.frames();
                }
            }
            return new RescheduleOutcome(matches.size(), rescheduled, skipped, frames, dryRun);
        });
    }

    @Override
    public int setAside(String videoId, String reason) {
        Objects.requireNonNull(videoId, "videoId");
        String stored = SET_ASIDE_PREFIX + (reason == null || reason.isBlank() ? "(no reason given)" : reason);
        return locked(() -> {
            state.requireVideo(videoId);
            int count = 0;
            for (Chunk chunk : state.chunks.values()) {
                // Only PENDING chunks: a leased one stays with its worker.
                if (chunk.state == ChunkState.PENDING && state.tracks.get(chunk.trackId).videoId().equals(videoId)) {
                    state.appendHistory(chunk.id, chunk.trackId, chunk.from, chunk.to, ChunkEvent.Kind.SET_ASIDE, chunk.attempts, stored,
                            null);
                    chunk.state = ChunkState.FAILED;
                    chunk.failureReason = stored;
                    chunk.updatedAt = state.now();
                    count++;
                }
            }
            return count;
        });
    }

    // --- results -----------------------------------------------------------------------------------

    @Override
    public void storeResults(List<FrameResult> results) {
        Objects.requireNonNull(results, "results");
        List<FrameResult> batch = List.copyOf(results);
        lockedRun(() -> {
            for (FrameResult result : batch) { // all or nothing: check every track first
                requireTrack(result.trackId());
            }
            for (FrameResult result : batch) {
                state.results.computeIfAbsent(result.trackId(), t -> new TreeMap<>()).putIfAbsent(result.frame(), result.payload());
            }
        });
    }

    private void requireTrack(long trackId) {
        if (!state.tracks.containsKey(trackId)) {
            throw new NotFoundException("track", trackId);
        }
    }

    @Override
    public void readResults(long trackId, FrameRange range, Consumer<FrameResult> consumer) {
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(consumer, "consumer");
        // Copied under the lock and handed over outside it: a slow consumer holds up nobody.
        List<FrameResult> found = locked(() -> {
            requireTrack(trackId);
            TreeMap<Long, String> stored = state.results.getOrDefault(trackId, new TreeMap<>());
            List<FrameResult> slice = new ArrayList<>();
            stored.subMap(range.from(), range.to()).forEach((frame, payload) -> slice.add(new FrameResult(trackId, frame, payload)));
            return slice;
        });
        found.forEach(consumer);
    }

    // --- views and records -------------------------------------------------------------------------

    @Override
    public LedgerReader reader() {
        return reader;
    }

    @Override
    public JobRecords jobRecords() {
        return jobRecords;
    }

    /** Marks the ledger closed: later calls fail. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
    }

    @Override
    public String toString() {
        return "InMemoryWorkLedger[maxAttempts=" + maxAttempts + ", clock=" + clock + "]";
    }
}
