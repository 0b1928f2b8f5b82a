package dev.juggler.samples.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import dev.juggler.ledger.ChunkQuery;
import dev.juggler.ledger.ChunkState;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The console's security, enforced by the server: anti-CSRF header, read-only, token, bind address, Host header. */
class WebSecurityTest extends WebHarness {

    @Test
    void writesNeedTheAntiCsrfHeaderAndAReadOnlyConsoleRefusesThem() throws Exception {
        ConsoleServer server = start();
        String body = "{\"filter\":{},\"dryRun\":false}";
        assertError(post(server, "/api/v1/reschedule", body), 403, HttpSecurity.CSRF_HEADER);
        assertError(post(server, "/api/v1/reschedule", body, "X-Juggler-CSRF", "guess"), 403, HttpSecurity.CSRF_HEADER);
        assertEquals(2, fixture.ledger.reader().countChunks(ChunkQuery.inState(ChunkState.FAILED, 10)));

        ConsoleServer readOnly = start(ConsoleServer.builder(fixture.ledger).readOnly(true));
        String csrf = csrf(readOnly);
        assertTrue(get(readOnly, "/").body().contains("name=\"juggler-read-only\" content=\"true\""));
        assertError(post(readOnly, "/api/v1/reschedule", body, "X-Juggler-CSRF", csrf), 403, "read-only");
        assertEquals(2, fixture.ledger.reader().countChunks(ChunkQuery.inState(ChunkState.FAILED, 10)));
        assertEquals(200, get(readOnly, "/api/v1/failures").statusCode(), "reads still work");
        assertTrue(readOnly.readOnly());
    }

    @Test
    void aTokenIsNeededAsBearerOrLoginSessionAndNeverShown() throws Exception {
        ConsoleServer server = start(ConsoleServer.builder(fixture.ledger).token(TOKEN));
        HttpResponse<String> anonymous = get(server, "/api/v1/status");
        assertError(anonymous, 401, "token");
        assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        assertError(get(server, "/api/v1/status", "Authorization", "Bearer wrong-token-value"), 401, "token");
        assertEquals(200, get(server, "/api/v1/status", "Authorization", "Bearer " + TOKEN).statusCode());

        HttpResponse<String> page = get(server, "/tracks?tag=camera%3Dleft");
        assertEquals(303, page.statusCode());
        assertEquals("/login?next=" + q("/tracks?tag=camera%3Dleft"), page.headers().firstValue("Location").orElse(""));
        assertEquals(200, get(server, "/login").statusCode());
        assertEquals(200, get(server, "/assets/console.css").statusCode(), "assets hold no data");

        HttpResponse<String> wrong = post(server, "/login", "token=nope&next=%2Ffailures", "Content-Type",
                "application/x-www-form-urlencoded");
        assertEquals(303, wrong.statusCode());
        assertTrue(wrong.headers().firstValue("Location").orElse("").startsWith("/login?failed=1"));
        assertTrue(wrong.headers().firstValue("Set-Cookie").isEmpty());

        HttpResponse<String> login = post(server, "/login", "token=" + q(TOKEN) + "&next=%2Ffailures", "Content-Type",
                "application/x-www-form-urlencoded");
        assertEquals(303, login.statusCode());
        assertEquals("/failures", login.headers().firstValue("Location").orElse(""));
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
        assertFalse(cookie.contains(TOKEN));
        String session = cookie.substring(0, cookie.indexOf(';'));
        assertEquals(200, get(server, "/api/v1/status", "Cookie", session).statusCode());
        HttpResponse<String> failures = get(server, "/failures", "Cookie", session);
        assertEquals(200, failures.statusCode());
        assertFalse(failures.body().contains(TOKEN), "the token is never in a page");
        assertFalse(server.toString().contains(TOKEN));
        assertEquals(401, get(server, "/api/v1/status", "Cookie", "juggler_session=forged").statusCode());

        String csrf = csrf(server, "Cookie", session);
        assertEquals(200, post(server, "/api/v1/reschedule", "{\"filter\":{\"all\":true}}", "Cookie", session, "X-Juggler-CSRF", csrf)
                .statusCode());
        assertEquals(401, post(server, "/api/v1/reschedule", "{\"filter\":{}}", "X-Juggler-CSRF", csrf).statusCode());

        HttpResponse<String> offsite = post(server, "/login", "token=" + q(TOKEN) + "&next=" + q("//evil.example/"),
                "Content-Type", "application/x-www-form-urlencoded");
        assertEquals("/", offsite.headers().firstValue("Location").orElse(""), "no open redirect");
        // U+012F goes out as the byte '/', U+010D U+010A as CR LF: a header written byte-wise must not get them.
        for (String sneaky : List.of("/\u012Fevil.example/", "/x\u010D\u010ASet-Cookie: a=b")) {
            HttpResponse<String> redirect = post(server, "/login", "token=" + q(TOKEN) + "&next=" + q(sneaky),
                    "Content-Type", "application/x-www-form-urlencoded");
            assertEquals("/", redirect.headers().firstValue("Location").orElse(""), "no open redirect through " + sneaky);
            assertEquals(1, redirect.headers().allValues("Set-Cookie").size(), "no header smuggled in");
        }
        HttpResponse<String> crossSite = post(server, "/login", "token=" + q(TOKEN), "Content-Type",
                "application/x-www-form-urlencoded", "Origin", "http://evil.example");
        assertEquals(403, crossSite.statusCode());
        assertEquals(403, post(server, "/login", "token=" + q(TOKEN), "Content-Type", "application/x-www-form-urlencoded",
                "Sec-Fetch-Site", "cross-site").statusCode());
    }

    @Test
    void anAddressOtherMachinesReachNeedsAToken() {
        ConsoleBindRefusedException refused = assertThrows(ConsoleBindRefusedException.class,
                () -> ConsoleServer.builder(fixture.ledger).host("0.0.0.0").port(0).start());
        assertTrue(refused.getMessage().contains("0.0.0.0") && refused.getMessage().contains("token"), refused.getMessage());
        try (ConsoleServer open = ConsoleServer.builder(fixture.ledger).bind("0.0.0.0:0").token(TOKEN).start()) {
            assertTrue(open.address().getPort() > 0);
        }
        assertThrows(InvalidConfigException.class, () -> ConsoleServer.builder(fixture.ledger).port(70000));
        assertThrows(InvalidConfigException.class, () -> ConsoleServer.builder(fixture.ledger).sseClientCap(0));
        assertThrows(InvalidConfigException.class, () -> ConsoleServer.builder(fixture.ledger).refreshInterval(Duration.ZERO));
        assertThrows(InvalidConfigException.class, () -> ConsoleServer.builder(fixture.ledger).bind("localhost"));
        InvalidConfigException shortToken = assertThrows(InvalidConfigException.class,
                () -> ConsoleServer.builder(fixture.ledger).token("short"));
        assertFalse(shortToken.getMessage().contains("short"), "the token is not shown");
    }

    @Test
    void withoutATokenOnlyRequestsAddressedToLoopbackAreAnswered() throws Exception {
        ConsoleServer server = start();
        assertTrue(rawStatusLine(server, "evil.example").contains(" 403 "), "a rebound host name is refused");
        assertTrue(rawStatusLine(server, "evil.example:" + server.address().getPort()).contains(" 403 "));
        assertTrue(rawStatusLine(server, "localhost:" + server.address().getPort()).contains(" 200 "));
        assertTrue(rawStatusLine(server, "127.0.0.1").contains(" 200 "));
        assertTrue(rawStatusLine(server, "[::1]:7070").contains(" 200 "));
        ConsoleServer withToken = start(ConsoleServer.builder(fixture.ledger).token(TOKEN));
        assertTrue(rawStatusLine(withToken, "console.example.org").contains(" 401 "), "with a token, the token decides");
    }

    /** The status line of {@code GET /api/v1/status} with the given Host header (HttpClient will not send a foreign one). */
    private static String rawStatusLine(ConsoleServer server, String host) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.address().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /api/v1/status HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }
}
