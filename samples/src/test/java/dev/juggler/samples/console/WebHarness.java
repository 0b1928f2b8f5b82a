package dev.juggler.samples.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the console's plain-HTTP tests share: a seeded H2 ledger per test ({@link ConsoleFixture}), servers on
 * ephemeral ports closed after each test, and small request helpers. Not thread-safe; JUnit makes one per test.
 */
abstract class WebHarness {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "s3cret-token-for-tests";

    @TempDir
    Path dir;

    ConsoleFixture fixture;
    final List<ConsoleServer> servers = new ArrayList<>();
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void seed() {
        fixture = new ConsoleFixture(dir);
    }

    @AfterEach
    void stop() {
        servers.forEach(ConsoleServer::close);
        fixture.close();
    }

    ConsoleServer start(ConsoleServer.Builder builder) {
        ConsoleServer server = builder.port(0).start();
        servers.add(server);
        return server;
    }

    ConsoleServer start() {
        return start(ConsoleServer.builder(fixture.ledger));
    }

    HttpResponse<String> get(ConsoleServer server, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path.substring(1))).GET()
                .timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(ConsoleServer server, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path.substring(1)))
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    /** The anti-CSRF value as a page carries it. */
    String csrf(ConsoleServer server, String... headers) throws Exception {
        Matcher m = Pattern.compile("name=\"juggler-csrf\" content=\"([^\"]+)\"").matcher(get(server, "/failures", headers).body());
        assertTrue(m.find(), "the page carries the anti-CSRF value");
        return m.group(1);
    }

    static void assertError(HttpResponse<String> response, int status, String fragment) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        String error = json(response).path("error").asText();
        assertTrue(error.contains(fragment), error);
        assertFalse(response.body().contains("Exception") || response.body().contains("\tat "), "no stack trace: " + error);
    }

    static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

}
