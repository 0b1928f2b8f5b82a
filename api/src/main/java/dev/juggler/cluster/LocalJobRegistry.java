package dev.juggler.cluster;

import dev.juggler.internal.ProcessTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local backend's record of the worker processes it started, one small file per running job in
 * {@code <output directory>/.juggler-local/}: the owner's pid and start time, then the worker's. A host
 * that died without closing its backend (SIGKILL, a power cut) leaves workers running that nobody
 * watches; the next backend over the same directory finds them here and ends them (SIGTERM, which lets
 * a worker return its unfinished frames to the ledger, then SIGKILL after the grace period), so that no
 * orphan runs on. Records of an owner that is still alive are another backend's and are left alone.
 * Pids are checked together with their start time, so a reused pid is never signalled.
 *
 * <p>Failures to write or read records are logged, never thrown: they must not stop a job. Thread-safe
 * (each call touches its own file).
 */
final class LocalJobRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(LocalClusterBackend.class);
    private static final ProcessHandle SELF = ProcessHandle.current();

    private final Path directory;

    LocalJobRegistry(Path outputDirectory) {
        this.directory = outputDirectory.resolve(".juggler-local");
    }

    /** Records a started worker process. */
    void started(String jobId, ProcessHandle worker) {
        try {
            Files.createDirectories(directory);
            String line = SELF.pid() + " " + startMillis(SELF) + " " + worker.pid() + " " + startMillis(worker) + "\n";
            Files.writeString(file(jobId), line, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot record local job {} under {}: {}", jobId, directory, e.toString());
        }
    }

    /** Forgets a job whose process ended. */
    void ended(String jobId) {
        try {
            Files.deleteIfExists(file(jobId));
        } catch (IOException e) {
            LOG.debug("cannot remove the record of local job {}: {}", jobId, e.toString());
        }
    }

    /**
     * Ends the workers that an earlier backend, whose process is gone, left running; removes their
     * records. Waits up to {@code grace} after SIGTERM. Returns how many workers were ended.
     */
    int endLeftovers(Duration grace) {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        List<List<ProcessHandle>> leftovers = new java.util.ArrayList<>();
        try (DirectoryStream<Path> records = Files.newDirectoryStream(directory, "*.pid")) {
            for (Path record : records) {
                Optional<Record> parsed = Record.read(record);
                if (parsed.isPresent() && parsed.get().ownerAlive()) {
                    continue; // another live backend's job
                }
                parsed.flatMap(Record::liveWorker).ifPresent(worker -> leftovers.add(ProcessTree.snapshot(worker)));
                Files.deleteIfExists(record);
            }
        } catch (IOException e) {
            LOG.warn("cannot read the local job records under {}: {}", directory, e.toString());
        }
        if (leftovers.isEmpty()) {
            return 0;
        }
        LOG.warn("ending {} worker process(es) left running by an earlier juggler that did not stop cleanly", leftovers.size());
        leftovers.forEach(ProcessTree::terminate);
        long until = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() < until && leftovers.stream().anyMatch(ProcessTree::anyAlive)) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        leftovers.forEach(ProcessTree::kill);
        return leftovers.size();
    }

    private Path file(String jobId) {
        return directory.resolve(SELF.pid() + "-" + jobId + ".pid");
    }

    static long startMillis(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
    }

    /** One record: the owner and the worker, each as pid and start time. */
    private record Record(long ownerPid, long ownerStart, long workerPid, long workerStart) {

        static Optional<Record> read(Path file) {
            try {
                String[] f = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
                return Optional.of(new Record(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                        Long.parseLong(f[3])));
            } catch (IOException | RuntimeException e) {
                return Optional.empty(); // unreadable: treated as stale and removed
            }
        }

        boolean ownerAlive() {
            return same(ownerPid, ownerStart).isPresent();
        }

        Optional<ProcessHandle> liveWorker() {
            return same(workerPid, workerStart);
        }

        // The process with this pid, if alive and started when recorded (not a later process that reuses the pid).
        private static Optional<ProcessHandle> same(long pid, long start) {
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> start >= 0 && startMillis(p) == start);
        }
    }
}
