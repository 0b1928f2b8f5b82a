package dev.juggler.sim;

import dev.juggler.cluster.JobSpec;
import dev.juggler.ledger.FrameResult;
import dev.juggler.ledger.ResultStore;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.WorkEstimate;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.run.Juggler;
import dev.juggler.run.JugglerEvent;
import dev.juggler.run.JugglerListener;
import dev.juggler.run.JugglerStatus;
import dev.juggler.run.Worker;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;

/**
 * {@code juggler simulate}'s engine: the real {@link Juggler}, real {@link Worker}s and a real {@link WorkLedger},
 * run in simulated time against models of the cluster ({@link ClusterModel}), the workers' speed and failures
 * ({@link WorkerModel}), the stager ({@link StagerModel}) and the corpus ({@link CorpusModel}). A run of months
 * takes minutes: time comes only from the simulation's clock, and time moves only when every simulated process
 * sleeps (see {@link SimScheduler}). One seed gives one outcome.
 *
 * <pre>{@code
 * try (WorkLedger ledger = new InMemoryWorkLedger(Clock.systemUTC())) {  // any empty ledger; its clock is replaced
 *     SimulationReport report = Simulation.run(config, clock -> ledgerFor(clock), line -> System.out.println(line));
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one {@link #run} at a time per instance; the static entry point makes its own.
 */
public final class Simulation {

    /** Makes the empty ledger the simulation uses, reading time from the given (simulated) clock. */
    @FunctionalInterface
    public interface LedgerFactory {
        WorkLedger open(java.time.Clock clock);
    }

    private final SimulationConfig config;
    private final SimScheduler sim;
    private final Random random;
    private final long quantum;
    private final Consumer<String> progress;
    private final SimPipeline.Counters counters = new SimPipeline.Counters();
    private final Map<String, SimPipeline.Profile> profiles = new HashMap<>();
    private final List<SimulationReport.Sample> samples = new ArrayList<>();
    private final List<long[]> availability = new ArrayList<>();
    private WorkLedger rawLedger;
    private LedgerCounter counted;
    private SimCluster cluster;
    private SimStager stager;
    private Juggler juggler;
    private SimScheduler.Event nextTick;
    private JugglerStatus lastStatus;
    private boolean finished;
    private long ticks;
    private long lastDoneNanos;
    private long lastDoneFrames = -1;
    private double idleWaitingForStagingNodeSeconds;
    private double idleWithWorkNodeSeconds;
    private long queueDrySamples;
    private long nextProgressDay;

    private Simulation(SimulationConfig config, Consumer<String> progress) {
        this.config = Objects.requireNonNull(config, "config");
        this.sim = new SimScheduler(config.start());
        this.random = new Random(config.seed());
        this.quantum = config.frameQuantum();
        this.progress = progress == null ? line -> { } : progress;
    }

    /**
     * Runs one simulation to its end (all frames done or failed) or to the horizon.
     *
     * @param config what to simulate
     * @param ledgers opens the empty ledger to use, on the simulation's clock; closed by the caller's factory owner
     *     (the simulation closes it when done)
     * @param progress told a line about every simulated week, may be {@code null}
     */
    public static SimulationReport run(SimulationConfig config, LedgerFactory ledgers, Consumer<String> progress) {
        return new Simulation(config, progress).execute(ledgers);
    }

    private SimulationReport execute(LedgerFactory ledgers) {
        long wallStart = System.nanoTime();
        rawLedger = Objects.requireNonNull(ledgers.open(sim.clock()), "ledger");
        try (SimScheduler scheduler = sim) {
            counted = new LedgerCounter(rawLedger);
            WorkLedger ledger = counted.ledger();
            register(rawLedger);
            RunSettings run = config.run();
            ClusterModel model = config.cluster();
            int nodes = initialNodes();
            availability.add(new long[] {0, nodes});
            cluster = new SimCluster(sim, model, new Random(random.nextLong()), this::jobBody, nodes);
            stager = new SimStager(sim, config.stager(), run.workspaceBudget(), new Random(random.nextLong()));
            JobSpec spec = JobSpec.builder("juggler-sim", List.of("juggler", "worker")).timeLimit(model.timeLimit())
                    .gpus(model.gpusPerNode()).build();
            juggler = Juggler.builder(ledger, cluster, stager, spec).clock(sim.clock()).stagingExecutor(sim)
                    .pollInterval(run.pollInterval()).maxQueuedJobs(run.maxQueuedJobs()).maxActiveJobs(run.maxActiveJobs())
                    .framesPerWorker(frames(run.framesPerWorker())).parallelStaging(run.parallelStaging())
                    .runKey("simulation").listener(new Wake()).build();
            scheduleAvailability(nodes);
            scheduleMaintenance();
            sim.after(Duration.ZERO, this::sample);
            scheduleTick(Duration.ZERO);
            sim.run(() -> finished, config.start().plus(config.horizon()));
            juggler.close();
            return report(System.nanoTime() - wallStart);
        } finally {
            if (juggler != null) {
                juggler.close();
            }
            rawLedger.close();
        }
    }

    private void register(WorkLedger ledger) {
        Random damage = new Random(random.nextLong());
        for (Video video : config.corpus().videos(quantum)) {
            ledger.registerVideo(video);
            ledger.addTrack(TrackSpec.whole(video, config.run().analysis()));
            double nodeSecondsPerFrame = quantum / config.workers().rate(video.tags().get("speed"));
            long damaged = damage.nextDouble() < config.workers().damagedVideoShare()
                    ? (long) (damage.nextDouble() * video.frameCount()) : -1;
            profiles.put("sim:/workspace/" + video.id(), new SimPipeline.Profile(nodeSecondsPerFrame, damaged));
        }
    }

    /** Frames in the ledger's blocks, at least one. */
    private long frames(long realFrames) {
        return Math.max(1, (realFrames + quantum - 1) / quantum);
    }

    private int initialNodes() {
        ClusterModel.Availability a = config.cluster().availability();
        return a.trace().isEmpty() ? a.mean() : a.trace().get(0).nodes();
    }

    private Runnable jobBody(String jobId, Instant deadline, SimCluster.SimJob job) {
        Random jobRandom = new Random(random.nextLong());
        cluster.crashAfter(job, config.workers().crashesPerJobDay());
        return () -> {
            sim.sleep(config.workers().startup());
            RunSettings run = config.run();
            SimPipeline pipeline = new SimPipeline(sim, profiles, run.checkpointInterval(), config.workers().timeVariation(),
                    jobRandom, counters);
            Worker worker = Worker.builder(counted.ledger(), DISCARD, pipeline).clock(sim.clock()).workerId("sim-" + jobId)
                    .jobId(jobId).deadline(deadline).safetyMargin(run.safetyMargin()).leaseDuration(run.lease())
                    .initialChunkFrames(frames(run.initialChunk())).maxChunkFrames(frames(run.maxChunk()))
                    .targetChunkDuration(run.targetChunk()).checkpointEveryFrames((int) Math.min(Integer.MAX_VALUE,
                            frames(run.checkpointFrames())))
                    .checkpointInterval(run.checkpointInterval()).analysis(run.analysis()).build();
            job.onSignal = worker::requestStop;
            if (job.signalled) {
                worker.requestStop();
            }
            worker.run();
        };
    }

    /** Results are not kept: the simulation measures the schedule, not the analysis. */
    private static final ResultStore DISCARD = new ResultStore() {
        @Override
        public void storeResults(List<FrameResult> results) {
        }

        @Override
        public void readResults(long trackId, FrameRange range, Consumer<FrameResult> consumer) {
        }
    };

    /** Ticks early when a transfer ended, as the juggler's own tick loop does. */
    private final class Wake implements JugglerListener {
        @Override
        public void onEvent(JugglerEvent event) {
            if (event instanceof JugglerEvent.VideoStaged || event instanceof JugglerEvent.StagingFailed) {
                scheduleTick(Duration.ZERO);
            }
        }
    }

    private void scheduleTick(Duration delay) {
        SimScheduler.cancel(nextTick);
        nextTick = sim.after(delay, this::tick);
    }

    private void tick() {
        nextTick = null;
        lastStatus = juggler.tick();
        ticks++;
        WorkEstimate frames = lastStatus.progress().frames();
        if (frames.doneFrames() != lastDoneFrames) {
            lastDoneFrames = frames.doneFrames();
            lastDoneNanos = sim.nanos();
        }
        if (frames.isSettled() && frames.totalFrames() > 0) {
            finished = true;
            return;
        }
        if (nextTick == null) {
            scheduleTick(config.run().pollInterval());
        }
    }

    private void scheduleAvailability(int start) {
        ClusterModel.Availability a = config.cluster().availability();
        if (!a.trace().isEmpty()) {
            for (ClusterModel.TracePoint point : a.trace().subList(1, a.trace().size())) {
                sim.after(point.at(), () -> setAvailable(point.nodes()));
            }
            return;
        }
        if (a.volatility() > 0) {
            Random walk = new Random(random.nextLong());
            double[] level = {start};
            Runnable[] step = new Runnable[1];
            step[0] = () -> {
                level[0] += 0.1 * (a.mean() - level[0]) + a.volatility() * walk.nextGaussian();
                level[0] = Math.max(a.min(), Math.min(a.max(), level[0]));
                setAvailable((int) Math.round(level[0]));
                sim.after(a.step(), step[0]);
            };
            sim.after(a.step(), step[0]);
        }
    }

    private void setAvailable(int nodes) {
        if (nodes != cluster.available()) {
            availability.add(new long[] {sim.nanos(), nodes});
            cluster.setAvailable(nodes);
        }
    }

    private void scheduleMaintenance() {
        long horizon = config.horizon().toNanos();
        for (ClusterModel.Maintenance window : config.cluster().maintenance()) {
            for (long at = window.start().toNanos(); at < horizon; at += window.every().toNanos()) {
                sim.after(Duration.ofNanos(at), () -> cluster.setControllerUp(false));
                sim.after(Duration.ofNanos(at).plus(window.length()), () -> cluster.setControllerUp(true));
                if (window.every().isZero()) {
                    break;
                }
            }
        }
    }

    private void sample() {
        if (finished) {
            return;
        }
        // What the juggler's last tick read: the samples add no ledger reads of their own (they would cost as much
        // as the whole run on a big ledger).
        WorkEstimate estimate = lastStatus != null ? lastStatus.progress().frames() : new WorkEstimate(0, 0, 0, 0, 0);
        double hours = sim.nanos() / 3.6e12;
        int running = cluster.runningJobs();
        int queued = cluster.pendingJobs();
        int idle = Math.max(0, cluster.available() - running);
        double dt = config.sampleInterval().toNanos() / 1e9;
        if (estimate.claimableFrames() == 0 && estimate.waitingFrames() > 0) {
            idleWaitingForStagingNodeSeconds += idle * dt;
        } else if (estimate.claimableFrames() > 0) {
            idleWithWorkNodeSeconds += idle * dt;
            if (queued == 0 && idle > 0) {
                queueDrySamples++;
            }
        }
        samples.add(new SimulationReport.Sample(hours, cluster.available(), queued, running,
                estimate.doneFrames() * quantum, stager.takenBytes(), cluster.controllerUp()));
        long day = (long) (hours / 24);
        if (day >= nextProgressDay) {
            nextProgressDay = day + 7;
            double total = estimate.totalFrames();
            progress.accept(String.format(java.util.Locale.ROOT, "day %d: %.1f %% of frames done, %d running, %d queued, workspace %.0f GB",
                    day, total > 0 ? 100.0 * estimate.doneFrames() / total : 0, running, queued, stager.takenBytes() / 1e9));
        }
        sim.after(config.sampleInterval(), this::sample);
    }

    private SimulationReport report(long wallNanos) {
        WorkEstimate end = rawLedger.estimate();
        double workNodeSeconds = 0;
        for (Video video : config.corpus().videos(quantum)) {
            SimPipeline.Profile profile = profiles.get("sim:/workspace/" + video.id());
            long doable = profile.damagedFrame() >= 0 ? profile.damagedFrame() : video.frameCount();
            workNodeSeconds += doable * profile.secondsPerFrame();
        }
        double makespan = lastDoneNanos / 1e9;
        double ideal = idealSeconds(workNodeSeconds);
        double allocated = cluster.nodeNanosAllocatedNow() / 1e9;
        long redone = Math.max(0, counters.framesComputed - end.doneFrames());
        double days = Math.max(1e-9, (finished ? makespan : sim.nanos() / 1e9) / 86_400);
        int gpus = config.cluster().gpusPerNode();
        Map<String, Long> jobsEnded = new java.util.TreeMap<>();
        cluster.ended.forEach((state, count) -> jobsEnded.put(state.name(), count));
        return new SimulationReport(finished, Duration.ofNanos(sim.nanos()), Duration.ofNanos(lastDoneNanos),
                Duration.ofNanos((long) (ideal * 1e9)), makespan / ideal, usefulShare(allocated, end),
                config.corpus().totalFrames(), end.doneFrames() * quantum, end.failedFrames() * quantum, redone * quantum,
                (double) redone / Math.max(1, end.totalFrames()), idleWaitingForStagingNodeSeconds * gpus / 3600,
                idleWithWorkNodeSeconds * gpus / 3600, queueDrySamples, stager.peakBytes, config.run().workspaceBudget(),
                (cluster.statusCalls + cluster.submitCalls + cluster.cancelCalls) / days, counted.calls() / days,
                cluster.refusedCalls, cluster.submitCalls, cluster.jobsStarted, jobsEnded, stager.transfersFailed, ticks,
                allocated * gpus / 3600, Duration.ofNanos(wallNanos), sim.switches(), samples);
    }

    /**
     * The share of the allocated node time spent computing frames that were kept: the computing time, less the
     * part that went into frames computed again later (at the run's average time per frame). Measured, not
     * nominal, so that ranges that happened to run fast or slow do not tilt it.
     */
    private double usefulShare(double allocatedNodeSeconds, WorkEstimate end) {
        if (allocatedNodeSeconds <= 0 || counters.framesComputed <= 0) {
            return 0;
        }
        double kept = Math.min(1.0, (double) end.doneFrames() / counters.framesComputed);
        return Math.min(1.0, counters.nodeSecondsComputing * kept / allocatedNodeSeconds);
    }

    /** The time in which the available nodes could have done the work, had they never waited or lost anything. */
    private double idealSeconds(double workNodeSeconds) {
        double done = 0;
        for (int i = 0; i < availability.size(); i++) {
            double from = availability.get(i)[0] / 1e9;
            double nodes = availability.get(i)[1];
            double to = i + 1 < availability.size() ? availability.get(i + 1)[0] / 1e9 : Double.POSITIVE_INFINITY;
            if (nodes > 0 && done + nodes * (to - from) >= workNodeSeconds) {
                return from + (workNodeSeconds - done) / nodes;
            }
            if (Double.isFinite(to)) {
                done += nodes * (to - from);
            }
        }
        return Double.POSITIVE_INFINITY;
    }
}
