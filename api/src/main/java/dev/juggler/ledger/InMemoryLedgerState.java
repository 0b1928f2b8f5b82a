package dev.juggler.ledger;

import dev.juggler.NotFoundException;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What an {@link InMemoryWorkLedger} holds (videos, tracks, chunks, history, results) and the changes its
 * calls are made of. Not thread-safe by itself: every use holds the ledger's lock.
 */
final class InMemoryLedgerState {

    /** A registered video and where it stands in the workspace. */
    static final class VideoEntry {
        Video video;
        final long seq;
        StageState state = StageState.NOT_STAGED;
        String location;
        String error;

        VideoEntry(Video video, long seq) {
            this.video = video;
            this.seq = seq;
        }

        VideoRecord record() {
            return new VideoRecord(video, state, Optional.ofNullable(location), Optional.ofNullable(error));
        }
    }

    /** A track: one analysis over a range of one video. */
    record Track(long id, String videoId, String analysis, FrameRange range, int priority, Instant createdAt) {
    }

    /** A chunk: a range of a track in one state; the lease fields are set while it is LEASED. */
    static final class Chunk {
        final long id;
        final long trackId;
        final int priority;
        final Instant createdAt;
        long from;
        long to;
        ChunkState state;
        int attempts;
        long checkpoint;
        String failureReason;
        String token;
        String owner;
        /** The batch job of the lease; kept on a DONE chunk, so that the job records can count its frames. */
        String job;
        Instant expiresAt;
        Duration leaseDuration;
        Instant updatedAt;

        Chunk(long id, Track track, long from, long to, ChunkState state, int attempts, String failureReason, Instant now) {
            this.id = id;
            this.trackId = track.id();
            this.priority = track.priority();
            this.createdAt = track.createdAt();
            this.from = from;
            this.to = to;
            this.state = state;
            this.attempts = attempts;
            this.checkpoint = from;
            this.failureReason = failureReason;
            this.updatedAt = now;
        }

        long frames() {
            return to - from;
        }

        void endLease(boolean keepJob, Instant now) {
            token = null;
            owner = null;
            expiresAt = null;
            leaseDuration = null;
            if (!keepJob) {
                job = null;
            }
            updatedAt = now;
        }
    }

    /** Claim order: highest priority, then oldest track, then track id, then first frame. */
    static final Comparator<Chunk> CLAIM_ORDER = Comparator.<Chunk>comparingInt(c -> -c.priority)
            .thenComparing(c -> c.createdAt).thenComparingLong(c -> c.trackId).thenComparingLong(c -> c.from);

    private final Clock clock;
    final Map<String, VideoEntry> videos = new LinkedHashMap<>();
    final TreeMap<Long, Track> tracks = new TreeMap<>();
    final Map<String, Long> trackByKey = new HashMap<>();
    final TreeMap<Long, Chunk> chunks = new TreeMap<>();
    final List<ChunkEvent> history = new ArrayList<>();
    final Map<Long, TreeMap<Long, String>> results = new HashMap<>();
    final Map<Long, TrackDerivation> derivations = new HashMap<>();
    long nextSeq = 1;
    long nextTrack = 1;
    private long nextChunk = 1;

    InMemoryLedgerState(Clock clock) {
        this.clock = clock;
    }

    Instant now() {
        return clock.instant();
    }

    long nowMillis() {
        return clock.millis();
    }

    Chunk newChunk(Track track, long from, long to, ChunkState state, int attempts, String reason) {
        Chunk chunk = new Chunk(nextChunk++, track, from, to, state, attempts, reason, now());
        chunks.put(chunk.id, chunk);
        return chunk;
    }

    /** See {@link VideoCatalogue#addDerivedTrack}. */
    long addDerivedTrack(long sourceTrackId, String analysis, String parameters) {
        Track source = tracks.get(sourceTrackId);
        if (source == null) {
            throw new NotFoundException("track", sourceTrackId);
        }
        DerivedTracks.checkName(source.analysis(), analysis);
        String key = source.videoId() + '\u0000' + analysis;
        Long known = trackByKey.get(key);
        if (known != null && !derivations.containsKey(known)) {
            throw DerivedTracks.notDerived(source.videoId(), analysis);
        }
        long id;
        if (known == null) {
            Track track = new Track(nextTrack++, source.videoId(), analysis, source.range(), source.priority(), now());
            tracks.put(track.id(), track);
            trackByKey.put(key, track.id());
            id = track.id();
        } else {
            id = known;
            chunks.values().removeIf(c -> c.trackId == known);
            results.remove(known);
        }
        derivations.put(id, new TrackDerivation(sourceTrackId, parameters));
        return id;
    }

    /** See {@link VideoCatalogue#markDerivedDone}. */
    void markDerivedDone(long trackId, FrameRange range) {
        Track track = tracks.get(trackId);
        if (track == null) {
            throw new NotFoundException("track", trackId);
        }
        if (!derivations.containsKey(trackId)) {
            throw new IllegalArgumentException("track " + trackId + " is not a derived track");
        }
        DerivedTracks.checkInside(track.range(), range);
        List<FrameRange> marked = chunks.values().stream().filter(c -> c.trackId == trackId)
                .map(c -> new FrameRange(c.from, c.to)).toList();
        for (FrameRange piece : DerivedTracks.uncovered(range, marked)) {
            newChunk(track, piece.from(), piece.to(), ChunkState.DONE, 0, null).checkpoint = piece.to();
        }
    }

    VideoEntry requireVideo(String videoId) {
        VideoEntry video = videos.get(videoId);
        if (video == null) {
            throw new NotFoundException("video", videoId);
        }
        return video;
    }

    /** The video of a chunk's track. */
    VideoEntry videoOf(Chunk chunk) {
        return videos.get(tracks.get(chunk.trackId).videoId());
    }

    WorkEstimate estimate() {
        long claimable = 0;
        long waiting = 0;
        long leased = 0;
        long done = 0;
        long failed = 0;
        for (Chunk chunk : chunks.values()) {
            if (derivations.containsKey(chunk.trackId)) {
                continue; // a derived track's frames are not work
            }
            switch (chunk.state) {
                case PENDING -> {
                    if (videoOf(chunk).state == StageState.STAGED) {
                        claimable += chunk.frames();
                    } else {
                        waiting += chunk.frames();
                    }
                }
                case LEASED -> leased += chunk.frames();
                case DONE -> done += chunk.frames();
                case FAILED -> failed += chunk.frames();
            }
        }
        return new WorkEstimate(claimable, waiting, leased, done, failed);
    }

    /**
     * Ends the lease on {@code chunk}: frames before {@code split} become DONE (without a failure reason:
     * an earlier failure of those frames is over), the rest takes {@code restState} with {@code restAttempts}
     * (and {@code restReason}, if given, else the chunk's last reason). A DONE part keeps the lease's job.
     */
    void settle(Chunk chunk, long split, ChunkState restState, int restAttempts, String restReason) {
        Instant now = now();
        String reason = restReason != null ? restReason : chunk.failureReason;
        if (split >= chunk.to) {
            chunk.state = ChunkState.DONE;
            chunk.checkpoint = chunk.to;
            chunk.failureReason = null;
            chunk.endLease(true, now);
        } else if (split <= chunk.from) {
            chunk.state = restState;
            chunk.attempts = restAttempts;
            chunk.failureReason = reason;
            chunk.checkpoint = chunk.from;
            chunk.endLease(false, now);
        } else {
            newChunk(tracks.get(chunk.trackId), split, chunk.to, restState, restAttempts, reason);
            chunk.state = ChunkState.DONE;
            chunk.to = split;
            chunk.checkpoint = split;
            chunk.failureReason = null;
            chunk.endLease(true, now);
        }
    }

    /**
     * Ends the lease on {@code chunk} by cutting it into the settlement's pieces: the chunk becomes the
     * first piece, the others new chunks; FAILED pieces are damaged frames, failed for good and recorded in
     * the history.
     */
    void settle(Chunk chunk, LeaseSettlement settlement) {
        Instant now = now();
        Track track = tracks.get(chunk.trackId);
        String job = chunk.job;
        boolean first = true;
        for (LeaseSettlement.Piece piece : settlement.pieces()) {
            Chunk target;
            if (first) {
                target = chunk;
                target.to = piece.to();
                target.state = piece.state();
                target.failureReason = piece.reason();
                target.endLease(piece.state() == ChunkState.DONE, now);
                first = false;
            } else {
                target = newChunk(track, piece.from(), piece.to(), piece.state(), chunk.attempts, piece.reason());
            }
            target.checkpoint = piece.state() == ChunkState.DONE ? piece.to() : piece.from();
            if (piece.state() == ChunkState.FAILED) {
                appendHistory(target.id, target.trackId, piece.from(), piece.to(), ChunkEvent.Kind.FAILED, chunk.attempts,
                        piece.reason(), job);
            }
        }
    }

    /** Appends to the history that {@code [from, to)} of a leased chunk failed an attempt; call before {@link #settle}. */
    void failed(Chunk chunk, long from, ChunkState rest, int attempts, String reason) {
        appendHistory(chunk.id, chunk.trackId, from, chunk.to, rest == ChunkState.FAILED ? ChunkEvent.Kind.FAILED
                : ChunkEvent.Kind.RETRIED, attempts, reason, chunk.job);
    }

    void appendHistory(long chunkId, long trackId, long from, long to, ChunkEvent.Kind kind, int attempt, String reason,
            String job) {
        if (from < to) { // nothing of the range was left otherwise
            history.add(new ChunkEvent(chunkId, trackId, FrameRange.of(from, to), kind, attempt, Optional.ofNullable(reason),
                    Optional.ofNullable(job), now()));
        }
    }

    /** Ends every live lease that {@code which} selects from its checkpoint on, counting an attempt. */
    int endLeases(int maxAttempts, java.util.function.Predicate<Chunk> which, java.util.function.IntFunction<String> exhaustedReason,
            String pendingReason) {
        List<Chunk> ending = chunks.values().stream().filter(c -> c.state == ChunkState.LEASED && which.test(c)).toList();
        for (Chunk chunk : ending) {
            int attempts = chunk.attempts + 1;
            boolean exhausted = attempts >= maxAttempts;
            ChunkState rest = exhausted ? ChunkState.FAILED : ChunkState.PENDING;
            String why = exhausted ? exhaustedReason.apply(attempts) : pendingReason;
            failed(chunk, chunk.checkpoint, rest, attempts, why);
            settle(chunk, chunk.checkpoint, rest, attempts, why);
        }
        return ending.size();
    }

    boolean selects(RescheduleFilter filter, Chunk chunk) {
        Track track = tracks.get(chunk.trackId);
        Map<String, String> tags = videos.get(track.videoId()).video.tags();
        return filter.trackId().map(id -> id == chunk.trackId).orElse(true)
                && filter.videoId().map(track.videoId()::equals).orElse(true)
                && filter.analysis().map(track.analysis()::equals).orElse(true)
                && filter.tagKey().map(key -> filter.tagValue().orElseThrow().equals(tags.get(key))).orElse(true)
                && filter.window().contains(chunk.updatedAt)
                && filter.reasonMatches(chunk.failureReason);
    }

    /** Frames of DONE chunks last done under {@code jobId}'s leases in {@code [from, until]} ({@code until} may be null). */
    long framesDone(String jobId, Instant from, Instant until) {
        long frames = 0;
        for (Chunk chunk : chunks.values()) {
            if (chunk.state == ChunkState.DONE && jobId.equals(chunk.job) && !chunk.updatedAt.isBefore(from)
                    && (until == null || !chunk.updatedAt.isAfter(until))) {
                frames += chunk.frames();
            }
        }
        return frames;
    }
}
