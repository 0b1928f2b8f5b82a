package dev.juggler.sim;

import dev.juggler.InvalidConfigException;
import dev.juggler.UnavailableException;
import dev.juggler.cluster.ClusterBackend;
import dev.juggler.cluster.JobSpec;
import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;

/**
 * A batch cluster in simulated time, behind the real {@link ClusterBackend} interface: a FIFO queue, one job per
 * node, the nodes available over time, a wall-time limit with SIGTERM and kill, node failures, worker crashes,
 * preemption when nodes go away, and maintenance windows in which the juggler cannot reach the controller (its
 * calls fail as unavailable, while the cluster goes on starting the jobs already queued).
 *
 * <p>Used only by the process that holds the simulation's turn (see {@link SimScheduler}); the juggler's bounded
 * status call runs on its own thread while the turn holder waits for it, which is safe for the same reason.
 */
final class SimCluster implements ClusterBackend {

    /** What runs inside a job: its worker, given the job's id, end and stop hook. */
    interface JobBody {
        Runnable body(String jobId, Instant deadline, SimJob job);
    }

    /** One job's simulated life. */
    static final class SimJob {
        final String id;
        final String name;
        JobState state = JobState.PENDING;
        String reason;
        Instant startedAt;
        Instant endedAt;
        SimScheduler.Process process;
        JobState endAs;
        boolean signalled;
        Runnable onSignal;
        boolean goneReported;
        private final List<SimScheduler.Event> timers = new ArrayList<>();

        SimJob(String id, String name) {
            this.id = id;
            this.name = name;
        }

        /** Delivers SIGTERM (once): the worker checkpoints and returns the rest. */
        void signal() {
            if (!signalled) {
                signalled = true;
                if (onSignal != null) {
                    onSignal.run();
                }
            }
        }
    }

    private final SimScheduler sim;
    private final ClusterModel model;
    private final Random random;
    private final JobBody bodies;
    private final Map<String, SimJob> jobs = new LinkedHashMap<>();
    private final Deque<SimJob> queue = new ArrayDeque<>();
    private final List<SimJob> placed = new ArrayList<>();
    private int available;
    private boolean controllerUp = true;
    private Instant downSince;
    private long nextId = 1;
    // counters for the report
    long statusCalls;
    long submitCalls;
    long cancelCalls;
    long refusedCalls;
    long jobsStarted;
    long nodeNanosAllocated;
    final Map<JobState, Long> ended = new LinkedHashMap<>();

    SimCluster(SimScheduler sim, ClusterModel model, Random random, JobBody bodies, int initialNodes) {
        this.sim = sim;
        this.model = model;
        this.random = random;
        this.bodies = bodies;
        this.available = initialNodes;
    }

    @Override
    public List<String> submit(JobSpec spec, int count, int maxConcurrent) {
        if (count < 1) {
            throw InvalidConfigException.of("count", count, "must be >= 1");
        }
        requireController();
        submitCalls++;
        List<String> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            SimJob job = new SimJob(Long.toString(nextId++), spec.name());
            jobs.put(job.id, job);
            queue.add(job);
            ids.add(job.id);
        }
        place();
        return ids;
    }

    @Override
    public List<JobStatus> status() {
        requireController();
        statusCalls++;
        List<JobStatus> answer = new ArrayList<>(jobs.size());
        Instant forgetBefore = sim.now().minus(model.endedJobsVisibleFor());
        for (Iterator<SimJob> it = jobs.values().iterator(); it.hasNext();) {
            SimJob job = it.next();
            if (job.endedAt != null && job.endedAt.isBefore(forgetBefore)) {
                answer.add(statusOf(job, JobState.GONE, "forgotten by the controller"));
                it.remove();
                continue;
            }
            answer.add(statusOf(job, job.state, job.reason));
        }
        return answer;
    }

    private static JobStatus statusOf(SimJob job, JobState state, String reason) {
        return new JobStatus(job.id, job.name, state, state.name(), Optional.ofNullable(reason), OptionalInt.empty());
    }

    @Override
    public void cancel(Collection<String> jobIds) {
        requireController();
        cancelCalls++;
        for (String id : jobIds) {
            SimJob job = jobs.get(id);
            if (job == null || job.state.isTerminal()) {
                continue;
            }
            if (job.state == JobState.PENDING) {
                queue.remove(job);
                end(job, JobState.CANCELLED, "cancelled"); // also gives back a node it was placed on
            } else {
                job.endAs = JobState.CANCELLED;
                job.reason = "cancelled";
                sim.kill(job.process);
            }
        }
    }

    @Override
    public void close() {
        // nothing to release: the simulation owns the processes
    }

    private void requireController() {
        if (!controllerUp) {
            refusedCalls++;
            throw new UnavailableException("the simulated controller is down for maintenance", downSince, null);
        }
    }

    /** Nodes the jobs may have from now on; preempts the newest jobs when fewer than run now. */
    void setAvailable(int nodes) {
        available = nodes;
        int excess = busy() - available;
        if (excess > 0) {
            // Jobs waiting for their start give their node back first, then the newest running ones go.
            for (int i = placed.size() - 1; i >= 0 && excess > 0; i--) {
                SimJob job = placed.get(i);
                if (job.state == JobState.PENDING) {
                    placed.remove(i);
                    job.timers.forEach(SimScheduler::cancel);
                    job.timers.clear();
                    queue.addFirst(job);
                    excess--;
                }
            }
            if (model.preemptOnShrink()) {
                for (int i = placed.size() - 1; i >= 0 && excess > 0; i--) {
                    SimJob job = placed.get(i);
                    if (job.state == JobState.RUNNING && job.endAs == null) {
                        terminate(job, JobState.PREEMPTED, "preempted: node taken back");
                        excess--;
                    }
                }
            }
        }
        place();
    }

    int available() {
        return available;
    }

    /** Nodes taken by jobs that are starting, running, or were told to go and have not yet. */
    private int busy() {
        int busy = 0;
        for (SimJob job : placed) {
            if (job.endAs != JobState.PREEMPTED) {
                busy++;
            }
        }
        return busy;
    }

    void setControllerUp(boolean up) {
        controllerUp = up;
        downSince = up ? null : sim.now();
        if (up) {
            place();
        }
    }

    boolean controllerUp() {
        return controllerUp;
    }

    int pendingJobs() {
        return queue.size() + (int) placed.stream().filter(j -> j.state == JobState.PENDING).count();
    }

    int runningJobs() {
        return (int) placed.stream().filter(j -> j.state == JobState.RUNNING).count();
    }

    private void place() {
        while (!queue.isEmpty() && placed.size() < available) {
            SimJob job = queue.poll();
            placed.add(job);
            Duration wait = exponential(model.queueWait());
            job.timers.add(sim.after(wait, () -> start(job)));
        }
    }

    private void start(SimJob job) {
        job.timers.clear();
        jobsStarted++;
        job.state = JobState.RUNNING;
        job.startedAt = sim.now();
        Instant deadline = job.startedAt.plus(model.timeLimit());
        job.process = sim.spawn("job-" + job.id, bodies.body(job.id, deadline, job), () -> processEnded(job));
        job.timers.add(sim.after(model.timeLimit(), () -> terminate(job, JobState.TIMEOUT, "time limit")));
        double failRate = model.nodeFailuresPerNodeDay();
        if (failRate > 0) {
            Duration failsIn = exponential(Duration.ofNanos((long) (86_400e9 / failRate)));
            if (failsIn.compareTo(model.timeLimit()) < 0) {
                job.timers.add(sim.after(failsIn, () -> {
                    job.endAs = JobState.NODE_FAILURE;
                    job.reason = "node failure";
                    sim.kill(job.process);
                }));
            }
        }
    }

    /** Schedules a crash of the worker after an exponential time at the given rate per day; used by the runner. */
    void crashAfter(SimJob job, double perDay) {
        if (perDay <= 0) {
            return;
        }
        Duration crashesIn = exponential(Duration.ofNanos((long) (86_400e9 / perDay)));
        if (crashesIn.compareTo(model.timeLimit()) < 0) {
            job.timers.add(sim.after(crashesIn, () -> {
                if (job.endAs == null) {
                    job.endAs = JobState.FAILED;
                    job.reason = "worker crashed";
                    sim.kill(job.process);
                }
            }));
        }
    }

    /** SIGTERM now, the kill after the grace. */
    private void terminate(SimJob job, JobState as, String reason) {
        if (job.state != JobState.RUNNING || job.process.ended()) {
            return;
        }
        job.endAs = as;
        job.reason = reason;
        job.signal();
        sim.wakeEarly(job.process);
        job.timers.add(sim.after(model.killGrace(), () -> sim.kill(job.process)));
    }

    private void processEnded(SimJob job) {
        JobState state = job.endAs != null ? job.endAs : JobState.COMPLETED;
        end(job, state, job.reason);
    }

    private void end(SimJob job, JobState state, String reason) {
        job.timers.forEach(SimScheduler::cancel);
        job.timers.clear();
        if (job.startedAt != null) {
            nodeNanosAllocated += Duration.between(job.startedAt, sim.now()).toNanos();
        }
        job.state = state;
        job.reason = reason;
        job.endedAt = sim.now();
        placed.remove(job);
        ended.merge(state, 1L, Long::sum);
        place();
    }

    /** Node time allocated so far, including the jobs running now. */
    long nodeNanosAllocatedNow() {
        long running = 0;
        for (SimJob job : placed) {
            if (job.state == JobState.RUNNING) {
                running += Duration.between(job.startedAt, sim.now()).toNanos();
            }
        }
        return nodeNanosAllocated + running;
    }

    private Duration exponential(Duration mean) {
        if (mean.isZero()) {
            return Duration.ZERO;
        }
        double u = random.nextDouble();
        return Duration.ofNanos((long) (-Math.log(1 - u) * mean.toNanos()));
    }
}
