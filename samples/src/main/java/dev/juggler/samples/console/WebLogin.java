package dev.juggler.samples.console;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The login form of a console with an access token: {@code GET /login} shows it, {@code POST /login} checks
 * the token and sets the session cookie (HttpOnly, SameSite=Strict), then goes back to the page that asked.
 * A cross-site form post is refused by its {@code Origin}; the {@code next} target must be a path on this
 * server, so the form cannot be used to redirect elsewhere. Stateless and thread-safe.
 */
final class WebLogin {

    private WebLogin() {
    }

    static void handle(HttpExchange exchange, HttpSecurity security, WebPages pages) throws IOException {
        String method = exchange.getRequestMethod();
        Map<String, List<String>> query = HttpExchanges.query(exchange);
        if (method.equals("GET") || method.equals("HEAD")) {
            if (!security.tokenRequired()) {
                HttpExchanges.redirect(exchange, "/");
                return;
            }
            HttpExchanges.send(exchange, 200, "text/html; charset=utf-8", pages.page("/login").orElseThrow());
            return;
        }
        if (!method.equals("POST")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD, POST");
            HttpExchanges.error(exchange, 405, method + " is not allowed here");
            return;
        }
        if (!sameOrigin(exchange)) {
            HttpExchanges.error(exchange, 403, "a login from another site is refused");
            return;
        }
        Map<String, List<String>> form = HttpExchanges.decodeForm(new String(HttpExchanges.body(exchange), StandardCharsets.UTF_8));
        String next = localPath(first(form, "next", first(query, "next", "/")));
        if (security.tokenRequired() && security.tokenMatches(first(form, "token", ""))) {
            exchange.getResponseHeaders().add("Set-Cookie", security.startSession());
            HttpExchanges.redirect(exchange, next);
        } else {
            HttpExchanges.redirect(exchange, "/login?failed=1&next=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
        }
    }

    /**
     * Whether a login post comes from this server's own form. Browsers say where a request comes from in
     * {@code Sec-Fetch-Site}; under our {@code Referrer-Policy: no-referrer} their {@code Origin} on a form post is
     * {@code null}, so that header only counts when it names an origin. Clients without either (curl) pass.
     */
    private static boolean sameOrigin(HttpExchange exchange) {
        String site = HttpExchanges.header(exchange, "Sec-Fetch-Site");
        if (site != null) {
            return site.equals("same-origin") || site.equals("none");
        }
        String origin = HttpExchanges.header(exchange, "Origin");
        if (origin == null || origin.equals("null")) {
            return true;
        }
        String host = HttpExchanges.header(exchange, "Host");
        try {
            URI uri = URI.create(origin);
            return host != null && uri.getRawAuthority() != null && uri.getRawAuthority().equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** {@code next} if it is a path on this server, else {@code /} (no {@code //host} or {@code https:} targets). */
    static String localPath(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")
                // Printable ASCII only: the JDK server writes a header character as its low byte, so U+012F would
                // become '/' ("//evil.example") and U+010D U+010A a line break. The pages' own links are encoded.
                || next.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            return "/";
        }
        return next;
    }

    private static String first(Map<String, List<String>> params, String key, String fallback) {
        List<String> values = params.get(key);
        return values == null || values.isEmpty() ? fallback : values.get(0);
    }
}
