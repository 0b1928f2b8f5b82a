package dev.juggler.samples.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.cluster.JobState;
import dev.juggler.ledger.ChunkQuery;
import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.JobQuery;
import dev.juggler.ledger.TrackQuery;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Parsing, checking and round-tripping the parameters of the table views. */
class ViewParamsTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static ViewParams parse(TableKind kind, Object... keyValues) {
        Map<String, List<String>> raw = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            Object v = keyValues[i + 1];
            raw.put((String) keyValues[i], v instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of((String) v));
        }
        return ViewParams.parse(kind, raw, CLOCK);
    }

    @Test
    void defaultsAreTheFirstPageInIdOrder() {
        ViewParams p = ViewParams.parse(TableKind.TRACKS, Map.of(), CLOCK);
        TrackQuery q = p.trackQuery();
        assertEquals(TrackQuery.Sort.ID, q.sort());
        assertFalse(q.descending());
        assertEquals(0, q.offset());
        assertEquals(50, q.limit());
        assertTrue(q.window().isAlways());
        assertEquals(TableViews.columns(TableKind.TRACKS), p.chosenColumns());
        assertEquals(JobQuery.Sort.SUBMITTED_DESC, ViewParams.parse(TableKind.JOBS, Map.of(), CLOCK).jobQuery().sort());
        assertEquals(Map.of(), p.toRaw());
    }

    @Test
    void everyFilterReachesTheQuery() {
        ViewParams p = parse(TableKind.TRACKS, "state", "failed", "analysis", "pose", "video", "<img src=x onerror=alert(1)>",
                "tag", List.of("camera=left", "région=Île ✓"), "reason", "' OR 1=1 --", "since", "2h", "until",
                "2026-03-01T11:30:00Z", "sort", "-priority", "offset", "100", "limit", "20", "columns", "track,tag:camera, state");
        TrackQuery q = p.trackQuery();
        assertEquals(Optional.of(ChunkState.FAILED), q.state());
        assertEquals(Optional.of("pose"), q.analysis());
        assertEquals(Optional.of("<img src=x onerror=alert(1)>"), q.videoId());
        assertEquals(Map.of("camera", "left", "région", "Île ✓"), q.tags());
        assertEquals(Optional.of("' OR 1=1 --"), q.reasonLike());
        assertEquals(Optional.of(NOW.minusSeconds(7200)), q.window().since());
        assertEquals(Optional.of(Instant.parse("2026-03-01T11:30:00Z")), q.window().until());
        assertEquals(TrackQuery.Sort.PRIORITY_DESC, q.sort());
        assertFalse(q.descending(), "-priority is the query's own highest-first order");
        assertEquals(100, q.offset());
        assertEquals(20, q.limit());
        assertEquals(List.of("track", "tag:camera", "state"), p.chosenColumns().stream().map(Column::key).toList());
        assertEquals(p, ViewParams.parse(TableKind.TRACKS, p.toRaw(), CLOCK), "round trip through URL parameters");
        assertEquals("2h", p.toRaw().get("since").get(0), "a relative window stays relative in a link");
    }

    @Test
    void chunkAndJobQueries() {
        ChunkQuery c = parse(TableKind.CHUNKS, "track", "7", "state", "LEASED", "sort", "updated").chunkQuery();
        assertEquals(Optional.of(7L), c.trackId());
        assertEquals(ChunkQuery.Sort.UPDATED_DESC, c.sort());
        assertTrue(c.descending(), "ascending 'updated' is the reverse of the query's newest-first order");
        assertEquals(ChunkQuery.Sort.UPDATED_DESC, parse(TableKind.CHUNKS, "sort", "-updated").chunkQuery().sort());
        assertFalse(parse(TableKind.CHUNKS, "sort", "-updated").chunkQuery().descending());
        JobQuery j = parse(TableKind.JOBS, "run", "tag-1", "state", "running", "sort", "submitted", "since", "2026-02-01").jobQuery();
        assertEquals(Optional.of("tag-1"), j.runKey());
        assertEquals(Optional.of(JobState.RUNNING), j.state());
        assertEquals(JobQuery.Sort.SUBMITTED_ASC, j.sort());
        assertEquals(Optional.of(Instant.parse("2026-02-01T00:00:00Z")), j.window().since());
        assertEquals(Optional.of(ChunkState.LEASED), parse(TableKind.TRACKS, "state", "running").trackQuery().state());
    }

    @Test
    void emptyValuesCountAsAbsentAsEmptyFormFieldsDo() {
        ViewParams p = parse(TableKind.TRACKS, "state", "", "video", "", "limit", "");
        assertEquals(ViewParams.parse(TableKind.TRACKS, Map.of(), CLOCK), p);
    }

    @Test
    void badParametersNameTheParameterTheValueAndWhatIsAllowed() {
        assertBad("run: not a parameter of the tracks view; allowed: state, analysis", TableKind.TRACKS, "run", "x");
        assertBad("evil\\n\\x1b[31m: not a parameter", TableKind.TRACKS, "evil\n\u001b[31m", "x");
        assertBad("state = \"<script>\": not a state of the tracks view; allowed: PENDING, LEASED, DONE, FAILED", TableKind.TRACKS,
                "state", "<script>");
        assertBad("state = DONE: not a state of the jobs view; allowed: PENDING, RUNNING, COMPLETED", TableKind.JOBS, "state", "DONE");
        assertBad("sort = frames: the tracks view cannot be sorted by that (prefix - to reverse); allowed: track, video, analysis, "
                + "priority", TableKind.TRACKS, "sort", "frames");
        assertBad("limit = 10001: must be in 1..10000", TableKind.TRACKS, "limit", "10001");
        assertBad("limit = 0: must be in 1..10000", TableKind.TRACKS, "limit", "0");
        assertBad("offset = -1: must be in 0..", TableKind.CHUNKS, "offset", "-1");
        assertBad("offset = \"1; DROP TABLE x\": not a whole number", TableKind.CHUNKS, "offset", "1; DROP TABLE x");
        assertBad("since = yesterday: not a time; allowed: 2026-01-31T12:00:00Z", TableKind.TRACKS, "since", "yesterday");
        assertBad("until = 3h: must be later than since", TableKind.TRACKS, "since", "2h", "until", "3h");
        assertBad("tag = camera: write KEY=VALUE", TableKind.TRACKS, "tag", "camera");
        assertBad("columns = bogus: not a column of the chunks view; allowed: chunk, track", TableKind.CHUNKS, "columns", "track,bogus");
        assertBad("columns = tag:camera: not a column of the jobs view", TableKind.JOBS, "columns", "tag:camera");
        assertBad("reason = \"a\\tb\": reason pattern must not contain control characters", TableKind.TRACKS, "reason", "a\tb");
        assertBad("video = x: given 2 times; give it once", TableKind.TRACKS, "video", List.of("y", "x"));
    }

    private static void assertBad(String expectedStart, TableKind kind, Object... keyValues) {
        BadViewParameter e = assertThrows(BadViewParameter.class, () -> parse(kind, keyValues));
        assertTrue(e.getMessage().startsWith(expectedStart), e.getMessage());
        assertFalse(e.getMessage().chars().anyMatch(ch -> ch < 0x20), "no control character in " + e.getMessage());
    }
}
