package dev.juggler.run;

import dev.juggler.cluster.JobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jobs this juggler submitted that the backend's status has not shown yet. A backend may answer from a
 * snapshot older than the submission (SLURM's is up to its minimum poll interval old), so without them
 * early ticks would see an empty queue and submit again. They count as pending until seen, or until
 * {@code grace} has passed since their submission (then with a log line: the backend lost them, or
 * never lists them). Not thread-safe: used by the tick thread under the tick lock.
 */
final class UnseenJobs {

    private static final Logger LOG = LoggerFactory.getLogger(Juggler.class);

    private final Duration grace;
    private final Map<String, Instant> submittedAt = new LinkedHashMap<>();

    UnseenJobs(Duration grace) {
        this.grace = grace;
    }

    /** The grace for a poll interval: ten intervals, at least ten minutes. */
    static Duration graceFor(Duration pollInterval) {
        Duration tenPolls = pollInterval.multipliedBy(10);
        Duration floor = Duration.ofMinutes(10);
        return tenPolls.compareTo(floor) > 0 ? tenPolls : floor;
    }

    void submitted(List<String> jobIds, Instant at) {
        for (String id : jobIds) {
            submittedAt.put(id, at);
        }
    }

    /** Forgets the jobs that this status answer shows, in whatever state. */
    void seen(List<JobStatus> jobs) {
        if (submittedAt.isEmpty()) {
            return;
        }
        for (JobStatus job : jobs) {
            submittedAt.remove(job.jobId());
        }
    }

    /** Stops counting the jobs submitted longer than the grace ago. */
    void expire(Instant now) {
        for (Iterator<Map.Entry<String, Instant>> it = submittedAt.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Instant> entry = it.next();
            if (!now.isBefore(entry.getValue().plus(grace))) {
                LOG.warn("job {} submitted at {} has not appeared in the cluster's status within {}; it no longer counts as pending",
                        entry.getKey(), entry.getValue(), grace);
                it.remove();
            }
        }
    }

    int count() {
        return submittedAt.size();
    }
}
