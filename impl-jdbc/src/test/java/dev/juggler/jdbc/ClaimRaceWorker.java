package dev.juggler.jdbc;

import dev.juggler.ledger.ClaimRequest;
import dev.juggler.ledger.Lease;
import dev.juggler.ledger.WorkLedger;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.Random;

/**
 * One claimer of {@link MultiProcessClaimRaceTest}: claims small heads until nothing is left, completes
 * them (sometimes only partly, so the rest goes back), and records every lease as one line
 * {@code trackId chunkId from to doneUntil claimedMicros releasingMicros worker}. Runs as a separate JVM
 * ({@link #main}) or as a thread in the test JVM ({@link #run}).
 */
final class ClaimRaceWorker {

    private ClaimRaceWorker() {
    }

    /** {@code url out-file worker-name seed ready-file go-file}. */
    public static void main(String[] args) throws Exception {
        String url = args[0];
        Path out = Path.of(args[1]);
        String name = args[2];
        long seed = Long.parseLong(args[3]);
        Path ready = Path.of(args[4]);
        Path go = Path.of(args[5]);
        try (WorkLedger ledger = JdbcLedger.builder().url(url).build()) {
            ledger.estimate(); // connects and checks the schema before the race starts
            Files.writeString(ready, name);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!Files.exists(go)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no go signal within 30 s");
                }
                Thread.sleep(5);
            }
            run(ledger, out, name, seed);
        }
    }

    /** Claims and completes until the ledger is settled; returns the number of leases taken. */
    static int run(WorkLedger ledger, Path out, String name, long seed) throws IOException, InterruptedException {
        Random random = new Random(seed);
        int leases = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        try (PrintWriter log = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8))) {
            while (System.nanoTime() < deadline) {
                Optional<Lease> claimed = ledger.claim(ClaimRequest.of(name, 1 + random.nextInt(25), Duration.ofMinutes(10)));
                if (claimed.isEmpty()) {
                    if (ledger.estimate().isSettled()) {
                        return leases;
                    }
                    Thread.sleep(2 + random.nextInt(5));
                    continue;
                }
                Lease lease = claimed.get();
                long claimedMicros = micros();
                leases++;
                long doneUntil = random.nextInt(4) == 0 ? lease.range().from() + random.nextInt((int) lease.range().length() + 1)
                        : lease.range().to();
                if (random.nextBoolean()) {
                    lease = ledger.heartbeat(lease, doneUntil);
                }
                long releasingMicros = micros();
                log.println(lease.trackId() + " " + lease.chunkId() + " " + lease.range().from() + " " + lease.range().to() + " "
                        + doneUntil + " " + claimedMicros + " " + releasingMicros + " " + name);
                log.flush();
                ledger.complete(lease, doneUntil);
            }
            throw new IllegalStateException(name + ": not settled within 40 s after " + leases + " leases");
        }
    }

    private static long micros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }
}
