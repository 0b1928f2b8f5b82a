package dev.juggler.samples;

import dev.juggler.jdbc.JdbcLedger;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.pipeline.FramePipeline;
import dev.juggler.run.Worker;
import dev.juggler.ledger.TrackQuery;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code juggler worker}: the program inside one cluster job. Claims chunks from the ledger, analyses
 * them and completes them until nothing is claimable or the job's time is up. On SIGTERM it checkpoints
 * and returns the rest of its range to the ledger before exiting.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Runs one worker (normally started by the juggler inside a batch job).")
final class WorkerCommand implements Callable<Integer> {

    /** The ledger password is taken from the environment so that it never shows in a process list. */
    static final String PASSWORD_ENV = "JUGGLER_LEDGER_PASSWORD";

    @Option(names = "--ledger-url", required = true, description = "JDBC URL of the ledger.")
    String ledgerUrl;

    @Option(names = "--ledger-user", description = "Database user (password from $" + PASSWORD_ENV + ").")
    String ledgerUser;

    @Option(names = "--table-prefix", description = "Prefix of the ledger's tables (as the juggler's ledger), default juggler_.")
    String tablePrefix;

    @Option(names = "--schema", description = "Database schema of the ledger's tables (as the juggler's ledger).")
    String schema;

    @Option(names = "--analysis", defaultValue = Analyses.MARKER_POSE, description = "Analysis to run: marker-pose, "
            + "blazepose-body25, blazepose-full-body25, blazepose-heavy-body25 or openpose-binary. Default ${DEFAULT-VALUE}.")
    String analysis;

    @Mixin
    AnalysisOptions analysisOptions;

    @Option(names = "--lease", defaultValue = "PT2M", description = "Lease duration (ISO-8601), default ${DEFAULT-VALUE}.")
    Duration lease;

    @Option(names = "--initial-chunk", defaultValue = "500", description = "Frames of the first claim, default ${DEFAULT-VALUE}.")
    long initialChunk;

    @Option(names = "--max-chunk", defaultValue = "100000", description = "Most frames per claim, default ${DEFAULT-VALUE}.")
    long maxChunk;

    @Option(names = "--safety-margin", defaultValue = "PT2M",
            description = "Time kept free before the job's end, default ${DEFAULT-VALUE}.")
    Duration safetyMargin;

    @Option(names = "--target-chunk", defaultValue = "PT15M",
            description = "Time one claim should take at the measured rate, default ${DEFAULT-VALUE}.")
    Duration targetChunk;

    @Option(names = "--checkpoint-frames", defaultValue = "250",
            description = "Store results and heartbeat at least every this many frames, default ${DEFAULT-VALUE}.")
    int checkpointFrames;

    @Option(names = "--checkpoint-interval", defaultValue = "PT30S",
            description = "Store results and heartbeat at least this often, default ${DEFAULT-VALUE}.")
    Duration checkpointInterval;

    @Option(names = "--check", description = "Check only, then exit: open the ledger, build the analysis pipeline "
            + "(load the model), open one staged video if any; one line per step. Exit 0 ok, 3 ledger unreachable, "
            + "1 otherwise. juggler doctor's probe job runs this.")
    boolean check;

    @Override
    public Integer call() {
        JdbcLedger.Builder ledgerConfig = JdbcLedger.builder().url(ledgerUrl);
        if (ledgerUser != null) {
            ledgerConfig.user(ledgerUser);
        }
        if (tablePrefix != null) {
            ledgerConfig.tablePrefix(tablePrefix);
        }
        if (schema != null) {
            ledgerConfig.schema(schema);
        }
        String password = System.getenv(PASSWORD_ENV);
        if (password != null) {
            ledgerConfig.password(password);
        }
        if (check) {
            return WorkerCheck.run(ledgerConfig, analysis, analysisOptions, System.out);
        }
        // The pipeline first: a setting this node cannot satisfy (no model, no OpenPose) fails before the ledger
        // is touched.
        try (FramePipeline pipeline = Analyses.pipeline(analysis, analysisOptions.toOptions());
                WorkLedger ledger = ledgerConfig.build()) {
            Worker worker = Worker.builder(ledger, pipeline)
                    .fromEnvironment(System.getenv())
                    .analysis(analysis)
                    .leaseDuration(lease)
                    .initialChunkFrames(initialChunk)
                    .maxChunkFrames(maxChunk)
                    .safetyMargin(safetyMargin)
                    .targetChunkDuration(targetChunk)
                    .checkpointEveryFrames(checkpointFrames)
                    .checkpointInterval(checkpointInterval)
                    .build();
            CountDownLatch finished = new CountDownLatch(1);
            // This program is the host, so it may install a hook: SIGTERM from the batch system must
            // return the unfinished rest to the ledger instead of leaving it to lease expiry.
            Thread onTerm = new Thread(() -> {
                worker.requestStop();
                try {
                    finished.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "juggler-worker-sigterm");
            Runtime.getRuntime().addShutdownHook(onTerm);
            try {
                Worker.Report report = worker.run();
                if (report.framesDone() == 0 && report.rangesFailed() == 0 && report.stopReason() == Worker.StopReason.NO_WORK
                        && ledger.reader().tracks(new TrackQuery(Optional.empty(), Optional.of(analysis), Optional.empty(),
                                TrackQuery.Sort.VIDEO, 0, 1)).isEmpty()) {
                    // A worker pointed at the wrong tables, or with another analysis than the tracks, would
                    // otherwise find nothing and exit 0, and the juggler would keep sending more of them.
                    System.err.printf("juggler worker: the ledger has no track of analysis '%s' in these tables "
                            + "(table prefix %s%s); check --analysis, --table-prefix and --schema against the juggler's config%n",
                            analysis, tablePrefix == null ? "juggler_" : tablePrefix, schema == null ? "" : ", schema " + schema);
                    return JugglerCli.FAILED;
                }
                System.out.printf("worker done: %d frames, %d ranges, %d failed, %d leases lost, %.1f frames/s, stop: %s%n",
                        report.framesDone(), report.rangesCompleted(), report.rangesFailed(), report.leasesLost(),
                        report.framesPerSecond(), report.stopReason());
                return report.stopReason() == Worker.StopReason.LEDGER_UNAVAILABLE ? JugglerCli.UNAVAILABLE : JugglerCli.OK;
            } finally {
                finished.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(onTerm);
                } catch (IllegalStateException shuttingDown) {
                    // The JVM is already exiting (SIGTERM); the hook is running and sees the latch.
                }
            }
        }
    }
}
