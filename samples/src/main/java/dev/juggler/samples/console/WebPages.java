package dev.juggler.samples.console;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The console's pages and assets, shipped in the jar under {@code dev/juggler/samples/console/web/}: plain
 * HTML, one CSS file and plain JavaScript that fetches everything it shows from the JSON API. Pages are
 * read once at start. Their shared parts are written once: {@code {{head}}} takes {@code _head.html} and
 * {@code {{topbar}}} takes {@code _topbar.html}. Then the server fills in two values of its own (the anti-CSRF
 * value, which is URL-safe base64, and the read-only flag), never data. Immutable after construction and
 * thread-safe.
 */
final class WebPages {

    private static final String ROOT = "/dev/juggler/samples/console/web/";

    /** URL path → page file. */
    private static final Map<String, String> PAGES = Map.of(
            "/", "panel.html",
            "/tracks", "table.html",
            "/jobs", "table.html",
            "/chunks", "table.html",
            "/track", "track.html",
            "/failures", "failures.html",
            "/throughput", "throughput.html",
            "/login", "login.html");

    private static final List<String> ASSETS = List.of("console.css", "common.js", "panel.js", "table.js", "track.js",
            "failures.js", "throughput.js", "login.js");

    private final Map<String, byte[]> pages = new HashMap<>();
    private final Map<String, byte[]> assets = new HashMap<>();

    WebPages(String csrf, boolean readOnly) {
        String head = new String(load("_head.html"), StandardCharsets.UTF_8).strip();
        String topbar = new String(load("_topbar.html"), StandardCharsets.UTF_8).strip();
        for (String file : new java.util.TreeSet<>(PAGES.values())) {
            String html = new String(load(file), StandardCharsets.UTF_8)
                    .replace("{{head}}", head)
                    .replace("{{topbar}}", topbar)
                    .replace("{{csrf}}", csrf)
                    .replace("{{readOnly}}", Boolean.toString(readOnly));
            pages.put(file, html.getBytes(StandardCharsets.UTF_8));
        }
        for (String file : ASSETS) {
            assets.put(file, load(file));
        }
    }

    /** Whether {@code path} is a page (the login page included). */
    static boolean isPage(String path) {
        return PAGES.containsKey(path);
    }

    /** Answers a page, or empty if {@code path} is none. */
    Optional<byte[]> page(String path) {
        return Optional.ofNullable(PAGES.get(path)).map(pages::get);
    }

    /** Answers {@code /assets/NAME}: 404 for anything not shipped (no file system access, no traversal). */
    void asset(HttpExchange exchange, String path) throws IOException {
        String name = path.substring("/assets/".length());
        byte[] body = assets.get(name);
        if (body == null) {
            HttpExchanges.error(exchange, 404, "no such asset");
            return;
        }
        String type = name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
        HttpExchanges.send(exchange, 200, type, body);
    }

    private static byte[] load(String file) {
        try (InputStream in = WebPages.class.getResourceAsStream(ROOT + file)) {
            if (in == null) {
                throw new IllegalStateException("the console's asset " + file + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the console's asset " + file, e);
        }
    }
}
