package dev.juggler.samples.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.juggler.ledger.ChunkQuery;
import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.Progress;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The console's JSON API over plain HTTP against a seeded H2 ledger: every read, CSV streaming and re-scheduling. */
class WebApiTest extends WebHarness {

    @Test
    void statusEqualsTheLedgerAndEveryAnswerCarriesTheSecurityHeaders() throws Exception {
        ConsoleServer server = start();
        HttpResponse<String> response = get(server, "/api/v1/status");
        assertEquals(200, response.statusCode());
        JsonNode s = json(response);
        Progress p = fixture.ledger.reader().progress();
        assertEquals(p.tracksDone(), s.path("tracks").path("done").asLong());
        assertEquals(2, s.path("tracks").path("failed").asLong());
        assertEquals(p.tracksFailed(), s.path("tracks").path("failed").asLong());
        assertEquals(p.tracksRunning(), s.path("tracks").path("running").asLong());
        assertEquals(p.tracksPending(), s.path("tracks").path("pending").asLong());
        assertEquals(p.frames().doneFrames(), s.path("frames").path("done").asLong());
        assertEquals(5000, s.path("frames").path("total").asLong());
        assertEquals(5.0, s.path("console").path("refreshSeconds").asDouble());
        for (String path : List.of("/api/v1/status", "/", "/assets/console.css", "/api/v1/nothing")) {
            HttpResponse<String> any = get(server, path);
            assertEquals(HttpSecurity.CONTENT_SECURITY_POLICY, any.headers().firstValue("Content-Security-Policy").orElse(""), path);
            assertEquals("nosniff", any.headers().firstValue("X-Content-Type-Options").orElse(""), path);
            assertEquals("no-referrer", any.headers().firstValue("Referrer-Policy").orElse(""), path);
        }
        assertTrue(server.url().startsWith("http://127.0.0.1:"), server.url());
        assertTrue(server.address().getPort() > 0);
    }

    @Test
    void tablesFilterSortPageAndChooseColumnsOnTheServer() throws Exception {
        ConsoleServer server = start();
        JsonNode all = json(get(server, "/api/v1/tracks"));
        assertEquals(5, all.path("total").asLong());
        assertEquals("track", all.path("columns").get(0).path("key").asText());

        JsonNode left = json(get(server, "/api/v1/tracks?tag=" + q("camera=left") + "&columns=" + q("track,video,tag:camera")
                + "&sort=-track"));
        assertEquals(2, left.path("total").asLong());
        assertEquals(List.of(fixture.track(ConsoleFixture.UNICODE), fixture.track(ConsoleFixture.ALPHA)),
                List.of(left.path("rows").get(0).get(0).asLong(), left.path("rows").get(1).get(0).asLong()));
        assertEquals(ConsoleFixture.UNICODE, left.path("rows").get(0).get(1).asText());
        assertEquals("left", left.path("rows").get(0).get(2).asText());
        assertEquals("-track", left.path("sort").asText());

        JsonNode page = json(get(server, "/api/v1/tracks?limit=2&offset=2"));
        assertEquals(5, page.path("total").asLong());
        assertEquals(2, page.path("rows").size());
        assertEquals(2, page.path("offset").asLong());

        JsonNode failed = json(get(server, "/api/v1/chunks?state=FAILED&reason=" + q("decode*frame")));
        assertEquals(2, failed.path("total").asLong());
        JsonNode sql = json(get(server, "/api/v1/tracks?reason=" + q("' OR 1=1 --")));
        assertEquals(0, sql.path("total").asLong(), "SQL metacharacters only filter");
        JsonNode xss = json(get(server, "/api/v1/tracks?video=" + q(ConsoleFixture.XSS)));
        assertEquals(1, xss.path("total").asLong());
        JsonNode jobs = json(get(server, "/api/v1/jobs?state=TIMEOUT"));
        assertEquals(1, jobs.path("total").asLong(), jobs.toString());
        assertEquals("4712", jobs.path("rows").get(0).get(0).asText());
        assertTrue(json(get(server, "/api/v1/tagkeys")).path("tagKeys").toString().contains("camera"));
    }

    @Test
    void badParametersAnswer400AndUnknownThings404WithoutStackTraces() throws Exception {
        ConsoleServer server = start();
        assertError(get(server, "/api/v1/tracks?sort=nope"), 400, "sort");
        assertError(get(server, "/api/v1/tracks?limit=0"), 400, "limit");
        assertError(get(server, "/api/v1/chunks?state=bogus"), 400, "state");
        assertError(get(server, "/api/v1/tracks?since=yesterday-ish"), 400, "since");
        assertError(get(server, "/api/v1/tracks?frobnicate=1"), 400, "frobnicate");
        assertError(get(server, "/api/v1/tracks.csv?columns=nope"), 400, "columns");
        assertError(get(server, "/api/v1/throughput?range=1y"), 400, "range");
        assertError(get(server, "/api/v1/track/abc"), 400, "abc");
        assertError(get(server, "/api/v1/tracks?tag=novalue"), 400, "KEY=VALUE");
        assertError(get(server, "/api/v1/track/999999"), 404, "999999");
        assertError(get(server, "/api/v1/nothing"), 404, "nothing");
        assertError(get(server, "/nothing"), 404, "no such page");
        assertError(get(server, "/assets/../panel.html"), 404, "");
        assertError(post(server, "/api/v1/status", ""), 405, "POST");
        assertError(get(server, "/api/v1/reschedule"), 405, "GET");
    }

    @Test
    void csvStreamsEveryRowQuotedAndGuarded() throws Exception {
        ConsoleServer server = start();
        HttpResponse<String> response = get(server, "/api/v1/tracks.csv?columns=" + q("track,video,state,tag:note") + "&limit=1");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
        assertEquals("chunked", response.headers().firstValue("Transfer-Encoding").orElse(""), "streamed, not buffered");
        assertTrue(response.headers().firstValue("Content-Disposition").orElse("").contains("tracks.csv"));
        String[] lines = response.body().split("\r\n");
        assertEquals("track,video,state,tag:note", lines[0]);
        assertEquals(6, lines.length, "all rows, whatever the page limit: " + response.body());
        assertEquals(fixture.track(ConsoleFixture.ALPHA) + "," + ConsoleFixture.ALPHA + ",DONE,\"'=HYPERLINK(\"\"http://x\"\")\"",
                lines[1]);
        assertEquals(fixture.track(ConsoleFixture.BETA) + ",\"beta, \"\"quoted\"\"\",FAILED,", lines[3]);
        assertTrue(response.body().contains(ConsoleFixture.UNICODE));
        assertEquals("'-1", CsvRows.cell("-1"));
        assertEquals("'@x", CsvRows.cell("@x"));
        assertEquals("\"a\nb\"", CsvRows.cell("a\nb"));
    }

    @Test
    void trackDetailHasChunksInFrameOrderCoverageTagsAndHistory() throws Exception {
        ConsoleServer server = start();
        JsonNode d = json(get(server, "/api/v1/track/" + fixture.track(ConsoleFixture.XSS)));
        assertEquals(ConsoleFixture.XSS, d.path("track").path("videoId").asText());
        assertEquals("<b>süd</b>", d.path("tags").path("region").asText());
        JsonNode chunks = d.path("chunks");
        assertEquals(2, chunks.size());
        assertEquals(0, chunks.get(0).path("range").path("from").asLong());
        assertEquals("DONE", chunks.get(0).path("state").asText());
        assertEquals("FAILED", chunks.get(1).path("state").asText());
        assertEquals(ConsoleFixture.XSS_REASON, chunks.get(1).path("failureReason").asText());
        assertEquals("[{\"from\":0,\"to\":200,\"state\":\"DONE\"},{\"from\":200,\"to\":1000,\"state\":\"FAILED\"}]",
                d.path("coverage").toString());
        assertEquals("FAILED", d.path("history").get(0).path("kind").asText());

        JsonNode running = json(get(server, "/api/v1/track/" + fixture.track(ConsoleFixture.UNICODE)));
        assertEquals("[{\"from\":0,\"to\":400,\"state\":\"LEASED\"},{\"from\":400,\"to\":1000,\"state\":\"PENDING\"}]",
                running.path("coverage").toString());
        fixture.ledger.heartbeat(fixture.running, 150);
        running = json(get(server, "/api/v1/track/" + fixture.track(ConsoleFixture.UNICODE)));
        assertEquals("DONE", running.path("coverage").get(0).path("state").asText(), "frames before the checkpoint are done");
        assertEquals(150, running.path("coverage").get(0).path("to").asLong());
    }

    @Test
    void failureGroupIsRescheduledAfterADryRunAndRepeatingChangesNothing() throws Exception {
        ConsoleServer server = start();
        JsonNode groups = json(get(server, "/api/v1/failures")).path("groups");
        assertEquals(1, groups.size(), groups.toString());
        JsonNode group = groups.get(0);
        assertEquals(2, group.path("chunks").asLong());
        assertEquals(800 + 400, group.path("frames").asLong());
        String id = group.path("id").asText();
        String csrf = csrf(server);

        JsonNode dry = json(post(server, "/api/v1/reschedule", "{\"group\":\"" + id + "\",\"dryRun\":true}",
                "X-Juggler-CSRF", csrf, "Content-Type", "application/json"));
        assertEquals(2, dry.path("matched").asLong());
        assertEquals(0, dry.path("rescheduled").asLong());
        assertTrue(dry.path("dryRun").asBoolean());
        assertEquals(2, fixture.ledger.reader().countChunks(ChunkQuery.inState(ChunkState.FAILED, 10)), "a dry run changes nothing");
        JsonNode noFlag = json(post(server, "/api/v1/reschedule", "{\"group\":\"" + id + "\"}", "X-Juggler-CSRF", csrf));
        assertTrue(noFlag.path("dryRun").asBoolean(), "without dryRun nothing changes");

        HttpResponse<String> act = post(server, "/api/v1/reschedule", "{\"group\":\"" + id + "\",\"dryRun\":false}",
                "X-Juggler-CSRF", csrf);
        assertEquals(200, act.statusCode(), act.body());
        assertEquals(2, json(act).path("rescheduled").asLong());
        assertTrue(json(act).path("summary").asText().startsWith("matched 2 / rescheduled 2 / skipped 0"));
        assertEquals(0, fixture.ledger.reader().countChunks(ChunkQuery.inState(ChunkState.FAILED, 10)));
        assertEquals(0, json(get(server, "/api/v1/status")).path("tracks").path("failed").asLong());

        assertError(post(server, "/api/v1/reschedule", "{\"group\":\"" + id + "\",\"dryRun\":false}", "X-Juggler-CSRF", csrf),
                404, id);
        JsonNode again = json(post(server, "/api/v1/reschedule",
                "{\"filter\":{\"reason\":\"cannot decode\",\"tag\":[\"camera=right\"]},\"dryRun\":false}", "X-Juggler-CSRF", csrf));
        assertEquals(0, again.path("matched").asLong(), "safe to repeat");
        assertError(post(server, "/api/v1/reschedule", "{\"filter\":{\"sort\":\"track\"}}", "X-Juggler-CSRF", csrf), 400, "sort");
        assertError(post(server, "/api/v1/reschedule", "{\"filter\":{},\"dryRun\":false}", "X-Juggler-CSRF", csrf), 400,
                "every failure");
        assertEquals(200, post(server, "/api/v1/reschedule", "{\"filter\":{\"all\":true}}", "X-Juggler-CSRF", csrf).statusCode(),
                "a dry run over every failure, said so");
        assertError(post(server, "/api/v1/reschedule", "{\"group\":\"1\",\"filter\":{}}", "X-Juggler-CSRF", csrf), 400, "exactly one");
        assertError(post(server, "/api/v1/reschedule", "not json", "X-Juggler-CSRF", csrf), 400, "JSON");
        assertError(post(server, "/api/v1/reschedule", "{\"group\":\"1\",\"dryRun\":\"no\"}", "X-Juggler-CSRF", csrf), 400, "dryRun");
    }

    @Test
    void rescheduleByFilterSelectsOnlyWhatTheFilterSays() throws Exception {
        ConsoleServer server = start();
        String csrf = csrf(server);
        JsonNode one = json(post(server, "/api/v1/reschedule", "{\"filter\":{\"video\":\"" + ConsoleFixture.XSS.replace("\"", "\\\"")
                + "\"},\"dryRun\":false}", "X-Juggler-CSRF", csrf));
        assertEquals(1, one.path("rescheduled").asLong());
        assertEquals(1, fixture.ledger.reader().countChunks(ChunkQuery.inState(ChunkState.FAILED, 10)));
    }

    @Test
    void throughputAndPagesAnswer() throws Exception {
        ConsoleServer server = start();
        JsonNode day = json(get(server, "/api/v1/throughput?range=24h"));
        assertEquals(900, day.path("bucketSeconds").asLong());
        long frames = 0;
        for (JsonNode p : day.path("points")) {
            frames += p.path("framesDone").asLong();
        }
        assertEquals(1000 + 200 + 600, frames, day.toString());
        assertEquals(7200, json(get(server, "/api/v1/throughput?range=7d")).path("bucketSeconds").asLong());
        for (String page : List.of("/", "/tracks", "/jobs", "/chunks", "/track?id=1", "/failures", "/throughput")) {
            HttpResponse<String> html = get(server, page);
            assertEquals(200, html.statusCode(), page);
            assertTrue(html.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), page);
            assertTrue(html.body().contains("/assets/common.js"), page);
            assertFalse(html.body().contains("http://") || html.body().contains("https://"), "nothing from elsewhere: " + page);
        }
        assertEquals(Optional.of("text/javascript; charset=utf-8"),
                get(server, "/assets/panel.js").headers().firstValue("Content-Type"));
    }
}
