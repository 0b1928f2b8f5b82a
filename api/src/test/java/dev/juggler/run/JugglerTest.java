package dev.juggler.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.UnavailableException;
import dev.juggler.cluster.ClusterBackend;
import dev.juggler.cluster.JobSpec;
import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import dev.juggler.ledger.ChunkQuery;
import dev.juggler.ledger.ChunkView;
import dev.juggler.ledger.ClaimRequest;
import dev.juggler.ledger.FrameResult;
import dev.juggler.ledger.Lease;
import dev.juggler.ledger.LedgerReader;
import dev.juggler.ledger.Progress;
import dev.juggler.ledger.RescheduleFilter;
import dev.juggler.ledger.StageState;
import dev.juggler.ledger.TrackQuery;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.TrackView;
import dev.juggler.ledger.VideoRecord;
import dev.juggler.ledger.WorkEstimate;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.stage.StageListener;
import dev.juggler.stage.StagedVideo;
import dev.juggler.stage.VideoStager;
import dev.juggler.stage.WorkspaceUsage;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import dev.juggler.video.VideoException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The control loop's own decisions, against in-memory stand-ins for the ledger, backend and stager. */
class JugglerTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    /** Only what the juggler calls; the real ledgers are proven by their own contract suite. */
    static class FakeLedger implements WorkLedger, LedgerReader {
        final Map<String, VideoRecord> videos = new LinkedHashMap<>();
        final List<String> revoked = new CopyOnWriteArrayList<>();
        final List<String> purgeable = new ArrayList<>();
        volatile long claimable;
        volatile long waiting;
        volatile long done;
        int reaps;

        void add(String id, long bytes) {
            videos.put(id, new VideoRecord(new Video(id, "/src/" + id, 100, 25, bytes, Map.of()), StageState.NOT_STAGED,
                    Optional.empty(), Optional.empty()));
        }

        @Override
        public synchronized void markStage(String videoId, StageState state, Optional<String> location, Optional<String> error) {
            VideoRecord old = videos.get(videoId);
            videos.put(videoId, new VideoRecord(old.video(), state, location, error));
        }

        @Override
        public synchronized List<VideoRecord> videosToStage(int limit) {
            return videos.values().stream()
                    .filter(v -> v.stageState() == StageState.NOT_STAGED || v.stageState() == StageState.STAGE_FAILED)
                    .limit(limit).toList();
        }

        @Override
        public synchronized List<VideoRecord> videosToPurge() {
            return purgeable.stream().map(videos::get).filter(v -> v.stageState() == StageState.STAGED).toList();
        }

        @Override
        public synchronized Optional<VideoRecord> video(String videoId) {
            return Optional.ofNullable(videos.get(videoId));
        }

        @Override
        public WorkEstimate estimate() {
            return new WorkEstimate(claimable, waiting, 0, done, 0);
        }

        @Override
        public int revokeJob(String jobId, String reason) {
            revoked.add(jobId + ": " + reason);
            return 1;
        }

        @Override
        public int reapExpired() {
            reaps++;
            return 0;
        }

        @Override
        public LedgerReader reader() {
            return this;
        }

        @Override
        public Progress progress() {
            return new Progress(0, 0, 0, 0, estimate());
        }

        @Override
        public void registerVideo(Video video) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long addTrack(TrackSpec spec) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Lease> claim(ClaimRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Lease heartbeat(Lease lease, long checkpoint) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void complete(Lease lease, long doneUntil) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void fail(Lease lease, long doneUntil, String reason, boolean permanent) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int reschedule(RescheduleFilter filter) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void storeResults(List<FrameResult> results) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void readResults(long trackId, FrameRange range, Consumer<FrameResult> consumer) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<TrackView> tracks(TrackQuery query) {
            return List.of();
        }

        @Override
        public List<ChunkView> chunks(ChunkQuery query) {
            return List.of();
        }

        @Override
        public void close() {
        }
    }

    static final class FakeBackend implements ClusterBackend {
        final List<JobStatus> jobs = new CopyOnWriteArrayList<>();
        final List<Integer> submissions = new CopyOnWriteArrayList<>();
        volatile boolean down;
        int statusCalls;

        @Override
        public List<String> submit(JobSpec spec, int count, int maxConcurrent) {
            submissions.add(count);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String id = "job-" + (jobs.size() + 1);
                jobs.add(status(id, JobState.PENDING));
                ids.add(id);
            }
            return ids;
        }

        @Override
        public List<JobStatus> status() {
            statusCalls++;
            if (down) {
                throw new UnavailableException("controller does not answer", Instant.parse("2025-12-31T23:00:00Z"), null);
            }
            return List.copyOf(jobs);
        }

        void set(String id, JobState state) {
            jobs.replaceAll(j -> j.jobId().equals(id) ? status(id, state) : j);
        }

        static JobStatus status(String id, JobState state) {
            return new JobStatus(id, "w", state, state.name(), Optional.empty(), OptionalInt.empty());
        }

        @Override
        public void cancel(Collection<String> jobIds) {
        }

        @Override
        public void close() {
        }
    }

    static final class FakeStager implements VideoStager {
        final long budget;
        final List<String> staged = new CopyOnWriteArrayList<>();
        final List<String> purged = new CopyOnWriteArrayList<>();
        volatile long used;

        FakeStager(long budget) {
            this.budget = budget;
        }

        @Override
        public StagedVideo stage(Video video, StageListener listener) {
            if (video.id().startsWith("broken")) {
                throw new VideoException(video.location(), VideoException.Kind.UNREADABLE, -1, "no such file", null);
            }
            used += video.sizeBytes();
            staged.add(video.id());
            return new StagedVideo(video.id(), "/ws/" + video.id(), video.sizeBytes());
        }

        @Override
        public void purge(String videoId) {
            purged.add(videoId);
        }

        @Override
        public WorkspaceUsage usage() {
            return new WorkspaceUsage(budget, used, 0);
        }

        @Override
        public List<StagedVideo> list() {
            return List.of();
        }

        @Override
        public void close() {
        }
    }

    final FakeLedger ledger = new FakeLedger();
    final FakeBackend backend = new FakeBackend();
    final JobSpec spec = JobSpec.builder("w", List.of("true")).build();

    Juggler juggler(FakeStager stager) {
        return Juggler.builder(ledger, backend, stager, spec).framesPerWorker(1000).maxQueuedJobs(5).maxActiveJobs(8)
                .clock(CLOCK).build();
    }

    @Test
    void submitsWhatTheClaimableFramesJustifyWithinTheCaps() {
        try (Juggler juggler = juggler(new FakeStager(1000))) {
            ledger.claimable = 2500;
            juggler.tick();
            assertEquals(List.of(3), backend.submissions, "ceil(2500 / 1000) workers");
            juggler.tick();
            assertEquals(List.of(3), backend.submissions, "three already queued for those frames");
            ledger.claimable = 100_000;
            juggler.tick();
            assertEquals(List.of(3, 2), backend.submissions, "queue cap 5");
            backend.jobs.forEach(j -> backend.set(j.jobId(), JobState.RUNNING));
            juggler.tick();
            assertEquals(List.of(3, 2, 3), backend.submissions, "active cap 8");
            JugglerStatus status = juggler.tick();
            assertEquals(List.of(3, 2, 3), backend.submissions);
            assertEquals(8, status.jobsSubmitted());
            assertEquals(5, status.jobsRunning());
            assertEquals(3, status.jobsPending());
            assertEquals(5, backend.statusCalls, "one status call per tick");
        }
    }

    @Test
    void workersThatKeepFailingWithoutProgressBackOffSubmissionsUntilOneCompletes() {
        dev.juggler.testing.MutableClock clock = new dev.juggler.testing.MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        List<JugglerEvent> events = new CopyOnWriteArrayList<>();
        Duration poll = Duration.ofMinutes(1);
        try (Juggler juggler = Juggler.builder(ledger, backend, new FakeStager(1000), spec).framesPerWorker(1000)
                .maxQueuedJobs(2).pollInterval(poll).failedJobsBeforeBackoff(3).clock(clock)
                .listener(new JugglerListener() {
                    @Override
                    public void onStatus(JugglerStatus status) {
                    }

                    @Override
                    public void onEvent(JugglerEvent event) {
                        events.add(event);
                    }
                }).build()) {
            ledger.claimable = 100_000;
            juggler.tick();
            assertEquals(List.of(2), backend.submissions);
            // Two fail at once (a worker that cannot start): below the threshold, replacements go out.
            failAll(JobState.FAILED);
            juggler.tick();
            assertEquals(List.of(2, 2), backend.submissions);
            // The third failure in a row: no submission now, the status says why, an event says until when.
            failAll(JobState.OUT_OF_MEMORY);
            JugglerStatus status = juggler.tick();
            assertEquals(List.of(2, 2), backend.submissions);
            assertTrue(status.problems().stream().anyMatch(p -> p.startsWith("workers failing: 4 jobs in a row")),
                    status.problems().toString());
            JugglerEvent.WorkersFailing failing = (JugglerEvent.WorkersFailing) events.stream()
                    .filter(e -> e instanceof JugglerEvent.WorkersFailing).findFirst().orElseThrow();
            assertEquals(4, failing.jobsInARow());
            assertEquals(clock.instant().plus(poll), failing.nextSubmission());
            assertTrue(failing.lastFailure().contains("OUT_OF_MEMORY"), failing.lastFailure());
            clock.advance(poll);
            juggler.tick();
            assertEquals(List.of(2, 2, 2), backend.submissions, "one poll interval later");
            // Failing again doubles the wait: nothing after one interval, a submission after two.
            failAll(JobState.FAILED);
            juggler.tick();
            clock.advance(poll);
            juggler.tick();
            assertEquals(List.of(2, 2, 2), backend.submissions);
            clock.advance(poll);
            juggler.tick();
            assertEquals(List.of(2, 2, 2, 2), backend.submissions);
            // A job that completes ends the backoff at once.
            backend.set(backend.jobs.get(backend.jobs.size() - 1).jobId(), JobState.COMPLETED);
            failAll(JobState.FAILED);
            juggler.tick();
            assertEquals(List.of(2, 2, 2, 2, 2), backend.submissions);
        }
    }

    @Test
    void failingJobsWhileFramesGetDoneDoNotBackOff() {
        try (Juggler juggler = Juggler.builder(ledger, backend, new FakeStager(1000), spec).framesPerWorker(1000)
                .maxQueuedJobs(3).failedJobsBeforeBackoff(2).clock(CLOCK).build()) {
            ledger.claimable = 100_000;
            juggler.tick();
            for (int round = 1; round <= 3; round++) {
                ledger.done += 500; // the failed jobs got work done before they died: not a crash loop
                failAll(JobState.FAILED);
                JugglerStatus status = juggler.tick();
                assertEquals(round + 1, backend.submissions.size(), "round " + round + ": " + status.problems());
            }
        }
    }

    private void failAll(JobState state) {
        backend.jobs.stream().filter(j -> !j.state().isTerminal()).map(JobStatus::jobId).toList()
                .forEach(id -> backend.set(id, state));
    }

    @Test
    void revokesTheLeasesOfAnEndedJobOnce() {
        try (Juggler juggler = juggler(new FakeStager(1000))) {
            backend.jobs.add(FakeBackend.status("j1", JobState.RUNNING));
            backend.jobs.add(FakeBackend.status("j2", JobState.RUNNING));
            juggler.tick();
            assertTrue(ledger.revoked.isEmpty());
            backend.set("j1", JobState.OUT_OF_MEMORY);
            juggler.tick();
            juggler.tick();
            assertEquals(1, ledger.revoked.size());
            assertTrue(ledger.revoked.get(0).startsWith("j1: job j1 ended: OUT_OF_MEMORY"), ledger.revoked.toString());
            assertEquals(1, juggler.status().orElseThrow().jobsEnded());
        }
    }

    @Test
    void anUnreachableClusterIsReportedAndTheRestOfTheTickGoesOn() {
        try (Juggler juggler = juggler(new FakeStager(1000))) {
            ledger.claimable = 5000;
            backend.down = true;
            JugglerStatus status = juggler.tick();
            assertEquals(Optional.of(Instant.parse("2025-12-31T23:00:00Z")), status.clusterUnavailableSince());
            assertTrue(backend.submissions.isEmpty(), "nothing is submitted blind");
            assertEquals(1, ledger.reaps, "expired leases are still reaped");
            assertFalse(status.problems().isEmpty());
            backend.down = false;
            status = juggler.tick();
            assertTrue(status.clusterUnavailableSince().isEmpty());
            assertEquals(List.of(5), backend.submissions);
        }
    }

    @Test
    void stagesInPlanOrderWithinTheBudgetAndRecordsFailures() throws Exception {
        FakeStager stager = new FakeStager(250);
        ledger.add("a", 100);
        ledger.add("broken-b", 10);
        ledger.add("c", 100);
        ledger.add("d", 100);
        try (Juggler juggler = Juggler.builder(ledger, backend, stager, spec).parallelStaging(4).clock(CLOCK).build()) {
            juggler.tick();
            awaitNoStaging(juggler);
            assertEquals(List.of("a", "c"), stager.staged.stream().sorted().toList(), "d does not fit into 250 bytes");
            assertEquals(StageState.STAGED, ledger.videos.get("a").stageState());
            assertEquals(Optional.of("/ws/a"), ledger.videos.get("a").stagedLocation());
            assertEquals(StageState.STAGE_FAILED, ledger.videos.get("broken-b").stageState());
            assertTrue(ledger.videos.get("broken-b").stageError().orElseThrow().contains("no such file"));
            assertEquals(StageState.NOT_STAGED, ledger.videos.get("d").stageState());

            ledger.purgeable.add("a");
            stager.used -= 100;
            juggler.tick();
            awaitNoStaging(juggler);
            assertEquals(List.of("a"), stager.purged);
            assertEquals(StageState.PURGED, ledger.videos.get("a").stageState());
            assertTrue(stager.staged.contains("d"), "d fits once a is purged");
        }
    }

    private static void awaitNoStaging(Juggler juggler) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end) {
            if (juggler.tick().videosStaging() == 0) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("staging did not finish");
    }
}
