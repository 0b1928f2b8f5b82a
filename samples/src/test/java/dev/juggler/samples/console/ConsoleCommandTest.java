package dev.juggler.samples.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code juggler console}: options, the token from the environment, and serving until stopped. */
class ConsoleCommandTest {

    @TempDir
    Path dir;

    private ConsoleFixture fixture;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void seed() {
        fixture = new ConsoleFixture(dir);
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private CommandLine cli(ConsoleCommand command) {
        return new CommandLine(command).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
    }

    private String ledger() {
        return dir.resolve("ledger.mv.db").toString();
    }

    private HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheLedgerUntilStoppedAndPrintsItsUrl() throws Exception {
        ConsoleCommand command = new ConsoleCommand();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
                () -> cli(command).execute("--ledger", ledger(), "--bind", "127.0.0.1:0", "--read-only", "--refresh", "1s"));
        ConsoleServer server = command.started().get(30, TimeUnit.SECONDS);
        String url = server.url();
        assertTrue(out.toString().contains("juggler console: " + url + " (read-only"), out.toString());
        HttpResponse<String> status = get(url + "api/v1/status");
        assertEquals(200, status.statusCode());
        assertTrue(status.body().contains("\"failed\":2"), status.body());
        assertTrue(status.body().contains("\"refreshSeconds\":1.0"), status.body());
        assertTrue(server.readOnly());
        command.stop();
        assertEquals(0, exit.get(30, TimeUnit.SECONDS));
        assertThrows(ConnectException.class, () -> get(url + "api/v1/status"), "closed when the command ends");
    }

    @Test
    void theTokenComesFromTheEnvironmentAndAnOpenAddressNeedsIt() throws Exception {
        assertEquals(1, cli(new ConsoleCommand()).execute("--ledger", ledger(), "--bind", "0.0.0.0:0"));
        assertTrue(err.toString().contains("needs an access token"), err.toString());

        assertEquals(2, cli(new ConsoleCommand().environment(Map.of())).execute("--ledger", ledger(), "--token-env", "JUGGLER_TOKEN"));
        assertTrue(err.toString().contains("JUGGLER_TOKEN") && err.toString().contains("not set"), err.toString());
        assertEquals(2, cli(new ConsoleCommand()).execute("--ledger", ledger(), "--bind", "nowhere"));
        assertTrue(err.toString().contains("HOST:PORT"), err.toString());
        assertEquals(2, cli(new ConsoleCommand()).execute("--ledger", ledger(), "--refresh", "often"));
        assertTrue(err.toString().contains("--refresh"), err.toString());
        assertEquals(2, cli(new ConsoleCommand()).execute("--ledger", ledger(), "--refresh", "2h"));

        String token = "from-the-environment-42";
        ConsoleCommand command = new ConsoleCommand().environment(Map.of("JUGGLER_TOKEN", token));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli(command)
                .execute("--ledger", ledger(), "--bind", "0.0.0.0:0", "--token-env", "JUGGLER_TOKEN"));
        ConsoleServer server = command.started().get(30, TimeUnit.SECONDS);
        String local = "http://127.0.0.1:" + server.address().getPort() + "/api/v1/status";
        assertEquals(401, get(local).statusCode());
        assertEquals(200, get(local, "Authorization", "Bearer " + token).statusCode());
        assertTrue(!out.toString().contains(token), "the token is never printed");
        command.stop();
        assertEquals(0, exit.get(30, TimeUnit.SECONDS));
    }
}
