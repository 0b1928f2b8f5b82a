package dev.juggler.samples.console;

import dev.juggler.InvalidConfigException;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.Foreground;
import dev.juggler.samples.config.Escape;
import dev.juggler.samples.config.Units;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
    private final Foreground<ConsoleServer> foreground = new Foreground<>("console");

    /** For tests: the environment that {@code --token-env} reads. */
    ConsoleCommand environment(Map<String, String> variables) {
        this.env = Map.copyOf(variables);
        return this;
    }

    /** Ends a running {@link #call()} as Ctrl-C would. */
    void stop() {
        foreground.stop();
    }

    /** Completes with the server once it listens (for tests and hosts that embed the command). */
    CompletableFuture<ConsoleServer> started() {
        return foreground.started();
    }

    @Override
    void check() {
        builderFor(null);
    }

    @Override
    int run(WorkLedger ledger, PrintWriter out) {
        return foreground.run(() -> builderFor(ledger).start(), console -> {
            out.println("juggler console: " + console.url() + " (" + (console.readOnly() ? "read-only" : "read-write")
                    + (tokenEnv != null ? ", token from $" + tokenEnv : "") + "; on " + ledgerOptions.describe() + ")");
            out.println("Ctrl-C stops it.");
            out.flush();
        });
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
