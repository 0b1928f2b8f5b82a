package dev.juggler.jdbc;

import dev.juggler.JugglerException;
import dev.juggler.ledger.ClaimRequest;
import dev.juggler.ledger.FrameResult;
import dev.juggler.ledger.Lease;
import dev.juggler.ledger.LeaseLostException;
import dev.juggler.ledger.WorkEstimate;
import dev.juggler.ledger.WorkLedger;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * One claimer of {@link PostgresChaosTest}: claims, stores results, heartbeats with checkpoints, sleeps
 * past its lease now and then, fails (sometimes permanently) and completes at random until every frame
 * of the ledger is done. Every lease it gets is logged as {@code LEASE chunk token track from to} before
 * it is used, so that the test can try the tokens of killed processes later. A stale lease that is
 * accepted is logged as {@code VIOLATION ...}. Runs as a thread of the test JVM ({@link #run}) or as a
 * separate JVM ({@link #main}) that the test kills with SIGKILL. Not thread-safe: one instance per claimer.
 */
final class ChaosWorker {

    /** Lease length: short, so that the leases of killed processes come back within the test. */
    static final Duration LEASE = Duration.ofMillis(1500);

    private final WorkLedger ledger;
    private final String name;
    private final Random random;
    private final PrintWriter log;
    private final List<Lease> ended = new ArrayList<>();
    int leases;
    int transientErrors;

    ChaosWorker(WorkLedger ledger, String name, long seed, PrintWriter log) {
        this.ledger = ledger;
        this.name = name;
        this.random = new Random(seed);
        this.log = log;
    }

    /** {@code prefix seed out-file name ready-file go-file}; the server comes from the environment (no password in argv). */
    public static void main(String[] args) throws Exception {
        String prefix = args[0];
        long seed = Long.parseLong(args[1]);
        Path out = Path.of(args[2]);
        String name = args[3];
        Path ready = Path.of(args[4]);
        Path go = Path.of(args[5]);
        try (WorkLedger ledger = PgTestServer.builder().tablePrefix(prefix).poolSize(2).build();
                PrintWriter log = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8), true)) {
            ledger.estimate();
            Files.writeString(ready, name);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!Files.exists(go)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no go signal within 30 s");
                }
                Thread.sleep(5);
            }
            new ChaosWorker(ledger, name, seed, log).run(System.nanoTime() + Duration.ofSeconds(50).toNanos());
        }
    }

    /** Works until everything is done or the deadline passes; returns whether everything was done. */
    boolean run(long deadlineNanos) throws InterruptedException {
        while (System.nanoTime() < deadlineNanos) {
            try {
                Optional<Lease> claimed = ledger.claim(ClaimRequest.of(name, 1 + random.nextInt(40), LEASE).withJobId("job-" + name));
                if (claimed.isEmpty()) {
                    WorkEstimate estimate = ledger.estimate();
                    if (estimate.claimableFrames() == 0 && estimate.leasedFrames() == 0 && estimate.failedFrames() == 0
                            && estimate.waitingFrames() == 0) {
                        return true;
                    }
                    Thread.sleep(20 + random.nextInt(30));
                    continue;
                }
                work(claimed.get());
                if (!ended.isEmpty() && random.nextInt(4) == 0) {
                    tryStale(ended.get(random.nextInt(ended.size())));
                }
            } catch (LeaseLostException lost) {
                // reaped while we slept past the lease, or a retried commit whose first try had gone through
            } catch (JugglerException e) {
                if (!e.isTransient()) {
                    throw e;
                }
                transientErrors++; // the database was down longer than the retry budget (restart): carry on
                Thread.sleep(100);
            }
        }
        return false;
    }

    private void work(Lease lease) throws InterruptedException {
        leases++;
        log.println("LEASE " + lease.chunkId() + " " + lease.token() + " " + lease.trackId() + " " + lease.range().from() + " "
                + lease.range().to());
        long from = lease.range().from();
        long to = lease.range().to();
        long done = from;
        int steps = 1 + random.nextInt(3);
        for (int step = 0; step < steps && done < to; step++) {
            long next = step == steps - 1 ? to : done + random.nextInt((int) (to - done) + 1);
            store(lease, done, next);
            done = next;
            Thread.sleep(random.nextInt(15));
            if (random.nextInt(25) == 0) {
                // a stall longer than the lease: the reaper may take the rest back before the next call
                Thread.sleep(LEASE.toMillis() + 400);
            }
            lease = ledger.heartbeat(lease, done);
        }
        int outcome = random.nextInt(20);
        if (outcome == 0) {
            return; // walk away: the lease expires and the reaper returns it
        }
        if (outcome <= 2) {
            ledger.fail(lease, from + random.nextInt((int) (done - from) + 1), "chaos failure by " + name, outcome == 1);
        } else {
            ledger.complete(lease, random.nextInt(5) == 0 ? from + random.nextInt((int) (done - from) + 1) : done);
        }
        ended.add(lease);
    }

    private void store(Lease lease, long from, long to) {
        if (to <= from) {
            return;
        }
        List<FrameResult> results = new ArrayList<>();
        for (long frame = from; frame < to; frame++) {
            results.add(new FrameResult(lease.trackId(), frame, "{\"by\":\"" + name + "\",\"frame\":" + frame + "}"));
        }
        ledger.storeResults(results);
    }

    /** A lease this worker already completed or failed must be refused. */
    private void tryStale(Lease stale) {
        try {
            if (random.nextBoolean()) {
                ledger.heartbeat(stale, stale.range().from());
            } else {
                ledger.complete(stale, stale.range().to());
            }
            log.println("VIOLATION " + name + " stale lease accepted: chunk " + stale.chunkId() + " token " + stale.token());
        } catch (LeaseLostException expected) {
            // the only acceptable outcome
        }
    }
}
