package dev.juggler.samples.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.ledger.Lease;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The live panel's Server-Sent Events: the status, heartbeats, updates and the client cap. */
class WebEventsTest extends WebHarness {

    @Test
    void eventsStreamStatusAndHeartbeatsAndTurnAwayClientsOverTheCap() throws Exception {
        ConsoleServer server = start(ConsoleServer.builder(fixture.ledger).sseClientCap(1)
                .refreshInterval(Duration.ofMillis(200)).heartbeatInterval(Duration.ofMillis(300)));
        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(URI.create(server.url() + "api/v1/events")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode());
        assertTrue(stream.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            String first = readUntil(lines, l -> l.startsWith("data: "));
            assertEquals(1, JSON.readTree(first.substring(6)).path("tracks").path("done").asLong());

            assertEquals(1, server.eventClients());
            HttpResponse<String> head = http.send(HttpRequest.newBuilder(URI.create(server.url() + "api/v1/events"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, head.statusCode(), "a HEAD does not join the stream");
            assertEquals(1, server.eventClients());
            HttpResponse<String> second = get(server, "/api/v1/events");
            assertError(second, 503, "polls");
            assertEquals(String.valueOf(ApiRoutes.SSE_RETRY_AFTER_SECONDS), second.headers().firstValue("Retry-After").orElse(""));

            assertEquals(": heartbeat", readUntil(lines, l -> l.startsWith(":")));
            fixture.ledger.complete(fixture.running, 400);
            Lease rest = fixture.claim(ConsoleFixture.UNICODE, 1000);
            fixture.ledger.complete(rest, 1000);
            readUntil(lines, l -> l.startsWith("data: ") && l.contains("\"done\":2"));
        }
    }

    /** The next line that passes, read on another thread so that a stream that stays silent fails the test. */
    private static String readUntil(BufferedReader lines, Predicate<String> wanted) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (wanted.test(line)) {
                        return line;
                    }
                }
                throw new AssertionError("the event stream ended");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(20, TimeUnit.SECONDS);
    }
}
