package dev.juggler.samples.boxes;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.UnavailableException;
import dev.juggler.cluster.ClusterBackend;
import dev.juggler.cluster.JobSpec;
import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import dev.juggler.slurm.ssh.ExecResult;
import dev.juggler.slurm.ssh.RemoteCommand;
import dev.juggler.slurm.ssh.SshClient;
import dev.juggler.slurm.ssh.SshConfig;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ClusterBackend} for a few GPU machines reached over SSH with no batch system (a lab's GPU boxes or
 * VMs): the example of a custom backend that docs/custom-backend.md walks through.
 *
 * <h2>How it works</h2>
 * Each {@link Box} has a number of slots, one job each (slot {@code i} gets {@code CUDA_VISIBLE_DEVICES=i}).
 * {@link #submit} puts the jobs into this backend's own queue as {@link JobState#PENDING} and starts as many as
 * there are free slots, on the least busy boxes; the rest start when a slot frees, on a later {@code submit} or
 * {@code status} call (the juggler polls status every tick). {@code maxConcurrent} caps the running jobs of
 * one submission. A job is started with {@code nohup setsid} in its own directory
 * {@code <workDirectory>/<tag>/<jobId>/} on the box (see {@link BoxScripts}); it sees its id in
 * {@value ClusterBackend#JOB_ID_ENV} and its end (start + time limit, epoch ms by the box's clock) in
 * {@value ClusterBackend#JOB_DEADLINE_ENV}, like on SLURM; a watchdog on the box kills its process group
 * (TERM, then KILL 10 s later) at that deadline: {@link JobState#TIMEOUT}. Secrets go to a file only the user can
 * read that the job script sources. Every value from the spec is quoted by impl-slurm's {@code ShellQuote};
 * the scripts are constants that take their variable parts as positional parameters.
 *
 * <h2>Status, restarts, forgetting</h2>
 * {@link #status()} runs one command per box that lists the job directories under its work directory (every
 * tag: slots are counted across tags) with their pid, exit status and markers. Everything lives on the boxes,
 * so a new backend with the same {@linkplain Builder#tag(String) tag} (a restarted host) finds the jobs it
 * submitted. Jobs still in the queue live only in this process: a restarted host does not see them (they
 * never started) and submits again. A job whose directory disappears while it is active (the box was wiped)
 * is reported {@link JobState#GONE} once; an ended job is reported with its final state until its directory is
 * deleted, {@link Builder#finishedRetention(Duration)} after it ended. A job that ended without an exit status
 * is {@code FAILED}, or {@code NODE_FAILURE} if the box booted since it started.
 *
 * <h2>Limits</h2>
 * The slot is chosen from this process's last status read and claimed under a lock file on the box
 * ({@code flock}, where installed), so hosts sharing boxes do not start two jobs on one GPU. A job script must fit in {@value RemoteCommand#MAX_STDIN_BYTES} bytes. When no box answers, status
 * and submit throw {@link UnavailableException}; a box that does not answer keeps its jobs' last states.
 *
 * <p>Thread-safe: every operation holds one lock (they are a few SSH round trips, called once per tick).
 */
public final class SshBoxesBackend implements ClusterBackend {

    /** Default {@link Builder#finishedRetention(Duration)}: one day. */
    public static final Duration DEFAULT_FINISHED_RETENTION = Duration.ofDays(1);

    /** The form of this backend's job ids (also the job directories' names). */
    static final Pattern JOB_ID = Pattern.compile("bx-[0-9a-f]{16}");

    private static final Logger LOG = LoggerFactory.getLogger(SshBoxesBackend.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String tag;
    private final List<Box> boxes;
    private final Map<String, SshClient> clients = new LinkedHashMap<>();
    private final boolean ownsClients;
    private final long retentionMinutes;
    private final boolean cancelOnClose;
    private final Clock clock;

    private final Object lock = new Object();
    /** Guarded by {@link #lock}: every job this backend reports, in submission (or discovery) order. */
    private final Map<String, Tracked> tracked = new LinkedHashMap<>();
    /** Guarded by {@link #lock}: jobs waiting for a slot, in order. */
    private final Deque<Queued> queue = new ArrayDeque<>();
    /** Guarded by {@link #lock}: busy slots per box name, from the last status read plus the starts since. */
    private final Map<String, Set<Integer>> busy = new HashMap<>();
    private boolean polled;
    private boolean closed;

    /** A job this backend reports: its last status and, once started, its box. */
    private static final class Tracked {
        JobStatus status;
        String box;
        long group;

        Tracked(JobStatus status, String box, long group) {
            this.status = status;
            this.box = box;
            this.group = group;
        }
    }

    /** A job waiting in the queue. */
    private record Queued(String id, JobSpec spec, long group, int maxConcurrent) { }

    private SshBoxesBackend(Builder b) {
        this.tag = b.tag;
        this.boxes = List.copyOf(b.boxes);
        this.ownsClients = b.clients == null;
        Function<SshConfig, SshClient> open = ownsClients ? SshClient::open : b.clients;
        for (Box box : boxes) {
            clients.put(box.name(), open.apply(box.ssh()));
            busy.put(box.name(), new HashSet<>());
        }
        this.retentionMinutes = Math.max(1, b.finishedRetention.toMinutes());
        this.cancelOnClose = b.cancelOnClose;
        this.clock = b.clock;
    }

    /** A builder; {@link Builder#tag(String)} and at least one {@link Builder#box(Box)} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The tag that marks this backend's jobs (the directory {@code <workDirectory>/<tag>} on each box). */
    public String tag() {
        return tag;
    }

    @Override
    public List<String> submit(JobSpec spec, int count, int maxConcurrent) {
        Objects.requireNonNull(spec, "spec");
        if (count < 1) {
            throw InvalidConfigException.of("count", count, "must be >= 1");
        }
        if (maxConcurrent < 0) {
            throw InvalidConfigException.of("maxConcurrent", maxConcurrent, "must be >= 0 (0: no cap)");
        }
        if (spec.gpus() > 1) {
            throw InvalidConfigException.of("gpus", spec.gpus(), "must be 0 or 1: a box slot is one GPU");
        }
        byte[] script = BoxScripts.jobScript(spec, "bx-0000000000000000", 0, "/x").getBytes(StandardCharsets.UTF_8);
        if (script.length + 512 > RemoteCommand.MAX_STDIN_BYTES) {
            throw InvalidConfigException.of("spec", spec.name(), "its job script (" + script.length + " bytes) must fit in "
                    + RemoteCommand.MAX_STDIN_BYTES + " bytes; shorten the command (e.g. an @argfile instead of -cp)");
        }
        synchronized (lock) {
            ensureOpen();
            if (!polled) {
                poll(); // learn which slots are busy before choosing any
            }
            long group = RANDOM.nextLong();
            List<String> ids = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String id = newId();
                ids.add(id);
                queue.add(new Queued(id, spec, group, maxConcurrent));
                tracked.put(id, new Tracked(new JobStatus(id, spec.name(), JobState.PENDING, "queued",
                        Optional.of("queued: waiting for a free slot"), OptionalInt.empty()), null, group));
            }
            LOG.info("queued {} job(s) {} for {} box(es)", count, spec.name(), boxes.size());
            dispatch();
            return ids;
        }
    }

    @Override
    public List<JobStatus> status() {
        synchronized (lock) {
            ensureOpen();
            poll();
            dispatch();
            List<JobStatus> snapshot = new ArrayList<>();
            tracked.values().forEach(t -> snapshot.add(t.status));
            // Reported once: a job cancelled in the queue, or a job whose directory vanished.
            tracked.values().removeIf(t -> t.status.state() == JobState.GONE || t.box == null && t.status.state().isTerminal());
            return List.copyOf(snapshot);
        }
    }

    @Override
    public void cancel(Collection<String> jobIds) {
        List<String> ids = new ArrayList<>();
        for (String id : jobIds) {
            if (id == null || !JOB_ID.matcher(id).matches()) {
                throw InvalidConfigException.of("jobId", id, "must be an id of this backend, like bx-0123456789abcdef");
            }
            ids.add(id);
        }
        synchronized (lock) {
            ensureOpen();
            Map<String, List<String>> byBox = new LinkedHashMap<>();
            for (String id : ids) {
                Tracked t = tracked.get(id);
                if (t != null && t.box == null) {
                    if (queue.removeIf(q -> q.id().equals(id))) {
                        t.status = new JobStatus(id, t.status.name(), JobState.CANCELLED, "cancelled",
                                Optional.of("cancelled before it started"), OptionalInt.empty());
                    }
                    continue;
                }
                // Unknown to this process (an earlier host's job not polled yet): ask every box.
                for (Box box : boxes) {
                    if (t == null || box.name().equals(t.box)) {
                        byBox.computeIfAbsent(box.name(), k -> new ArrayList<>()).add(id);
                    }
                }
            }
            for (Map.Entry<String, List<String>> e : byBox.entrySet()) {
                Box box = boxes.stream().filter(b -> b.name().equals(e.getKey())).findFirst().orElseThrow();
                for (int i = 0; i < e.getValue().size(); i += 200) {
                    List<String> args = new ArrayList<>();
                    args.add(tagDirectory(box));
                    args.addAll(e.getValue().subList(i, Math.min(e.getValue().size(), i + 200)));
                    ExecResult r = exec(box, RemoteCommand.script(BoxScripts.CANCEL, args));
                    if (!r.ok()) {
                        throw JugglerException.permanentFailure("cancel on box " + box.name() + " failed (exit " + r.exitCode() + "): "
                                + BoxScripts.firstLine(r.err()), null);
                    }
                }
            }
        }
    }

    /**
     * Stops tracking. Queued jobs are dropped (they never started); running ones are left alone unless
     * {@link Builder#cancelOnClose(boolean)}. Closes the SSH connections it opened. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (cancelOnClose) {
                List<String> active = tracked.entrySet().stream().filter(e -> e.getValue().box != null
                        && e.getValue().status.state().isActive()).map(Map.Entry::getKey).toList();
                try {
                    if (!active.isEmpty()) {
                        cancel(active);
                    }
                } catch (JugglerException e) {
                    LOG.warn("could not cancel {} job(s) on close: {}", active.size(), e.getMessage());
                }
            }
            if (!queue.isEmpty()) {
                LOG.info("dropping {} queued job(s) that never started", queue.size());
                queue.clear();
            }
            closed = true;
            if (ownsClients) {
                clients.values().forEach(SshClient::close);
            }
        }
    }

    @Override
    public String toString() {
        return "SshBoxesBackend[tag=" + tag + ", boxes=" + boxes.stream().map(Box::name).toList() + "]";
    }

    // ---------------------------------------------------------------------------------------------

    /** Reads every box, adopts this tag's jobs, reports vanished ones GONE, and recounts the busy slots. */
    private void poll() {
        Map<String, List<SeenJob>> seenByBox = new LinkedHashMap<>();
        UnavailableException lastFailure = null;
        for (Box box : boxes) {
            try {
                ExecResult r = exec(box, RemoteCommand.script(BoxScripts.STATUS,
                        List.of(box.workDirectory(), Long.toString(retentionMinutes))));
                if (!r.ok()) {
                    throw JugglerException.permanentFailure("reading jobs on box " + box.name() + " failed (exit " + r.exitCode()
                            + "): " + BoxScripts.firstLine(r.err()), null);
                }
                List<SeenJob> seen = new ArrayList<>();
                for (String line : r.out().split("\n")) {
                    SeenJob.parse(line).ifPresent(seen::add);
                }
                seenByBox.put(box.name(), seen);
            } catch (UnavailableException e) {
                LOG.warn("box {} did not answer; keeping its jobs' last states: {}", box.name(), e.getMessage());
                lastFailure = e;
            }
        }
        if (seenByBox.isEmpty()) {
            throw new UnavailableException("no box answered (" + boxes.size() + " tried): " + lastFailure.getMessage(),
                    lastFailure.since().orElse(clock.instant()), lastFailure);
        }
        for (Map.Entry<String, List<SeenJob>> e : seenByBox.entrySet()) {
            String boxName = e.getKey();
            Set<Integer> slots = busy.get(boxName);
            slots.clear();
            Set<String> present = new HashSet<>();
            for (SeenJob job : e.getValue()) {
                if (job.active()) {
                    slots.add(job.slot());
                }
                if (!job.tag().equals(tag)) {
                    continue;
                }
                present.add(job.jobId());
                Tracked t = tracked.get(job.jobId());
                if (t == null) {
                    tracked.put(job.jobId(), new Tracked(job.status(boxName), boxName, 0)); // an earlier host's job
                } else {
                    t.box = boxName;
                    t.status = job.status(boxName);
                }
            }
            tracked.entrySet().removeIf(en -> {
                Tracked t = en.getValue();
                if (!boxName.equals(t.box) || present.contains(en.getKey())) {
                    return false;
                }
                if (t.status.state().isActive()) {
                    t.status = new JobStatus(en.getKey(), t.status.name(), JobState.GONE, "gone",
                            Optional.of("its directory on " + boxName + " is gone (last seen " + t.status.nativeState() + ")"),
                            OptionalInt.empty());
                    return false; // reported once by status()
                }
                return true; // ended and reported, now deleted by the retention: forget quietly
            });
        }
        polled = true;
    }

    /** Starts queued jobs on free slots, in queue order, within each submission's cap. */
    private void dispatch() {
        Set<String> unreachable = new HashSet<>();
        for (var it = queue.iterator(); it.hasNext(); ) {
            Queued q = it.next();
            if (q.maxConcurrent() > 0 && running(q.group()) >= q.maxConcurrent()) {
                continue;
            }
            Box box = freest(unreachable);
            if (box == null) {
                return;
            }
            int slot = freeSlot(box);
            try {
                if (!BoxScripts.start(clients.get(box.name()), box, tagDirectory(box) + "/" + q.id(), q.id(), slot, q.spec())) {
                    busy.get(box.name()).add(slot); // another host took it since our last status read
                    it = queue.iterator();
                    continue;
                }
                LOG.info("started job {} ({}) on box {} slot {}", q.id(), q.spec().name(), box.name(), slot);
                it.remove();
                busy.get(box.name()).add(slot);
                Tracked t = tracked.get(q.id());
                t.box = box.name();
                t.status = new JobStatus(q.id(), q.spec().name(), JobState.RUNNING, "running",
                        Optional.of("on " + box.name() + " slot " + slot), OptionalInt.empty());
            } catch (UnavailableException e) {
                LOG.warn("box {} did not answer; job {} waits for another slot: {}", box.name(), q.id(), e.getMessage());
                unreachable.add(box.name());
                it = queue.iterator(); // try this job again on another box
            } catch (JugglerException e) {
                it.remove();
                tracked.get(q.id()).status = new JobStatus(q.id(), q.spec().name(), JobState.FAILED, "not-started",
                        Optional.of(e.getMessage()), OptionalInt.empty());
                LOG.warn("job {} could not start on box {}: {}", q.id(), box.name(), e.getMessage());
            }
        }
    }

    private long running(long group) {
        return tracked.values().stream().filter(t -> t.group == group && t.box != null && t.status.state().isActive()).count();
    }

    /** The reachable box with the most free slots, or {@code null} when none has one. */
    private Box freest(Set<String> unreachable) {
        Box best = null;
        int bestFree = 0;
        for (Box box : boxes) {
            int free = box.slots() - (int) busy.get(box.name()).stream().filter(s -> s >= 0 && s < box.slots()).count();
            if (!unreachable.contains(box.name()) && free > bestFree) {
                best = box;
                bestFree = free;
            }
        }
        return best;
    }

    private int freeSlot(Box box) {
        for (int i = 0; i < box.slots(); i++) {
            if (!busy.get(box.name()).contains(i)) {
                return i;
            }
        }
        throw new IllegalStateException("no free slot on " + box.name());
    }

    private ExecResult exec(Box box, RemoteCommand command) {
        return clients.get(box.name()).exec(command);
    }

    private String tagDirectory(Box box) {
        return box.workDirectory() + "/" + tag;
    }

    private static String newId() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return "bx-" + HexFormat.of().formatHex(b);
    }

    private void ensureOpen() {
        if (closed) {
            throw JugglerException.permanentFailure("the SSH boxes backend " + tag + " is closed", null);
        }
    }

    /** Configures an {@link SshBoxesBackend}; each setter checks its value. Not thread-safe. */
    public static final class Builder {
        private String tag;
        private final List<Box> boxes = new ArrayList<>();
        private Function<SshConfig, SshClient> clients;
        private Duration finishedRetention = DEFAULT_FINISHED_RETENTION;
        private boolean cancelOnClose;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /**
         * Marks this backend's jobs: the directory {@code <workDirectory>/<tag>} on every box. Required, and must
         * stay the same for the life of a run: a restarted host finds its jobs by it.
         */
        public Builder tag(String value) {
            if (value == null || !value.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")) {
                throw InvalidConfigException.of("tag", value, "1-32 characters from A-Z a-z 0-9 _ . -, starting with a letter or digit");
            }
            this.tag = value;
            return this;
        }

        /** Adds a box; names must be unique. */
        public Builder box(Box box) {
            InvalidConfigException.required(box, "box");
            if (boxes.stream().anyMatch(b -> b.name().equals(box.name()))) {
                throw InvalidConfigException.of("box name", box.name(), "must be unique among the boxes");
            }
            boxes.add(box);
            return this;
        }

        /**
         * How the backend gets an SSH client per box; default {@link SshClient#open}, closed by the backend. With
         * this set, the caller owns the clients and closes them.
         */
        public Builder sshClients(Function<SshConfig, SshClient> factory) {
            this.clients = InvalidConfigException.required(factory, "sshClients");
            return this;
        }

        /** How long an ended job's directory (and its output, unless elsewhere) stays on the box; at least 1 minute. */
        public Builder finishedRetention(Duration value) {
            if (value == null || value.compareTo(Duration.ofMinutes(1)) < 0) {
                throw InvalidConfigException.of("finishedRetention", value, "must be at least 1 minute");
            }
            this.finishedRetention = value;
            return this;
        }

        /** Cancel running jobs on {@link #close()}; default {@code false} (workers finish their work). */
        public Builder cancelOnClose(boolean value) {
            this.cancelOnClose = value;
            return this;
        }

        /** The clock for "unavailable since" when the SSH layer does not say. */
        public Builder clock(Clock value) {
            this.clock = InvalidConfigException.required(value, "clock");
            return this;
        }

        public SshBoxesBackend build() {
            if (tag == null) {
                throw InvalidConfigException.of("tag", null, "is required: a restarted host finds its jobs by it; use one"
                        + " stable tag per run");
            }
            if (boxes.isEmpty()) {
                throw InvalidConfigException.of("boxes", "none", "give at least one box");
            }
            return new SshBoxesBackend(this);
        }
    }
}
