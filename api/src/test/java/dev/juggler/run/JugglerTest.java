package dev.juggler.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.juggler.JugglerException;
import dev.juggler.UnavailableException;
import dev.juggler.cluster.ClusterBackend;
import dev.juggler.cluster.JobSpec;
import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import dev.juggler.ledger.ChunkQuery;
import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.ClaimRequest;
import dev.juggler.ledger.InMemoryWorkLedger;
import dev.juggler.ledger.JobQuery;
import dev.juggler.ledger.JobRecord;
import dev.juggler.ledger.JobRecords;
import dev.juggler.ledger.JobStateChange;
import dev.juggler.ledger.Submission;
import dev.juggler.ledger.SubmissionIntent;
import dev.juggler.ledger.Lease;
import dev.juggler.ledger.StageState;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.VideoRecord;
import dev.juggler.stage.StageListener;
import dev.juggler.stage.StagedVideo;
import dev.juggler.stage.VideoStager;
import dev.juggler.stage.WorkspaceUsage;
import dev.juggler.testing.MutableClock;
import dev.juggler.video.Video;
import dev.juggler.video.VideoException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The control loop's own decisions, against the in-memory ledger and in-memory stand-ins for the backend and stager. */
class JugglerTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    /**
     * The in-memory reference ledger (real semantics: staging plan, claimable frames, set-aside, leases),
     * with the knobs these tests need: a reap that fails, the revocations recorded, job records whose
     * writes can fail, and helpers that put work into it.
     */
    static class TestLedger extends InMemoryWorkLedger {
        static final Duration LEASE = Duration.ofDays(1);
        final List<String> revoked = new CopyOnWriteArrayList<>();
        volatile boolean reapFails;
        final AtomicInteger reaps = new AtomicInteger();
        /** The job records, shared by every juggler on this ledger (a restart keeps them). */
        final FlakyRecords jobs = new FlakyRecords(super.jobRecords());
        private final AtomicInteger works = new AtomicInteger();

        TestLedger() {
            super(CLOCK);
        }

        @Override
        public JobRecords jobRecords() {
            return jobs;
        }

        @Override
        public int revokeJob(String jobId, String reason) {
            revoked.add(jobId + ": " + reason);
            return super.revokeJob(jobId, reason);
        }

        @Override
        public int reapExpired() {
            if (reapFails) {
                throw new JugglerException("ledger connection lost", true, null);
            }
            reaps.incrementAndGet();
            return super.reapExpired();
        }

        /** Registers a video of 100 frames and {@code bytes} bytes with a track to do: the juggler stages it. */
        void add(String id, long bytes) {
            Video video = new Video(id, "/src/" + id, 100, 25, bytes, Map.of());
            registerVideo(video);
            addTrack(TrackSpec.whole(video, "pose"));
        }

        /** Adds {@code frames} claimable frames: a staged video with a track over them. */
        void addWork(long frames) {
            addWork(frames, 0);
        }

        void addWork(long frames, int priority) {
            String id = "work-" + works.incrementAndGet();
            Video video = new Video(id, "/src/" + id, frames, 25, frames, Map.of());
            registerVideo(video);
            markStaged(id, "/ws/" + id);
            addTrack(new TrackSpec(id, "pose", video.allFrames(), priority));
        }

        /** A worker of batch job {@code jobId} leases {@code frames} frames (from the best claimable chunk). */
        Lease claimFor(String jobId, long frames) {
            return claim(ClaimRequest.of("worker-of-" + jobId, frames, LEASE).withJobId(jobId)).orElseThrow();
        }

        /** Someone outside the tests' jobs does {@code frames} claimable frames. */
        void doFrames(long frames) {
            Lease lease = claim(ClaimRequest.of("elsewhere", frames, LEASE)).orElseThrow();
            complete(lease, lease.range().to());
        }

        /** Does all the work of a staged video; other work claimed meanwhile is given back untouched. */
        void finish(String videoId) {
            List<Lease> others = new ArrayList<>();
            for (Optional<Lease> lease = claim(ClaimRequest.of("elsewhere", Long.MAX_VALUE, LEASE)); lease.isPresent();
                    lease = claim(ClaimRequest.of("elsewhere", Long.MAX_VALUE, LEASE))) {
                if (lease.get().videoId().equals(videoId)) {
                    complete(lease.get(), lease.get().range().to());
                } else {
                    others.add(lease.get());
                }
            }
            others.forEach(l -> complete(l, l.range().from()));
        }

        VideoRecord record(String videoId) {
            return video(videoId).orElseThrow();
        }

        /** The reason a video's work was set aside for, or null. */
        String setAsideReason(String videoId) {
            return reader().chunks(new ChunkQuery(Optional.empty(), Optional.of(ChunkState.FAILED), 0, 100).ofVideo(videoId)).stream()
                    .map(c -> c.failureReason().orElse("")).filter(r -> r.startsWith(SET_ASIDE_PREFIX)).findFirst().orElse(null);
        }
    }

    /** Job records whose writes of submitted ids can be made to fail (a crash right after the submit call). */
    static final class FlakyRecords implements JobRecords {
        final JobRecords delegate;
        volatile boolean failSubmitted;

        FlakyRecords(JobRecords delegate) {
            this.delegate = delegate;
        }

        @Override
        public long recordSubmission(SubmissionIntent intent) {
            return delegate.recordSubmission(intent);
        }

        @Override
        public void recordSubmitted(long submissionId, List<String> jobIds, Instant at) {
            if (failSubmitted) {
                throw new JugglerException("ledger connection lost", true, null);
            }
            delegate.recordSubmitted(submissionId, jobIds, at);
        }

        @Override
        public void recordAdopted(String runKey, OptionalLong submissionId, List<String> jobIds, Instant at) {
            delegate.recordAdopted(runKey, submissionId, jobIds, at);
        }

        @Override
        public boolean recordState(JobStatus status, Instant at) {
            return delegate.recordState(status, at);
        }

        @Override
        public void recordRunReport(dev.juggler.ledger.RunReport report) {
            delegate.recordRunReport(report);
        }

        @Override
        public List<dev.juggler.ledger.RunReport> runReports() {
            return delegate.runReports();
        }

        @Override
        public boolean settle(JobStatus finalStatus, Instant at) {
            return delegate.settle(finalStatus, at);
        }

        @Override
        public List<JobRecord> unsettled(String runKey) {
            return delegate.unsettled(runKey);
        }

        @Override
        public List<Submission> unconfirmed(String runKey) {
            return delegate.unconfirmed(runKey);
        }

        @Override
        public List<JobRecord> find(Collection<String> jobIds) {
            return delegate.find(jobIds);
        }

        @Override
        public List<JobStateChange> history(String jobId) {
            return delegate.history(jobId);
        }

        @Override
        public List<JobRecord> jobs(JobQuery query) {
            return delegate.jobs(query);
        }
    }

    static final class FakeBackend implements ClusterBackend {
        final List<JobStatus> jobs = new CopyOnWriteArrayList<>();
        final List<Integer> submissions = new CopyOnWriteArrayList<>();
        final AtomicInteger nextId = new AtomicInteger();
        volatile boolean down;
        /** When set, submit() submits the jobs and then fails (the answer was lost). */
        volatile boolean failAfterSubmit;
        volatile Instant downSince = Instant.parse("2025-12-31T23:00:00Z");
        /** When set, status() answers this (stale) snapshot instead of the jobs. */
        volatile List<JobStatus> frozen;
        /** When set, status() waits for it (at most 5 s) before answering, and counts down {@link #returned}. */
        volatile CountDownLatch hold;
        /** When set, submit() waits for it (at most 5 s) before submitting, and then counts down {@link #submitted}. */
        volatile CountDownLatch submitHold;
        final CountDownLatch submitted = new CountDownLatch(1);
        final CountDownLatch returned = new CountDownLatch(1);
        /** When set, each status() call advances this clock by {@link #callTakes}: a slow controller. */
        volatile MutableClock clock;
        volatile Duration callTakes = Duration.ZERO;
        final AtomicInteger statusCalls = new AtomicInteger();

        @Override
        public List<String> submit(JobSpec spec, int count, int maxConcurrent) {
            submissions.add(count);
            CountDownLatch gate = submitHold;
            if (gate != null) {
                try {
                    gate.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                return submitNow(count);
            } finally {
                if (gate != null) {
                    submitted.countDown();
                }
            }
        }

        private List<String> submitNow(int count) {
            if (failAfterSubmit) {
                for (int i = 0; i < count; i++) {
                    jobs.add(status("job-" + nextId.incrementAndGet(), JobState.PENDING));
                }
                throw new UnavailableException("connection lost after sbatch was sent", Instant.EPOCH, null);
            }
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String id = "job-" + nextId.incrementAndGet();
                jobs.add(status(id, JobState.PENDING));
                ids.add(id);
            }
            return ids;
        }

        @Override
        public List<JobStatus> status() {
            statusCalls.incrementAndGet();
            if (clock != null) {
                clock.advance(callTakes);
            }
            CountDownLatch gate = hold;
            if (gate != null) {
                try {
                    gate.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                if (down) {
                    throw new UnavailableException("controller does not answer", downSince, null);
                }
                List<JobStatus> snapshot = frozen;
                return snapshot != null ? snapshot : List.copyOf(jobs);
            } finally {
                if (gate != null) {
                    returned.countDown();
                }
            }
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

    final TestLedger ledger = new TestLedger();
    final FakeBackend backend = new FakeBackend();
    final JobSpec spec = JobSpec.builder("w", List.of("true")).build();

    Juggler juggler(FakeStager stager) {
        return Juggler.builder(ledger, backend, stager, spec).framesPerWorker(1000).maxQueuedJobs(5).maxActiveJobs(8)
                .clock(CLOCK).build();
    }

    @Test
    void submitsWhatTheClaimableFramesJustifyWithinTheCaps() {
        try (Juggler juggler = juggler(new FakeStager(1000))) {
            ledger.addWork(2500);
            juggler.tick();
            assertEquals(List.of(3), backend.submissions, "ceil(2500 / 1000) workers");
            juggler.tick();
            assertEquals(List.of(3), backend.submissions, "three already queued for those frames");
            ledger.addWork(97_500);
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
            assertEquals(5, backend.statusCalls.get(), "one status call per tick");
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
            ledger.addWork(100_000);
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
            ledger.addWork(100_000);
            juggler.tick();
            for (int round = 1; round <= 3; round++) {
                ledger.doFrames(500); // the failed jobs got work done before they died: not a crash loop
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
            ledger.addWork(5000);
            backend.down = true;
            JugglerStatus status = juggler.tick();
            assertEquals(Optional.of(Instant.parse("2025-12-31T23:00:00Z")), status.clusterUnavailableSince());
            assertTrue(backend.submissions.isEmpty(), "nothing is submitted blind");
            assertEquals(1, ledger.reaps.get(), "expired leases are still reaped");
            assertFalse(status.problems().isEmpty());
            dev.juggler.ledger.RunReport report = ledger.jobs.runReports().get(0);
            assertEquals(status.clusterUnavailableSince(), report.clusterUnavailableSince(),
                    "the outage is in the run's report for an operator's status in another process");
            assertEquals(status.problems(), report.problems());
            assertEquals(status.nextTick(), report.nextTick());
            backend.down = false;
            status = juggler.tick();
            assertTrue(status.clusterUnavailableSince().isEmpty());
            assertEquals(List.of(5), backend.submissions);
            assertEquals(1, ledger.jobs.runReports().size(), "one report per run, replaced each tick");
            assertTrue(ledger.jobs.runReports().get(0).clusterUnavailableSince().isEmpty());
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
            JugglerStatus first = juggler.tick();
            assertEquals(1, first.waiting().size(), first.toString());
            assertTrue(first.waiting().get(0).startsWith("video d (100 bytes) waits for workspace space: 40 of 250 bytes free"),
                    "the status says why a video waits: " + first.waiting());
            awaitNoStaging(juggler);
            assertEquals(List.of("a", "c"), stager.staged.stream().sorted().toList(), "d does not fit into 250 bytes");
            assertEquals(StageState.STAGED, ledger.record("a").stageState());
            assertEquals(Optional.of("/ws/a"), ledger.record("a").stagedLocation());
            assertEquals(StageState.STAGE_FAILED, ledger.record("broken-b").stageState());
            assertTrue(ledger.record("broken-b").stageError().orElseThrow().contains("no such file"));
            assertEquals(StageState.NOT_STAGED, ledger.record("d").stageState());

            ledger.finish("a"); // its tracks are done: it may be purged
            stager.used -= 100;
            juggler.tick();
            awaitNoStaging(juggler);
            assertEquals(List.of("a"), stager.purged);
            assertEquals(StageState.PURGED, ledger.record("a").stageState());
            assertTrue(stager.staged.contains("d"), "d fits once a is purged");
            assertEquals(List.of(), juggler.tick().waiting(), "nothing waits any more");
        }
    }

    @Test
    void aStagingExecutorThatRefusesLeavesNothingCountedAndStagingResumesWhenItAccepts() throws Exception {
        FakeStager stager = new FakeStager(250);
        ledger.add("a", 100);
        java.util.concurrent.atomic.AtomicBoolean refuse = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.Executor executor = task -> {
            if (refuse.get()) {
                throw new java.util.concurrent.RejectedExecutionException("queue full");
            }
            task.run();
        };
        try (Juggler juggler = Juggler.builder(ledger, backend, stager, spec).stagingExecutor(executor).clock(CLOCK).build()) {
            for (int i = 0; i < 5; i++) {
                JugglerStatus status = juggler.tick();
                assertEquals(0, status.videosStaging(), "a refused transfer is not staging");
                assertTrue(status.waiting().get(0).contains("refused"), status.waiting().toString());
            }
            refuse.set(false);
            juggler.tick();
            assertEquals(List.of("a"), stager.staged);
            assertEquals(StageState.STAGED, ledger.record("a").stageState());
        }
    }

    // --- findings from a run against SLURM ----------------------------------------------------------

    final List<JugglerEvent> events = new CopyOnWriteArrayList<>();

    JugglerListener recorder() {
        return new JugglerListener() {
            @Override
            public void onEvent(JugglerEvent event) {
                events.add(event);
            }
        };
    }

    <T extends JugglerEvent> List<T> events(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Captures what the juggler logs (its helpers log under its name too). */
    static final class Logs implements AutoCloseable {
        final ListAppender<ILoggingEvent> appender = new ListAppender<>();
        final ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Juggler.class);

        final Level level = logger.getLevel();

        Logs() {
            appender.start();
            logger.addAppender(appender);
            logger.setLevel(Level.INFO);
        }

        List<String> at(Level level, String containing) {
            synchronized (appender) {
                return appender.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage)
                        .filter(m -> m.contains(containing)).toList();
            }
        }

        @Override
        public void close() {
            logger.detachAppender(appender);
            logger.setLevel(level);
        }
    }

    @Test
    void jobsTheStatusDoesNotShowYetCountAsPendingSoTheQueueCapHolds() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        backend.frozen = List.of(); // the backend answers from a snapshot taken before anything was submitted
        ledger.addWork(100_000);
        try (Logs logs = new Logs();
                Juggler juggler = Juggler.builder(ledger, backend, new FakeStager(1000), spec).framesPerWorker(1000)
                        .maxQueuedJobs(2).pollInterval(Duration.ofMinutes(1)).clock(clock).build()) {
            for (int i = 0; i < 10; i++) { // early ticks, one after each staged video
                JugglerStatus status = juggler.tick();
                assertEquals(List.of(2), backend.submissions, "tick " + i + ": the queue cap is a cap");
                assertEquals(2, status.jobsPending(), "submitted, not shown yet: pending");
                clock.advance(Duration.ofSeconds(50));
            }
            backend.frozen = null; // the backend shows them now
            backend.frozen = List.copyOf(backend.jobs);
            assertEquals(2, juggler.tick().jobsPending());
            backend.frozen = null;
            backend.jobs.clear(); // the backend forgets them: they are not counted for ever
            backend.frozen = List.of();
            juggler.tick();
            assertEquals(List.of(2, 2), backend.submissions, "seen jobs that vanish are not pending");
            clock.advance(Duration.ofMinutes(9));
            juggler.tick();
            assertEquals(List.of(2, 2), backend.submissions, "within the grace of 10 minutes");
            assertTrue(logs.at(Level.WARN, "has not appeared").isEmpty());
            clock.advance(Duration.ofMinutes(1));
            JugglerStatus status = juggler.tick();
            assertEquals(List.of(2, 2, 2), backend.submissions, "after the grace, unseen jobs stop counting");
            assertEquals(2, status.jobsPending(), "the new ones");
            assertEquals(2, logs.at(Level.WARN, "has not appeared in the cluster's status within PT10M").size());
        }
    }

    @Test
    void aRunningWorkerAbsorbsTheFramesItWillClaimNext() {
        // A 300-frame video; the one running worker holds a 100-frame lease; a worker does 400 frames.
        backend.jobs.add(FakeBackend.status("j1", JobState.RUNNING));
        ledger.addWork(300);
        ledger.claimFor("j1", 100);
        try (Juggler juggler = Juggler.builder(ledger, backend, new FakeStager(1000), spec).framesPerWorker(400)
                .clock(CLOCK).build()) {
            juggler.tick();
            assertEquals(List.of(), backend.submissions, "j1 will claim the other 200 frames itself");
            ledger.addWork(300, 1);
            ledger.claimFor("j1", 300); // j1 holds a whole worker's share: the rest needs another worker
            juggler.tick();
            assertEquals(List.of(1), backend.submissions);
            juggler.tick();
            assertEquals(List.of(1), backend.submissions, "the pending one absorbs 400 frames");
        }
    }

    @Test
    void aStatusCallThatHangsIsBoundedTheTickGoesOnAndTheOutageIsReportedFromItsStart() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        Instant start = clock.instant();
        FakeStager stager = new FakeStager(1000);
        ledger.add("a", 100);
        ledger.registerVideo(new Video("p", "/src/p", 100, 25, 100, Map.of()));
        ledger.markStaged("p", "/ws/p"); // staged without work to do: it may be purged
        ledger.addWork(5000);
        backend.hold = new CountDownLatch(1);
        try (Logs logs = new Logs();
                Juggler juggler = Juggler.builder(ledger, backend, stager, spec).framesPerWorker(1000).maxQueuedJobs(5)
                        .pollInterval(Duration.ofMinutes(1)).statusTimeout(Duration.ofMillis(100)).clock(clock)
                        .listener(recorder()).build()) {
            JugglerStatus first = juggler.tick();
            assertEquals(Optional.of(start), first.clusterUnavailableSince());
            assertTrue(first.problems().contains("cluster: no answer for 100ms"), first.problems().toString());
            assertEquals(List.of(), backend.submissions, "nothing is submitted blind");
            assertEquals(List.of("p"), stager.purged, "purging goes on");
            // The status counts it while its transfer runs; the stager once it is done (both, in between).
            assertTrue(first.videosStaging() == 1 || stager.staged.equals(List.of("a")), "staging goes on: " + first.problems());
            assertEquals(List.of(new JugglerEvent.ClusterUnavailable(start, "no answer for 100ms")),
                    events(JugglerEvent.ClusterUnavailable.class));

            clock.advance(Duration.ofSeconds(30));
            JugglerStatus second = juggler.tick();
            assertEquals(1, backend.statusCalls.get(), "the call still running is not started again");
            assertEquals(Optional.of(start), second.clusterUnavailableSince());
            assertTrue(second.problems().contains("cluster: no answer for 30s"), second.problems().toString());
            assertEquals(1, events(JugglerEvent.ClusterUnavailable.class).size(), "one event per outage");
            assertEquals(1, logs.at(Level.WARN, "cluster unavailable since " + start).size(), "one WARN per outage");
            assertEquals(2, logs.at(Level.WARN, "read job states failed").size(), "each tick's failed step is logged");

            backend.hold.countDown();
            assertTrue(backend.returned.await(5, TimeUnit.SECONDS));
            clock.advance(Duration.ofSeconds(30));
            JugglerStatus third = juggler.tick();
            assertEquals(Optional.empty(), third.clusterUnavailableSince());
            assertEquals(List.of(5), backend.submissions);
            assertEquals(List.of(new JugglerEvent.ClusterRecovered(start, Duration.ofMinutes(1))),
                    events(JugglerEvent.ClusterRecovered.class));
            assertEquals(1, logs.at(Level.INFO, "cluster available again after an outage of 1m00s (since " + start).size());
        }
    }

    @Test
    void aSubmitCallThatHangsIsBoundedDatesTheOutageFromItsStartAndIsNotStartedTwice() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        Instant start = clock.instant();
        ledger.addWork(5000);
        backend.submitHold = new CountDownLatch(1);
        try (Juggler juggler = Juggler.builder(ledger, backend, new FakeStager(1000), spec).framesPerWorker(1000).maxQueuedJobs(10)
                .maxActiveJobs(10).pollInterval(Duration.ofMinutes(1)).statusTimeout(Duration.ofMillis(100)).clock(clock).build()) {
            JugglerStatus first = juggler.tick();
            assertEquals(Optional.of(start), first.clusterUnavailableSince(), "an sbatch that hangs is an outage from its start");
            assertTrue(first.problems().stream().anyMatch(p -> p.contains("no answer for 100ms to a submit call")),
                    first.problems().toString());
            assertEquals(5, first.jobsPending(), "the call may still submit: its jobs count as queued");
            clock.advance(Duration.ofSeconds(30));
            ledger.addWork(15_000);
            JugglerStatus second = juggler.tick();
            assertTrue(second.problems().stream().anyMatch(p -> p.contains("still runs")), second.problems().toString());
            assertEquals(List.of(5), backend.submissions, "no second submit while the first may still submit");

            backend.submitHold.countDown();
            assertTrue(backend.submitted.await(5, TimeUnit.SECONDS));
            clock.advance(Duration.ofSeconds(30));
            JugglerStatus third = juggler.tick();
            // The backend has returned, but the juggler's submit thread may not have handed its answer over yet
            // (seen in CI): until it has, a tick still finds the call running and must not submit.
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5); backend.submissions.size() < 2
                    && third.problems().stream().anyMatch(p -> p.contains("still runs")) && System.nanoTime() < deadline; ) {
                assertEquals(List.of(5), backend.submissions, "no second submit while the first may still submit");
                Thread.sleep(5);
                third = juggler.tick();
            }
            assertEquals(List.of(5, 5), backend.submissions, "once it returned, submitting goes on up to the cap");
            assertEquals(10, third.jobsPending(), "the late call's jobs show and are adopted, with the new ones");
        }
    }

    @Test
    void aSlowFailingStatusCallDatesTheOutageFromItsStartAndEveryFailedStepIsLogged() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        Instant start = clock.instant();
        backend.clock = clock;
        backend.callTakes = Duration.ofSeconds(9); // squeue against a stopped controller
        backend.down = true;
        backend.downSince = null;
        try (Logs logs = new Logs();
                Juggler juggler = Juggler.builder(ledger, backend, new FakeStager(1000), spec).statusTimeout(Duration.ofSeconds(5))
                        .clock(clock).listener(recorder()).build()) {
            assertEquals(Optional.of(start), juggler.tick().clusterUnavailableSince(), "the start of the failed call");
            assertEquals(Optional.of(start), juggler.tick().clusterUnavailableSince());
            assertEquals(List.of(new JugglerEvent.ClusterUnavailable(start, "controller does not answer")),
                    events(JugglerEvent.ClusterUnavailable.class));
            assertEquals(2, logs.at(Level.WARN, "read job states failed (retried next tick): controller does not answer").size());
            backend.down = false;
            assertEquals(Optional.empty(), juggler.tick().clusterUnavailableSince());
            assertEquals(List.of(new JugglerEvent.ClusterRecovered(start, Duration.ofSeconds(27))),
                    events(JugglerEvent.ClusterRecovered.class));

            ledger.reapFails = true;
            juggler.tick();
            juggler.tick();
            assertEquals(2, logs.at(Level.WARN, "reap expired leases failed (retried next tick): ledger connection lost").size());
            assertEquals(2, events(JugglerEvent.StepFailed.class).stream().filter(e -> e.step().equals("reap expired leases")).count());
        }
    }

    @Test
    void aVideoLargerThanTheWholeBudgetIsSetAsideAndStagingGoesOn() throws Exception {
        FakeStager stager = new FakeStager(250);
        ledger.add("a", 100);
        ledger.add("huge", 1000);
        ledger.add("c", 100);
        ledger.add("d", 100);
        ledger.add("e", 10);
        try (Juggler juggler = Juggler.builder(ledger, backend, stager, spec).parallelStaging(4).clock(CLOCK)
                .listener(recorder()).build()) {
            juggler.tick();
            awaitNoStaging(juggler);
            assertEquals(List.of("a", "c"), stager.staged.stream().sorted().toList(), "no head-of-line blocking by huge");
            String reason = ledger.setAsideReason("huge");
            assertTrue(reason != null && reason.startsWith("set aside: video huge is 1000 bytes, larger than the whole workspace"
                    + " budget of 250 bytes; raise workspace.budget"), String.valueOf(reason));
            List<JugglerEvent.VideoSetAside> setAside = events(JugglerEvent.VideoSetAside.class);
            assertEquals(1, setAside.size());
            assertEquals("huge", setAside.get(0).videoId());
            JugglerStatus status = juggler.tick();
            assertTrue(status.problems().stream().anyMatch(p -> p.startsWith("set aside: video huge is 1000 bytes")),
                    status.problems().toString());
            assertEquals(StageState.NOT_STAGED, ledger.record("d").stageState(), "d fits the budget, not the free space");
            assertEquals(StageState.NOT_STAGED, ledger.record("e").stageState(), "plan order: e waits behind d");
            assertEquals(0, status.videosStaging(), "nothing staging: a video set aside is no transfer");
            assertEquals(100, ledger.estimate().failedFrames(), "huge's frames are set aside, not pending");

            ledger.takeBack("huge");
            status = juggler.tick();
            assertEquals(2, events(JugglerEvent.VideoSetAside.class).size(), "taken back and still too large");
        }
    }

    @Test
    void jobsThatHadEndedBeforeARestartAreSettledButDoNotBackOffSubmissions() {
        backend.jobs.add(FakeBackend.status("old-1", JobState.COMPLETED));
        backend.jobs.add(FakeBackend.status("old-2", JobState.FAILED));
        backend.jobs.add(FakeBackend.status("old-3", JobState.OUT_OF_MEMORY));
        ledger.addWork(100_000);
        try (Juggler juggler = Juggler.builder(ledger, backend, new FakeStager(1000), spec).framesPerWorker(1000)
                .maxQueuedJobs(2).failedJobsBeforeBackoff(1).clock(CLOCK).listener(recorder()).build()) {
            JugglerStatus status = juggler.tick();
            assertEquals(3, ledger.revoked.size(), "their leases are revoked all the same");
            assertEquals(List.of(2), backend.submissions, status.problems().toString());
            assertEquals(List.of(), events(JugglerEvent.WorkersFailing.class));
            // A job of this run that fails does count.
            failAll(JobState.FAILED);
            status = juggler.tick();
            assertEquals(List.of(2), backend.submissions);
            assertEquals(2, events(JugglerEvent.WorkersFailing.class).get(0).jobsInARow());
        }
    }

    // --- restart safety: the job records -------------------------------------------------------------

    Juggler restartable(MutableClock clock) {
        return Juggler.builder(ledger, backend, new FakeStager(1000), spec).framesPerWorker(1000).maxQueuedJobs(2)
                .pollInterval(Duration.ofMinutes(1)).failedJobsBeforeBackoff(1).clock(clock).listener(recorder()).build();
    }

    @Test
    void aJugglerThatCrashedBetweenSubmitAndWriteIsNotRepeatedByItsSuccessorWhichAdoptsTheJobs() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        ledger.addWork(100_000);
        backend.frozen = List.of(); // the status does not show the new jobs yet
        ledger.jobs.failSubmitted = true; // the write after the submit call never happens: the juggler dies here
        Juggler crashed = restartable(clock);
        crashed.tick();
        assertEquals(List.of(2), backend.submissions);
        crashed.close();
        ledger.jobs.failSubmitted = false;
        List<Submission> intents = ledger.jobs.unconfirmed("w");
        assertEquals(1, intents.size(), "the intent was written before the submit call");
        assertEquals(2, intents.get(0).intent().jobCount());

        try (Juggler restarted = restartable(clock)) {
            for (int i = 0; i < 9; i++) {
                clock.advance(Duration.ofMinutes(1));
                JugglerStatus status = restarted.tick();
                assertEquals(List.of(2), backend.submissions, "minute " + (i + 1) + ": the intent counts as pending");
                assertEquals(2, status.jobsPending());
            }
            backend.frozen = null; // the status shows the crashed juggler's jobs now
            JugglerStatus status = restarted.tick();
            assertEquals(List.of(2), backend.submissions);
            assertEquals(2, status.jobsPending());
            assertEquals(List.of(), ledger.jobs.unconfirmed("w"));
            List<JobRecord> adopted = ledger.jobs.unsettled("w");
            assertEquals(List.of("job-1", "job-2"), adopted.stream().map(JobRecord::jobId).toList());
            for (JobRecord record : adopted) {
                assertTrue(record.adopted());
                assertEquals(OptionalLong.of(intents.get(0).id()), record.submissionId());
                assertEquals(Instant.parse("2026-01-01T00:00:00Z"), record.submittedAt());
                assertEquals(Optional.of(JobState.PENDING), record.state());
            }
            clock.advance(Duration.ofMinutes(30)); // long after the grace: they are shown, so they still count
            restarted.tick();
            assertEquals(List.of(2), backend.submissions);
        }
    }

    @Test
    void aSubmitCallThatFailsAfterSubmittingIsNotRepeatedWithinTheGraceAndItsJobsAreAdopted() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        ledger.addWork(100_000);
        backend.frozen = List.of();
        backend.failAfterSubmit = true;
        try (Juggler juggler = restartable(clock)) {
            JugglerStatus status = juggler.tick();
            assertTrue(status.problems().stream().anyMatch(p -> p.contains("connection lost after sbatch")), status.problems().toString());
            backend.failAfterSubmit = false;
            clock.advance(Duration.ofMinutes(5));
            assertEquals(2, juggler.tick().jobsPending(), "the failed submission may have happened");
            assertEquals(List.of(2), backend.submissions);
            backend.frozen = null;
            juggler.tick();
            assertEquals(List.of(2), backend.submissions);
            assertEquals(List.of("job-1", "job-2"), ledger.jobs.unsettled("w").stream().map(JobRecord::jobId).toList());
            // Without a sign of them, an intent stops counting after the grace.
            backend.jobs.clear();
            backend.frozen = List.of();
            backend.failAfterSubmit = true;
            clock.advance(Duration.ofMinutes(20));
            juggler.tick(); // job-1 and job-2 are no longer shown; a new submission fails after submitting
            backend.failAfterSubmit = false;
            clock.advance(Duration.ofMinutes(9));
            juggler.tick();
            assertEquals(List.of(2, 2), backend.submissions, "within the grace");
            clock.advance(Duration.ofMinutes(1));
            juggler.tick();
            assertEquals(List.of(2, 2, 2), backend.submissions, "after the grace");
            assertEquals(List.of(), ledger.jobs.unconfirmed("w"), "the expired intent is closed");
        }
    }

    @Test
    void aRestartedJugglerDoesNotSettleOrCountJobsItsPredecessorSettled() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        ledger.addWork(100_000);
        try (Juggler first = restartable(clock)) {
            first.tick();
            assertEquals(List.of(2), backend.submissions);
            backend.set("job-1", JobState.FAILED);
            clock.advance(Duration.ofMinutes(1));
            JugglerStatus status = first.tick();
            assertEquals(1, status.jobsEnded());
            assertEquals(1, ledger.revoked.size());
            assertEquals(1, events(JugglerEvent.JobEnded.class).size());
            assertEquals(1, events(JugglerEvent.WorkersFailing.class).size());
        }
        events.clear();
        clock.advance(Duration.ofHours(2)); // past the backoff; job-1 is still listed as FAILED, job-2 still pending
        try (Juggler second = restartable(clock)) {
            JugglerStatus status = second.tick();
            assertEquals(0, status.jobsEnded(), "settled by the first juggler");
            assertEquals(1, ledger.revoked.size(), "its leases are not revoked again");
            assertEquals(List.of(), events(JugglerEvent.JobEnded.class));
            assertEquals(List.of(), events(JugglerEvent.WorkersFailing.class), "nor counted towards the backoff");
            assertEquals(List.of(2, 1), backend.submissions, "job-2 is pending and taken over, one more fits the cap of 2");
            assertEquals(List.of("job-2", "job-3"), ledger.jobs.unsettled("w").stream().map(JobRecord::jobId).toList());
            backend.set("job-2", JobState.COMPLETED);
            clock.advance(Duration.ofMinutes(1));
            assertEquals(1, second.tick().jobsEnded(), "what ends now is settled by the second juggler, once");
            assertEquals(1, second.tick().jobsEnded());
            assertEquals(2, ledger.revoked.size());
        }
    }

    @Test
    void everyChangeOfAJobsStateIsRecordedOnceWithNativeStateReasonAndExitCode() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        ledger.addWork(500);
        try (Juggler juggler = restartable(clock)) {
            juggler.tick();
            assertEquals(List.of(1), backend.submissions);
            Instant submitted = clock.instant();
            clock.advance(Duration.ofMinutes(1));
            backend.jobs.replaceAll(j -> new JobStatus(j.jobId(), "w", JobState.PENDING, "PENDING", Optional.of("Priority"),
                    OptionalInt.empty()));
            juggler.tick();
            clock.advance(Duration.ofMinutes(1));
            backend.set("job-1", JobState.RUNNING);
            juggler.tick();
            clock.advance(Duration.ofMinutes(1));
            juggler.tick(); // no change: nothing appended
            clock.advance(Duration.ofMinutes(1));
            backend.jobs.replaceAll(j -> new JobStatus(j.jobId(), "w", JobState.OUT_OF_MEMORY, "OUT_OF_MEMORY",
                    Optional.of("oom-kill"), OptionalInt.of(137)));
            juggler.tick();
            juggler.tick();
            List<JobStateChange> history = ledger.jobs.history("job-1");
            assertEquals(List.of( // the status read in the first tick came before the submission
                    new JobStateChange(submitted.plusSeconds(60), JobState.PENDING, "PENDING", Optional.of("Priority"), OptionalInt.empty()),
                    new JobStateChange(submitted.plusSeconds(120), JobState.RUNNING, "RUNNING", Optional.empty(), OptionalInt.empty()),
                    new JobStateChange(submitted.plusSeconds(240), JobState.OUT_OF_MEMORY, "OUT_OF_MEMORY", Optional.of("oom-kill"),
                            OptionalInt.of(137))), history);
            JobRecord record = ledger.jobs.find(List.of("job-1")).get(0);
            assertEquals(Optional.of(submitted.plusSeconds(240)), record.endedAt());
            assertEquals(Optional.of(submitted.plusSeconds(240)), record.settledAt());
            assertFalse(record.adopted());
            assertEquals(submitted, record.submittedAt());
            assertEquals(List.of(record), ledger.jobs.jobs(JobQuery.firstPage(10).inState(JobState.OUT_OF_MEMORY)));
        }
    }

    @Test
    void aRecordedJobTheRestartedBackendNeverShowsIsSettledAsGoneAfterTheGrace() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        ledger.addWork(500);
        try (Juggler first = restartable(clock)) {
            first.tick();
            backend.set("job-1", JobState.RUNNING);
            first.tick();
        }
        backend.jobs.clear(); // a new backend that cannot see its predecessor's jobs
        ledger.doFrames(500); // the work got done meanwhile: nothing is claimable
        try (Juggler second = restartable(clock)) {
            second.tick();
            clock.advance(Duration.ofMinutes(9));
            assertEquals(0, second.tick().jobsEnded());
            assertEquals(List.of(), ledger.revoked);
            clock.advance(Duration.ofMinutes(1));
            assertEquals(1, second.tick().jobsEnded());
            assertEquals(1, ledger.revoked.size());
            assertTrue(ledger.revoked.get(0).startsWith("job-1: job job-1 ended: GONE (GONE, not shown by the cluster for PT10M"),
                    ledger.revoked.get(0));
            assertEquals(List.of(), ledger.jobs.unsettled("w"));
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
