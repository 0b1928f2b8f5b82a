package dev.juggler.sim;

import dev.juggler.InvalidConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The batch cluster as the simulation sees it. One worker job takes one whole node. Immutable and thread-safe;
 * the constructors check every value and name the field in their error.
 *
 * @param nodes nodes in the partition
 * @param gpusPerNode GPUs of a node (all used by its one job)
 * @param availability how many of the nodes the jobs can have over time
 * @param queueWait mean time from a free node to the job's start (exponentially distributed): the controller's
 *     scheduling cycle and the node's prologue
 * @param timeLimit a job's wall-time limit; it gets SIGTERM then, and is killed {@code killGrace} later
 * @param killGrace time between SIGTERM and the kill, at the time limit and on preemption
 * @param nodeFailuresPerNodeDay node failures per node and day (the job dies at once, NODE_FAIL)
 * @param preemptOnShrink when availability drops below the running jobs, the newest are preempted (SIGTERM, kill
 *     after the grace); otherwise they run to their end and only new starts wait
 * @param maintenance windows in which the juggler cannot reach the controller (login node or controller down for
 *     maintenance): every status, submit and cancel call fails as unavailable; the jobs already queued still start
 * @param endedJobsVisibleFor how long the controller reports an ended job before it forgets it (then GONE once)
 */
public record ClusterModel(int nodes, int gpusPerNode, Availability availability, Duration queueWait, Duration timeLimit,
        Duration killGrace, double nodeFailuresPerNodeDay, boolean preemptOnShrink, List<Maintenance> maintenance,
        Duration endedJobsVisibleFor) {

    public ClusterModel {
        InvalidConfigException.requireInRange("cluster.nodes", nodes, 1, 1_000_000);
        InvalidConfigException.requireInRange("cluster.gpusPerNode", gpusPerNode, 1, 64);
        InvalidConfigException.required(availability, "cluster.availability");
        if (availability.max() > nodes) {
            throw InvalidConfigException.of("cluster.availability.max", availability.max(), "must be <= cluster.nodes (" + nodes + ")");
        }
        InvalidConfigException.requireNonNegative("cluster.queueWait", queueWait);
        InvalidConfigException.requirePositive("cluster.timeLimit", timeLimit);
        InvalidConfigException.requireNonNegative("cluster.killGrace", killGrace);
        InvalidConfigException.requireInRange("cluster.nodeFailuresPerNodeDay", nodeFailuresPerNodeDay, 0, 24);
        maintenance = List.copyOf(maintenance);
        InvalidConfigException.requirePositive("cluster.endedJobsVisibleFor", endedJobsVisibleFor);
    }

    /**
     * Nodes the jobs can have over time: a random walk that reverts to {@code mean} within [{@code min},
     * {@code max}], or, when {@code trace} is not empty, exactly the trace (piecewise constant, from the start).
     *
     * @param mean the level the walk returns to
     * @param min fewest nodes
     * @param max most nodes
     * @param step time between changes of the walk
     * @param volatility standard deviation of one step's change, in nodes
     * @param trace points in time from the start of the run, in increasing order; the first at 0
     */
    public record Availability(int mean, int min, int max, Duration step, double volatility, List<TracePoint> trace) {
        public Availability {
            InvalidConfigException.requireInRange("cluster.availability.min", min, 0, 1_000_000);
            InvalidConfigException.requireInRange("cluster.availability.max", max, Math.max(1, min), 1_000_000);
            InvalidConfigException.requireInRange("cluster.availability.mean", mean, min, max);
            InvalidConfigException.requirePositive("cluster.availability.step", step);
            InvalidConfigException.requireInRange("cluster.availability.volatility", volatility, 0, 1_000_000);
            trace = List.copyOf(trace);
            Duration last = null;
            for (TracePoint point : trace) {
                if (last == null ? !point.at().isZero() : point.at().compareTo(last) <= 0) {
                    throw InvalidConfigException.of("cluster.availability.trace", point.at(),
                            "points must start at 0 and increase in time");
                }
                InvalidConfigException.requireInRange("cluster.availability.trace nodes", point.nodes(), 0, max);
                last = point.at();
            }
        }

        /** A constant number of nodes. */
        public static Availability constant(int nodes) {
            return new Availability(nodes, nodes, nodes, Duration.ofHours(1), 0, List.of());
        }
    }

    /** From {@code at} (since the start) on, {@code nodes} nodes are available. */
    public record TracePoint(Duration at, int nodes) {
        public TracePoint {
            InvalidConfigException.requireNonNegative("cluster.availability.trace at", at);
        }
    }

    /**
     * A maintenance window: from {@code start} (since the start of the run) for {@code length}, repeated every
     * {@code every} unless that is zero.
     */
    public record Maintenance(Duration start, Duration length, Duration every) {
        public Maintenance {
            InvalidConfigException.requireNonNegative("cluster.maintenance.start", start);
            InvalidConfigException.requirePositive("cluster.maintenance.length", length);
            InvalidConfigException.requireNonNegative("cluster.maintenance.every", every);
            if (!every.isZero() && every.compareTo(length) <= 0) {
                throw InvalidConfigException.of("cluster.maintenance.every", every, "must be longer than its length " + length
                        + " (or 0 for a single window)");
            }
        }
    }

    /** GPUs available when {@code nodes} nodes are. */
    long gpus(int nodes) {
        return (long) nodes * gpusPerNode;
    }

    @Override
    public String toString() {
        return "ClusterModel[nodes=" + nodes + ", gpusPerNode=" + gpusPerNode + ", " + Objects.toString(availability) + "]";
    }
}
