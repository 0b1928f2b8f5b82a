package dev.juggler.run;

import dev.juggler.JugglerException;
import dev.juggler.internal.NamedThreadFactory;
import dev.juggler.ledger.StageState;
import dev.juggler.ledger.VideoRecord;
import dev.juggler.ledger.VideoCatalogue;
import dev.juggler.ledger.WorkQueue;
import dev.juggler.stage.StagedVideo;
import dev.juggler.stage.VideoStager;
import dev.juggler.stage.WorkspaceFullException;
import dev.juggler.stage.WorkspaceUsage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The juggler's workspace steps: reconcile after a restart, purge finished videos, stage the next ones
 * in plan order within the budget (transfers run on own threads, {@code juggler-stage-*}, or on the host's
 * executor).
 *
 * <p>Plan order is kept for videos that fit the budget but not the space free now: they wait, and the
 * smaller videos behind them wait too, because otherwise the smaller ones would keep taking the space
 * as it frees up and a large video could starve. A video larger than the whole budget can never fit,
 * so waiting for it would stall the run for good: its pending work is set aside in the ledger (an
 * operator sees it among the failures and takes it back once the budget is raised), it is reported as
 * a status problem and a {@link JugglerEvent.VideoSetAside} event, and staging goes on with the next.
 *
 * <p>Thread-safe: the steps run on the tick thread; transfers report back from their own threads.
 */
final class WorkspaceFeeder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Juggler.class);

    private final VideoCatalogue ledger;
    private final WorkQueue queue;
    private final VideoStager stager;
    private final Clock clock;
    private final Duration pollInterval;
    private final int parallelStaging;
    private final Consumer<JugglerEvent> events;
    private final Runnable wake;
    private final Executor transfers;
    /** The executor this class made (and shuts down), or {@code null} when the host gave one. */
    private final ExecutorService ownThreads;
    /** Transfers handed to a staging thread and not ended: video id to bytes. */
    private final Map<String, Long> staging = new ConcurrentHashMap<>();
    /**
     * Of those, the ones the stager has not reported progress for yet: it may not count them yet, so they are
     * the only ones this class adds to the stager's usage.
     */
    private final Map<String, Long> notHandedOver = new ConcurrentHashMap<>();
    /** Videos whose staging failed: when to try again and how often it failed in a row. */
    private final Map<String, StageRetry> retries = new ConcurrentHashMap<>();
    /** Videos this juggler set aside as larger than the budget, with the reason; until they come back. */
    private final Map<String, String> setAside = new ConcurrentHashMap<>();
    /** Why the next video in plan order waits; {@code null} when none does (written by the tick thread). */
    private volatile String waiting;
    private final AtomicLong staged = new AtomicLong();
    private final AtomicLong purged = new AtomicLong();
    private volatile boolean closed;
    private boolean reconciled;

    WorkspaceFeeder(VideoCatalogue ledger, WorkQueue queue, VideoStager stager, Clock clock, Duration pollInterval, int parallelStaging,
            Consumer<JugglerEvent> events, Runnable wake, Executor hostExecutor) {
        this.ledger = ledger;
        this.queue = queue;
        this.stager = stager;
        this.clock = clock;
        this.pollInterval = pollInterval;
        this.parallelStaging = parallelStaging;
        this.events = events;
        this.wake = wake;
        this.ownThreads = hostExecutor == null
                ? Executors.newFixedThreadPool(parallelStaging, new NamedThreadFactory("juggler-stage")) : null;
        this.transfers = hostExecutor != null ? hostExecutor : ownThreads;
    }

    boolean reconciled() {
        return reconciled;
    }

    /** After a restart, what the stager really holds is the truth about which videos are staged. */
    void reconcile() {
        for (StagedVideo video : stager.list()) {
            Optional<VideoRecord> record = ledger.video(video.videoId());
            if (record.isPresent() && record.get().stageState() != StageState.STAGED) {
                ledger.markStaged(video.videoId(), video.location());
            }
        }
        reconciled = true;
    }

    void purgeFinished() {
        for (VideoRecord video : ledger.videosToPurge()) {
            String id = video.video().id();
            stager.purge(id);
            ledger.markPurged(id);
            purged.incrementAndGet();
            events.accept(new JugglerEvent.VideoPurged(id));
        }
    }

    void stageNext() {
        if (closed || staging.size() >= parallelStaging) {
            return;
        }
        waiting = null;
        // A stager counts a video from the moment stage() accepts it until it is staged (then as used) or
        // given up (VideoStager's budget rule), so the only transfers it may not see are those queued here
        // that have not reported progress yet: those, and only those, are added here. One handed over in
        // between the two reads is counted twice for this tick (too careful, never overbooking).
        long notStarted = notHandedOver.values().stream().mapToLong(Long::longValue).sum();
        WorkspaceUsage usage = stager.usage();
        long free = Math.max(0, usage.budgetBytes() - usage.usedBytes() - usage.reservedBytes() - notStarted);
        for (VideoRecord candidate : ledger.videosToStage(parallelStaging * 4)) {
            if (staging.size() >= parallelStaging) {
                break;
            }
            String id = candidate.video().id();
            setAside.remove(id); // back in the plan: taken back by an operator
            StageRetry retry = retries.get(id);
            if (staging.containsKey(id) || (retry != null && clock.instant().isBefore(retry.notBefore()))) {
                continue;
            }
            long size = candidate.video().sizeBytes();
            if (size > usage.budgetBytes()) {
                setAsideTooLarge(id, size, usage.budgetBytes());
                continue;
            }
            if (size > free) {
                waiting = "video " + id + " (" + size + " bytes) waits for workspace space: " + free + " of "
                        + usage.budgetBytes() + " bytes free; finished videos are purged as their tracks complete";
                return; // plan order is kept (see the class comment)
            }
            free -= size;
            staging.put(id, size);
            notHandedOver.put(id, size);
            try {
                transfers.execute(() -> stageOne(candidate));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // A host's executor that is full or shut down: nothing started, so nothing stays counted.
                staging.remove(id);
                notHandedOver.remove(id);
                waiting = "video " + id + " waits: the staging executor refused the transfer (" + e.getMessage() + ")";
                LOG.warn("staging of video {} was refused by the staging executor; tried again next tick: {}", id, e.toString());
                return;
            }
        }
    }

    private void setAsideTooLarge(String id, long size, long budget) {
        String reason = "video " + id + " is " + size + " bytes, larger than the whole workspace budget of " + budget
                + " bytes; raise workspace.budget (or split the video), then take it back (reschedule its set-aside tracks)";
        int chunks = queue.setAside(id, reason);
        setAside.put(id, reason);
        LOG.warn("set aside {} chunk(s): {}", chunks, reason);
        events.accept(new JugglerEvent.VideoSetAside(id, reason));
    }

    private void stageOne(VideoRecord candidate) {
        String id = candidate.video().id();
        try {
            // The stager reports progress only after it has reserved the video's size: from then on it counts it.
            // Removing earlier would leave a moment in which nobody counts it; a transfer that reports nothing is
            // counted twice until it ends (too careful, never overbooking).
            StagedVideo video = stager.stage(candidate.video(), (videoId, done, total) -> notHandedOver.remove(id));
            ledger.markStaged(id, video.location());
            staged.incrementAndGet();
            retries.remove(id);
            events.accept(new JugglerEvent.VideoStaged(id, video.location(), video.sizeBytes()));
        } catch (WorkspaceFullException e) {
            LOG.debug("video {} waits for workspace space: {}", id, e.getMessage());
        } catch (JugglerException e) {
            StageRetry retry = retries.merge(id, StageRetry.first(clock.instant(), pollInterval),
                    (old, fresh) -> old.next(clock.instant(), pollInterval));
            LOG.warn("staging video {} failed ({} time(s) in a row; next try after {}): {}", id, retry.failures(),
                    retry.notBefore(), e.getMessage());
            try {
                ledger.markStageFailed(id, e.getMessage());
            } catch (JugglerException again) {
                LOG.warn("cannot record the staging failure of {}: {}", id, again.getMessage());
            }
            events.accept(new JugglerEvent.StagingFailed(id, e.getMessage()));
        } catch (RuntimeException e) {
            LOG.error("staging video {} failed unexpectedly", id, e);
            events.accept(new JugglerEvent.StagingFailed(id, e.toString()));
        } finally {
            notHandedOver.remove(id);
            staging.remove(id);
            if (!closed) {
                wake.run();
            }
        }
    }

    /** Why the next video in plan order is not being staged, when it waits for space. */
    List<String> waiting() {
        String reason = waiting;
        return reason == null ? List.of() : List.of(reason);
    }

    /** Transfers in progress. */
    int staging() {
        return staging.size();
    }

    long staged() {
        return staged.get();
    }

    long purged() {
        return purged.get();
    }

    /** One status problem per video set aside and not taken back. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        setAside.forEach((id, reason) -> problems.add("set aside: " + reason));
        return problems;
    }

    /** Exponential backoff for a video that failed to stage: a poll interval, doubling, at most an hour. */
    private record StageRetry(int failures, Instant notBefore) {
        static StageRetry first(Instant now, Duration base) {
            return new StageRetry(1, now.plus(base));
        }

        StageRetry next(Instant now, Duration base) {
            int count = failures + 1;
            return new StageRetry(count, now.plus(WorkerBackoff.delay(base, count)));
        }
    }

    /** Stops staging and waits briefly for transfers to stop; idempotent. */
    @Override
    public void close() {
        closed = true;
        if (ownThreads == null) {
            return; // the host's executor: the host stops it
        }
        ownThreads.shutdownNow();
        try {
            ownThreads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
