package dev.juggler.samples.console;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's request checks: who may read (the access token as a bearer header or a login session
 * cookie), who may write (the anti-CSRF header every page sends with its per-server value), and the response
 * headers that keep a browser from loading anything but our own assets. The token and the session ids are
 * kept only as SHA-256 digests and compared in constant time, so neither a heap dump of the session table
 * nor response timing gives them away. Thread-safe: the session table is concurrent, the rest immutable.
 */
final class HttpSecurity {

    /** The header that carries the anti-CSRF value on writes. */
    static final String CSRF_HEADER = "X-Juggler-CSRF";
    /** The name of the login session cookie. */
    static final String SESSION_COOKIE = "juggler_session";
    /** How long a login session lasts. */
    static final Duration SESSION_LIFETIME = Duration.ofHours(12);
    /** Sessions kept at most; the oldest are dropped first (a login per browser, so this is plenty). */
    static final int MAX_SESSIONS = 256;

    /** The policy that allows only this server's own scripts, styles and requests. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            + "script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

    private final Optional<byte[]> tokenDigest;
    private final String csrf;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Instant> sessionsByDigest = new ConcurrentHashMap<>();

    HttpSecurity(Optional<String> token, Clock clock) {
        this.tokenDigest = token.map(HttpSecurity::sha256);
        this.clock = clock;
        this.csrf = randomValue(random);
    }

    /** Whether requests need the token (bearer or session). */
    boolean tokenRequired() {
        return tokenDigest.isPresent();
    }

    /** The per-server anti-CSRF value the pages carry in a {@code <meta>} tag (URL-safe base64, no HTML specials). */
    String csrfValue() {
        return csrf;
    }

    /** Sets the headers every answer carries. */
    static void applyHeaders(HttpExchange exchange) {
        Headers h = exchange.getResponseHeaders();
        h.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        h.set("X-Frame-Options", "DENY");
        h.set("Cache-Control", "no-store");
    }

    /** Whether a {@code Host} header ({@code name[:port]}) names this machine's loopback interface. */
    static boolean loopbackHost(String host) {
        if (host == null) {
            return false;
        }
        String name = host.trim().toLowerCase(java.util.Locale.ROOT);
        if (name.startsWith("[")) {
            int end = name.indexOf(']');
            name = end < 0 ? name : name.substring(1, end);
        } else if (name.indexOf(':') >= 0) {
            name = name.substring(0, name.lastIndexOf(':'));
        }
        return name.equals("localhost") || name.equals("::1") || name.matches("127(\\.\\d{1,3}){3}");
    }

    /** Whether the request may read: no token is configured, or it carries the token or a live session. */
    boolean authenticated(HttpExchange exchange) {
        if (tokenDigest.isEmpty()) {
            return true;
        }
        String authorization = HttpExchanges.header(exchange, "Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return tokenMatches(authorization.substring(7).trim());
        }
        return sessionOf(exchange).isPresent();
    }

    /** Whether {@code candidate} is the access token (constant time). */
    boolean tokenMatches(String candidate) {
        return tokenDigest.map(expected -> MessageDigest.isEqual(expected, sha256(candidate))).orElse(false);
    }

    /** Whether the request carries this server's anti-CSRF value (constant time). */
    boolean csrfMatches(HttpExchange exchange) {
        String sent = HttpExchanges.header(exchange, CSRF_HEADER);
        return sent != null && MessageDigest.isEqual(sha256(csrf), sha256(sent));
    }

    /** Starts a login session and returns the {@code Set-Cookie} value for it. */
    String startSession() {
        Instant now = clock.instant();
        sessionsByDigest.values().removeIf(expiry -> !expiry.isAfter(now));
        while (sessionsByDigest.size() >= MAX_SESSIONS) {
            sessionsByDigest.entrySet().stream().min(Map.Entry.comparingByValue())
                    .ifPresent(oldest -> sessionsByDigest.remove(oldest.getKey()));
        }
        String id = randomValue(random);
        sessionsByDigest.put(hex(sha256(id)), now.plus(SESSION_LIFETIME));
        return SESSION_COOKIE + "=" + id + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + SESSION_LIFETIME.toSeconds();
    }

    /** The digest key of the request's live session. */
    private Optional<String> sessionOf(HttpExchange exchange) {
        for (String cookies : exchange.getRequestHeaders().getOrDefault("Cookie", java.util.List.of())) {
            for (String cookie : cookies.split(";")) {
                String c = cookie.trim();
                if (c.startsWith(SESSION_COOKIE + "=")) {
                    String key = hex(sha256(c.substring(SESSION_COOKIE.length() + 1)));
                    Instant expiry = sessionsByDigest.get(key);
                    if (expiry != null && expiry.isAfter(clock.instant())) {
                        return Optional.of(key);
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static String randomValue(SecureRandom random) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
