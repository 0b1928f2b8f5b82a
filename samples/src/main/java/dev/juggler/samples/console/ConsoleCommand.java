package dev.juggler.samples.console;

import dev.juggler.InvalidConfigException;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.config.Escape;
import dev.juggler.samples.config.Units;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code juggler console}: the web console over a ledger (the run's config file or the ledger itself), until
 * Ctrl-C. Binds {@code 127.0.0.1:7070} by default; another address needs {@code --token-env VAR}, the name of
 * an environment variable that holds the access token (a token on the command line would land in shell
 * histories and process lists). Not thread-safe: picocli runs a command once.
 */
@Command(name = "console", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Serves the web console (status panel, tables, failures, re-scheduling, throughput) until Ctrl-C.")
public final class ConsoleCommand extends OperatorCommand {

    @Option(names = "--bind", paramLabel = "HOST:PORT", defaultValue = ConsoleServer.DEFAULT_HOST + ":" + ConsoleServer.DEFAULT_PORT,
            description = "Where to listen, default ${DEFAULT-VALUE}; any address but loopback needs --token-env.")
    String bind;

    @Option(names = "--read-only", description = "Refuse every change (re-scheduling) on the server.")
    boolean readOnly;

    @Option(names = "--refresh", paramLabel = "DURATION", defaultValue = "5s",
            description = "How often the live panel gets the status, default ${DEFAULT-VALUE} (e.g. 1s, 30s).")
    String refresh;

    @Option(names = "--token-env", paramLabel = "VAR",
            description = "The environment variable holding the access token (bearer header or login form).")
    String tokenEnv;

    private Map<String, String> env = System.getenv();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CompletableFuture<ConsoleServer> started = new CompletableFuture<>();

    /** For tests: the environment that {@code --token-env} reads. */
    ConsoleCommand environment(Map<String, String> variables) {
        this.env = Map.copyOf(variables);
        return this;
    }

    /** Ends a running {@link #call()} as Ctrl-C would. */
    void stop() {
        stop.countDown();
    }

    /** Completes with the server once it listens (for tests and hosts that embed the command). */
    CompletableFuture<ConsoleServer> started() {
        return started;
    }

    @Override
    void check() {
        builderFor(null);
    }

    @Override
    int run(WorkLedger ledger, PrintWriter out) {
        // This program is the host, so it may install a hook: Ctrl-C ends the wait, and the hook waits for the
        // console and the ledger to close before the JVM exits.
        CountDownLatch closed = new CountDownLatch(1);
        Thread onExit = new Thread(() -> {
            stop.countDown();
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "juggler-console-exit");
        Runtime.getRuntime().addShutdownHook(onExit);
        try (ConsoleServer console = builderFor(ledger).start()) {
            out.println("juggler console: " + console.url() + " (" + (console.readOnly() ? "read-only" : "read-write")
                    + (tokenEnv != null ? ", token from $" + tokenEnv : "") + "; on " + ledgerOptions.describe() + ")");
            out.println("Ctrl-C stops it.");
            out.flush();
            started.complete(console);
            stop.await();
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } finally {
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException shuttingDown) {
                // The JVM is exiting already: the hook runs and sees the latch.
            }
        }
    }

    private Duration refreshInterval() {
        try {
            return Units.parseDuration(refresh);
        } catch (IllegalArgumentException e) {
            throw usage("--refresh " + Escape.quoted(refresh) + ": " + e.getMessage());
        }
    }

    /** The server's settings from the options; with a {@code null} ledger only checks them. */
    private ConsoleServer.Builder builderFor(WorkLedger ledger) {
        try {
            ConsoleServer.Builder b = ConsoleServer.builder().bind(bind).readOnly(readOnly)
                    .refreshInterval(refreshInterval());
            if (ledger != null) {
                b.ledger(ledger);
            }
            if (tokenEnv != null) {
                String token = env.get(tokenEnv);
                if (token == null || token.isBlank()) {
                    throw usage("--token-env " + Escape.quoted(tokenEnv) + ": the environment variable is not set");
                }
                b.token(token);
            }
            return b;
        } catch (InvalidConfigException e) {
            throw usage(e.getMessage());
        }
    }
}
