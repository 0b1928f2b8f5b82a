package dev.juggler.samples.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.juggler.NotFoundException;
import dev.juggler.ledger.LedgerReader;
import dev.juggler.ledger.RescheduleFilter;
import dev.juggler.ledger.RescheduleOutcome;
import dev.juggler.ledger.ThroughputPoint;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.config.Escape;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON API under {@code /api/v1/}: status, the table views (JSON pages and streamed CSV), a track's detail,
 * failure groups, throughput, tag keys, the event stream and re-scheduling. Reads go through the ledger's
 * {@link LedgerReader}; the one write, re-scheduling, through {@link WorkLedger#reschedule(RescheduleFilter, boolean)}
 * after the read-only and anti-CSRF checks. A bad parameter answers 400 with its message, an unknown id 404;
 * nothing answers with a stack trace. Thread-safe: it holds only immutable settings and thread-safe collaborators.
 */
final class ApiRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);
    private static final String PREFIX = "/api/v1/";
    /** Seconds a client turned away from the event stream waits before it tries again (it polls meanwhile). */
    static final int SSE_RETRY_AFTER_SECONDS = 30;

    private final WorkLedger ledger;
    private final LedgerReader reader;
    private final Clock clock;
    private final boolean readOnly;
    private final HttpSecurity security;
    private final SseHub sse;
    private final Status status;

    ApiRoutes(WorkLedger ledger, Clock clock, boolean readOnly, HttpSecurity security, SseHub sse, Status status) {
        this.ledger = ledger;
        this.reader = ledger.reader();
        this.clock = clock;
        this.readOnly = readOnly;
        this.security = security;
        this.sse = sse;
        this.status = status;
    }

    void handle(HttpExchange exchange, String path) throws IOException {
        if (!path.startsWith(PREFIX)) {
            HttpExchanges.error(exchange, 404, "no such API; the console's API is under " + PREFIX);
            return;
        }
        String route = path.substring(PREFIX.length());
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        try {
            if (route.equals("reschedule")) {
                reschedule(exchange);
                return;
            }
            if (!HttpExchanges.readMethod(exchange)) {
                return;
            }
            switch (route) {
                case "status" -> HttpExchanges.send(exchange, 200, "application/json; charset=utf-8",
                        status.json().getBytes(StandardCharsets.UTF_8));
                case "events" -> events(exchange);
                case "tracks", "jobs", "chunks" -> table(exchange, kind(route));
                case "tracks.csv", "jobs.csv", "chunks.csv" -> csv(exchange, kind(route.substring(0, route.length() - 4)));
                case "failures" -> HttpExchanges.json(exchange, 200, Map.of("groups", FailureGroups.read(reader)));
                case "throughput" -> throughput(exchange);
                case "tagkeys" -> HttpExchanges.json(exchange, 200, Map.of("tagKeys", reader.tagKeys()));
                default -> {
                    if (route.startsWith("track/")) {
                        HttpExchanges.json(exchange, 200, ApiTrackDetail.read(reader, trackId(route.substring(6))));
                    } else {
                        HttpExchanges.error(exchange, 404, "no such API: " + Escape.visible(route));
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            // BadViewParameter and the ledger's own query checks: the caller's mistake, with a message for people.
            HttpExchanges.error(exchange, 400, e.getMessage());
        } catch (NotFoundException e) {
            HttpExchanges.error(exchange, 404, e.getMessage());
        } catch (UnsupportedOperationException e) {
            HttpExchanges.error(exchange, 404, "this ledger keeps no job records, so there is no jobs view");
        }
    }

    private static TableKind kind(String key) {
        return TableKind.valueOf(key.toUpperCase(java.util.Locale.ROOT));
    }

    private static long trackId(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("track id " + Escape.quoted(text) + " is not a number");
        }
    }

    private void events(HttpExchange exchange) throws IOException {
        if (exchange.getRequestMethod().equals("HEAD")) {
            // A HEAD asks whether the stream is there, without joining it (nor counting against the cap).
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
            return;
        }
        if (!sse.join(exchange)) {
            exchange.getResponseHeaders().set("Retry-After", Integer.toString(SSE_RETRY_AFTER_SECONDS));
            HttpExchanges.error(exchange, 503, "too many live panels are open; this one polls the status instead");
        }
    }

    private void table(HttpExchange exchange, TableKind kind) throws IOException {
        ViewParams params = ViewParams.parse(kind, HttpExchanges.query(exchange), clock);
        TablePage page = TableViews.page(reader, params);
        List<String> sortable = TableViews.sortable(kind);
        List<Map<String, Object>> columns = new ArrayList<>();
        for (Column c : page.columns()) {
            Map<String, Object> column = new LinkedHashMap<>();
            column.put("key", c.key());
            column.put("title", c.title());
            column.put("numeric", TableViews.numeric(c));
            column.put("sortable", sortable.contains(c.key()));
            columns.add(column);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", kind.key());
        body.put("columns", columns);
        body.put("allColumns", TableViews.columns(kind));
        body.put("rows", page.rows());
        body.put("total", page.total());
        body.put("totalIsLowerBound", page.totalIsLowerBound());
        body.put("countLimit", dev.juggler.ledger.LedgerReader.COUNT_LIMIT);
        body.put("nextOffset", page.nextOffset().isPresent() ? page.nextOffset().getAsLong() : null);
        body.put("offset", page.offset());
        body.put("limit", page.limit());
        body.put("sort", (params.descending() ? "-" : "") + params.sort());
        body.put("params", params.toRaw());
        HttpExchanges.json(exchange, 200, body);
    }

    /**
     * Every matching row as CSV, streamed a ledger page at a time with chunked transfer: the heap holds one
     * page, never the export. Parameters are checked before the first byte, so a bad one still answers 400.
     */
    private void csv(HttpExchange exchange, TableKind kind) throws IOException {
        ViewParams params = ViewParams.parse(kind, HttpExchanges.query(exchange), clock);
        List<String> header = params.chosenColumns().stream().map(Column::key).toList();
        exchange.getResponseHeaders().set("Content-Type", "text/csv; charset=utf-8");
        exchange.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + kind.key() + ".csv\"");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
            return;
        }
        exchange.sendResponseHeaders(200, 0);
        try (Writer out = new BufferedWriter(new OutputStreamWriter(exchange.getResponseBody(), StandardCharsets.UTF_8), 1 << 16)) {
            ApiCsv csv = new ApiCsv(out);
            csv.row(header);
            try {
                TableViews.stream(reader, params, csv::row);
            } catch (UncheckedIOException e) {
                throw e;
            } catch (RuntimeException e) {
                // The status line is sent already: the file itself must say that it is incomplete, or a cut-off
                // export would look whole. The reason goes to the log only (it may name the database).
                String reference = Long.toHexString(System.nanoTime());
                LOG.error("console: the {} export stopped early (ref {})", kind.key(), reference, e);
                out.write("#ERROR the export stopped early and is incomplete (ref " + reference + ")\r\n");
            }
        } catch (UncheckedIOException e) {
            throw e.getCause(); // the client went away
        } finally {
            exchange.close();
        }
    }

    private void throughput(HttpExchange exchange) throws IOException {
        String range = HttpExchanges.query(exchange).getOrDefault("range", List.of("24h")).get(0);
        Duration length;
        Duration bucket;
        switch (range) {
            case "24h" -> {
                length = Duration.ofHours(24);
                bucket = Duration.ofMinutes(15);
            }
            case "7d" -> {
                length = Duration.ofDays(7);
                bucket = Duration.ofHours(2);
            }
            default -> throw new BadViewParameter("range", "range = " + Escape.quoted(range) + ": allowed: 24h, 7d");
        }
        Instant now = clock.instant();
        List<Map<String, Object>> points = new ArrayList<>();
        for (ThroughputPoint p : reader.throughput(now.minus(length), bucket)) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("start", p.start());
            point.put("framesDone", p.framesDone());
            point.put("framesPerSecond", p.framesDone() / (double) bucket.toSeconds());
            point.put("jobsRunning", p.jobsRunning());
            points.add(point);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("range", range);
        body.put("from", now.minus(length));
        body.put("to", now);
        body.put("bucketSeconds", bucket.toSeconds());
        body.put("points", points);
        HttpExchanges.json(exchange, 200, body);
    }

    /**
     * {@code POST reschedule}: {@code {"group": ID}} or {@code {"filter": {view keys}}}, with {@code "dryRun"}
     * (default {@code true}, so a request that forgets it changes nothing).
     */
    private void reschedule(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            exchange.getResponseHeaders().set("Allow", "POST");
            HttpExchanges.error(exchange, 405, exchange.getRequestMethod() + " is not allowed here; use POST");
            return;
        }
        if (readOnly) {
            HttpExchanges.error(exchange, 403, "this console is read-only: re-scheduling is refused");
            return;
        }
        if (!security.csrfMatches(exchange)) {
            HttpExchanges.error(exchange, 403, "missing or wrong " + HttpSecurity.CSRF_HEADER + " header (reload the page)");
            return;
        }
        JsonNode body;
        try {
            body = ApiJson.mapper().readTree(HttpExchanges.body(exchange));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException("the body is not JSON: " + e.getOriginalMessage());
        }
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("send a JSON object: {\"group\": \"ID\"} or {\"filter\": {...}}, and \"dryRun\"");
        }
        JsonNode dry = body.path("dryRun");
        if (!dry.isMissingNode() && !dry.isBoolean()) {
            throw new IllegalArgumentException("dryRun must be true or false");
        }
        boolean dryRun = dry.isMissingNode() || dry.booleanValue();
        boolean byGroup = body.has("group");
        if (byGroup == body.has("filter")) {
            throw new IllegalArgumentException("give exactly one of \"group\" and \"filter\"");
        }
        RescheduleFilter filter;
        String what;
        if (byGroup) {
            String id = body.get("group").asText();
            FailureGroup group = FailureGroups.find(FailureGroups.read(reader), id)
                    .orElseThrow(() -> new NotFoundException("failure group", Escape.quoted(id)
                            + " (nothing fails with that cause now: re-scheduled already?)"));
            filter = FailureGroups.filterOf(group);
            what = "failure group " + group.id();
        } else {
            filter = ApiFilters.rescheduleFilter(rawFilter(body.get("filter")), clock);
            what = "filter " + Escape.visible(body.get("filter").toString());
        }
        RescheduleOutcome outcome = ledger.reschedule(filter, dryRun);
        if (!dryRun) {
            LOG.info("console: re-scheduled {} from {}: {}", what, exchange.getRemoteAddress().getAddress().getHostAddress(),
                    outcome);
            sse.pushSoon();
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("matched", outcome.matched());
        answer.put("rescheduled", outcome.rescheduled());
        answer.put("skipped", outcome.skipped());
        answer.put("frames", outcome.frames());
        answer.put("dryRun", outcome.dryRun());
        answer.put("summary", outcome.toString());
        HttpExchanges.json(exchange, 200, answer);
    }

    /** {@code {"tag": ["a=b"], "reason": "x"}}: strings or arrays of strings, as a query string would give. */
    private static Map<String, List<String>> rawFilter(JsonNode filter) {
        if (!filter.isObject()) {
            throw new IllegalArgumentException("filter must be an object of view parameters");
        }
        Map<String, List<String>> raw = new LinkedHashMap<>();
        filter.fields().forEachRemaining(e -> {
            List<String> values = new ArrayList<>();
            JsonNode v = e.getValue();
            if (v.isArray()) {
                v.forEach(item -> values.add(scalar(e.getKey(), item)));
            } else {
                values.add(scalar(e.getKey(), v));
            }
            raw.put(e.getKey(), values);
        });
        return raw;
    }

    private static String scalar(String key, JsonNode v) {
        if (!v.isValueNode() || v.isNull()) {
            throw new IllegalArgumentException("filter " + Escape.quoted(key) + ": give a string or a number");
        }
        return v.asText();
    }

    /**
     * The status panel's data: the snapshot plus when the console sends the next one. Thread-safe.
     */
    record Status(LedgerReader reader, Clock clock, Duration refreshInterval) {
        String json() {
            ObjectNode node;
            try {
                node = (ObjectNode) ApiJson.mapper().readTree(StatusSnapshot.read(reader, clock).toJson());
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw new IllegalStateException("the status snapshot wrote broken JSON", e);
            }
            ObjectNode console = node.putObject("console");
            console.put("refreshSeconds", refreshInterval.toMillis() / 1000.0);
            console.put("nextRefresh", clock.instant().plus(refreshInterval).toString());
            return node.toString();
        }
    }
}
