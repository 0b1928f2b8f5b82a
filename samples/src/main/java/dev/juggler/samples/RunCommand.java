package dev.juggler.samples;

import dev.juggler.InvalidConfigException;
import dev.juggler.run.Juggler;
import dev.juggler.run.JugglerStatus;
import dev.juggler.samples.config.ConsoleConfig;
import dev.juggler.samples.config.JugglerConfig;
import dev.juggler.samples.console.ConsoleServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code juggler run --config FILE}: runs the Juggler of a deployment until all registered work is done
 * ({@code --follow}: until stopped), or one tick with {@code --once} (for cron). On SIGTERM or Ctrl-C it
 * stops ticking and exits; SLURM worker jobs keep running (they belong to the cluster, and the next start
 * adopts them by the config's tag); local worker processes are ended, since they would be orphans. With the
 * config's {@code console:} section enabled, the web console serves the run's ledger while it runs; with
 * {@code clean: afterTrack} each finished pose track is cleaned into {@code <analysis>+clean} ({@link CleanAfterTrack}),
 * and a run that is done exits when the last cleaning is.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Keeps the cluster busy with the config's work until it is done (--follow: forever; --once: one tick).")
final class RunCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, description = "The deployment's config file (YAML).")
    Path configFile;

    @Option(names = "--once", description = "One tick (read jobs, purge, stage, submit), then exit: for cron.")
    boolean once;

    @Option(names = "--follow", description = "Keep running when everything is done, for work registered later.")
    boolean follow;

    @Option(names = "--no-progress", description = "Plain status lines instead of a progress bar.")
    boolean noProgress;

    @Option(names = "--status-every", defaultValue = "60s",
            description = "Plain status lines at most this often, default ${DEFAULT-VALUE} (e.g. 30s, 5m).")
    String statusEvery;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** How long {@code --once} waits for the transfers it started. */
    static final Duration ONCE_STAGING_LIMIT = Duration.ofMinutes(30);
    /** How long a run that is done waits for the cleaning of its last tracks ({@code clean: afterTrack}). */
    static final Duration CLEANING_LIMIT = Duration.ofHours(24);

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (once && follow) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--once and --follow exclude each other");
        }
        Duration lineInterval = dev.juggler.samples.config.Units.parseDuration(statusEvery);
        JugglerConfig config = JugglerConfig.load(configFile);
        boolean plain = once || noProgress || System.console() == null;
        // This program is the host, so it may install a hook: SIGTERM/Ctrl-C end the loop, and the hook waits
        // until the juggler and the deployment are closed before the JVM exits.
        Thread onExit = new Thread(() -> {
            stop.countDown();
            try {
                finished.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "juggler-run-exit");
        if (!once) {
            Runtime.getRuntime().addShutdownHook(onExit);
        }
        try (Deployment deployment = Deployment.open(config)) {
            long total = deployment.ledger().reader().progress().frames().totalFrames();
            try (ConsoleServer console = startConsole(config.console(), deployment, out);
                    StatusView view = new StatusView(total, plain, out, Clock.systemUTC(), once ? Duration.ZERO : lineInterval);
                    Juggler juggler = deployment.juggler(view);
                    CleanAfterTrack cleaner = config.clean().afterTrack() ? new CleanAfterTrack(deployment.ledger(),
                            config.worker().analysis(), config.clean().settings(), Clock.systemUTC(), view::note) : null) {
                if (once) {
                    JugglerStatus status = juggler.tick();
                    // Transfers this tick started would be cut off by exiting: finish them (ticking meanwhile,
                    // so that videos that arrive can be worked on before the next cron run).
                    long until = System.nanoTime() + ONCE_STAGING_LIMIT.toNanos();
                    while (status.videosStaging() > 0 && System.nanoTime() < until) {
                        Thread.sleep(500);
                        status = juggler.tick();
                    }
                    if (cleaner != null) {
                        cleaner.finish(true, ONCE_STAGING_LIMIT);
                    }
                    out.println(StatusView.line(status));
                    out.flush();
                    return status.clusterUnavailableSince().isPresent() ? JugglerCli.UNAVAILABLE : JugglerCli.OK;
                }
                return loop(juggler, cleaner, out);
            }
        } finally {
            finished.countDown();
            if (!once) {
                try {
                    Runtime.getRuntime().removeShutdownHook(onExit);
                } catch (IllegalStateException shuttingDown) {
                    // The JVM is already exiting: the hook is running and sees the latch.
                }
            }
        }
    }

    /**
     * The web console on the run's ledger for the run's lifetime, when the config's {@code console:} section enables
     * it; {@code null} otherwise (try-with-resources skips a null resource) and for {@code --once}, whose run is
     * over before anyone could open the page.
     */
    private ConsoleServer startConsole(ConsoleConfig console, Deployment deployment, PrintWriter out) {
        if (!console.enabled() || once) {
            return null;
        }
        ConsoleServer.Builder builder = ConsoleServer.builder(deployment.ledger()).host(console.host()).port(console.port())
                .readOnly(console.readOnly());
        if (console.tokenEnv().isPresent()) {
            String variable = console.tokenEnv().get();
            String token = System.getenv(variable);
            if (token == null || token.isBlank()) {
                throw new InvalidConfigException("console.tokenEnv = " + variable + ": the environment variable is not set; "
                        + "export it with the console's access token");
            }
            builder.token(token);
        }
        ConsoleServer server = builder.start();
        out.println("console: " + server.url() + (console.readOnly() ? " (read-only)" : ""));
        out.flush();
        return server;
    }

    private int loop(Juggler juggler, CleanAfterTrack cleaner, PrintWriter out) throws InterruptedException {
        juggler.start();
        out.printf("juggler run: %s; %s%n", configFile.toAbsolutePath().normalize(),
                follow ? "running until stopped" : "running until all registered work is done");
        out.flush();
        while (!stop.await(1, TimeUnit.SECONDS)) {
            if (cleaner != null) {
                cleaner.poll(false);
            }
            JugglerStatus status = juggler.status().orElse(null);
            if (!follow && status != null && status.isIdle()) {
                if (cleaner != null) {
                    out.println("all frames done; cleaning the tracks not cleaned yet...");
                    out.flush();
                    cleaner.finish(true, CLEANING_LIMIT);
                }
                out.println("done: " + StatusView.line(status));
                out.flush();
                return JugglerCli.OK;
            }
        }
        if (cleaner != null) {
            cleaner.finish(false, Duration.ofSeconds(10));
        }
        out.println("stopping; worker jobs already submitted to a cluster keep running there and the next start "
                + "adopts them (local worker processes are ended)");
        out.flush();
        return JugglerCli.OK;
    }
}
