package dev.juggler.samples;

import dev.juggler.JugglerException;
import dev.juggler.inference.clean.CleanSettings;
import dev.juggler.inference.clean.LedgerCleaning;
import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.TimeWindow;
import dev.juggler.ledger.TrackQuery;
import dev.juggler.ledger.TrackView;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.config.Escape;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Cleans each pose track of a run into its derived track ({@code <analysis>+clean}, see {@link LedgerCleaning}) once
 * all its frames are done or failed: the config's {@code clean: afterTrack}. {@link #poll} (from the run's loop)
 * has the tracks that finished since the last poll found; one background thread finds and cleans them one at a
 * time, so the juggler's ticks never wait for it. The first poll also finds tracks that finished while no run was watching:
 * every finished track whose derived track is missing, was made with other settings, or is incomplete (a run that
 * stopped while cleaning). A track that changes again (re-scheduled frames done) is cleaned again.
 *
 * <p>Thread-safe: {@link #poll} and {@link #close} may be called from any thread.
 */
final class CleanAfterTrack implements AutoCloseable {
    private static final int PAGE = 500;
    private static final int MAX_ATTEMPTS = 3;
    /** Polls look this far back before the previous one, so that a change made while a poll ran is not missed. */
    private static final Duration OVERLAP = Duration.ofSeconds(5);
    /** How often {@link #poll} looks for finished tracks. */
    static final Duration POLL_EVERY = Duration.ofSeconds(30);

    private final WorkLedger ledger;
    private final String analysis;
    private final CleanSettings settings;
    private final Clock clock;
    private final Consumer<String> say;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "juggler-clean");
        t.setDaemon(true);
        return t;
    });
    private final Map<Long, Integer> attempts = new HashMap<>();
    private final Map<Long, TrackView> retry = new HashMap<>();
    private Instant lastPoll;
    private Instant lastRequest;
    private boolean scanWaiting;

    CleanAfterTrack(WorkLedger ledger, String analysis, CleanSettings settings, Clock clock, Consumer<String> say) {
        this.ledger = ledger;
        this.analysis = analysis;
        this.settings = settings;
        this.clock = clock;
        this.say = say;
    }

    /**
     * Looks for finished tracks, at most every {@link #POLL_EVERY} (or always when {@code now}): the search runs on
     * the cleaning thread, so this never blocks the caller.
     */
    synchronized void poll(boolean now) {
        Instant at = clock.instant();
        if (!now && lastRequest != null && at.isBefore(lastRequest.plus(POLL_EVERY))) {
            return;
        }
        lastRequest = at;
        if (!scanWaiting) {
            scanWaiting = true;
            worker.execute(this::scan);
        }
    }

    // Runs on the cleaning thread: finds the tracks that finished since the last scan (on the first: every finished
    // track not yet cleaned), then cleans them one after the other.
    private void scan() {
        List<TrackView> found;
        synchronized (this) {
            scanWaiting = false;
        }
        try {
            found = find();
        } catch (JugglerException e) {
            say.accept("cannot look for finished tracks to clean (looked for again at the next poll): "
                    + Escape.visible(String.valueOf(e.getMessage())));
            return;
        }
        for (TrackView track : found) {
            if (Thread.currentThread().isInterrupted()) {
                return; // stopping: the next run's first poll finds what is left
            }
            clean(track);
        }
    }

    private synchronized List<TrackView> find() {
        List<TrackView> found = new java.util.ArrayList<>();
        Instant now = clock.instant();
        boolean first = lastPoll == null;
        TimeWindow window = first ? TimeWindow.always() : new TimeWindow(Optional.of(lastPoll.minus(OVERLAP)), Optional.empty());
        for (ChunkState state : List.of(ChunkState.DONE, ChunkState.FAILED)) {
            TrackQuery query = TrackQuery.firstPage(PAGE).ofAnalysis(analysis).inState(state).within(window);
            for (long offset = 0;; offset += PAGE) {
                List<TrackView> page = ledger.reader().tracks(query.page(offset, PAGE));
                for (TrackView track : page) {
                    if (finished(track) && (!first || !cleanedAlready(track))) {
                        retry.remove(track.trackId());
                        found.add(track);
                    }
                }
                if (page.size() < PAGE) {
                    break;
                }
            }
        }
        found.addAll(retry.values());
        retry.clear();
        lastPoll = now;
        return found;
    }

    private static boolean finished(TrackView track) {
        return track.framesDone() + track.framesFailed() >= track.range().to() - track.range().from();
    }

    // Whether a complete derived track made with the same settings exists.
    private boolean cleanedAlready(TrackView track) {
        String name = CleanSettings.cleanedName(analysis);
        List<TrackView> derived = ledger.reader().tracks(TrackQuery.firstPage(1).ofVideo(track.videoId()).ofAnalysis(name));
        return !derived.isEmpty() && derived.get(0).framesDone() >= track.framesDone()
                && ledger.derivation(derived.get(0).trackId()).map(d -> d.parameters().equals(settings.toParameters())).orElse(false);
    }

    private void clean(TrackView track) {
        String what = "track " + track.trackId() + " (" + Escape.visible(track.videoId()) + ")";
        try {
            double fps = ledger.video(track.videoId()).map(v -> v.video().fps()).orElse(0.0);
            if (!(fps > 0)) {
                say.accept("not cleaning " + what + ": its video's frame rate is unknown (clean it with juggler clean --fps)");
                return;
            }
            LedgerCleaning.Outcome outcome = new LedgerCleaning(ledger).clean(track.trackId(), track.analysis(), track.range(),
                    fps, settings, false, f -> { });
            say.accept("cleaned " + what + " -> track " + outcome.derivedTrackId() + " " + CleanSettings.cleanedName(analysis)
                    + ": " + outcome.stats().summary()
                    + (outcome.unreadable() > 0 ? ", " + outcome.unreadable() + " unreadable results skipped" : ""));
            synchronized (this) {
                attempts.remove(track.trackId());
            }
        } catch (JugglerException | IllegalArgumentException e) {
            // Only a transient failure (the ledger away) is worth another try; settings that do not fit stay so.
            boolean again = e instanceof JugglerException j && j.isTransient();
            int tries;
            synchronized (this) {
                tries = again ? attempts.merge(track.trackId(), 1, Integer::sum) : MAX_ATTEMPTS;
                if (tries < MAX_ATTEMPTS) {
                    retry.put(track.trackId(), track);
                } else {
                    attempts.remove(track.trackId());
                }
            }
            say.accept("cleaning " + what + " failed" + (tries < MAX_ATTEMPTS ? " (tried again at the next poll)" : " for good")
                    + ": " + Escape.visible(String.valueOf(e.getMessage())));
        }
    }

    /**
     * Waits for the queued cleanings when {@code drain} (the run is done), else only for the one running (the rest
     * is found again by the next run's first poll), at most {@code limit}.
     */
    void finish(boolean drain, Duration limit) throws InterruptedException {
        if (drain) {
            poll(true);
        }
        worker.shutdown();
        if (!drain) {
            worker.shutdownNow();
        }
        worker.awaitTermination(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
