package dev.juggler.samples.console;

import dev.juggler.ledger.ChunkView;
import dev.juggler.ledger.JobRecord;
import dev.juggler.ledger.JobStateChange;
import dev.juggler.ledger.LedgerReader;
import dev.juggler.ledger.TrackQuery;
import dev.juggler.ledger.TrackView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Turns the ledger's operator reads into table pages of string cells, shared by the command line (table, CSV,
 * JSON) and the web console. Filtering, sorting and paging happen in the ledger, never here, so a page costs
 * the same with 100 rows or 1M; {@link #stream} visits every matching row a page at a time in bounded memory.
 * Stateless; thread-safe (as thread-safe as the reader, which is).
 */
public final class TableViews {

    /** Rows per ledger read while {@link #stream streaming}. */
    public static final int STREAM_PAGE = 1000;

    private static final List<Column> TRACK_COLUMNS = List.of(new Column("track", "Track"), new Column("video", "Video"),
            new Column("analysis", "Analysis"), new Column("state", "State"), new Column("from", "From"),
            new Column("to", "To"), new Column("frames", "Frames"), new Column("done", "Done"), new Column("failed", "Failed"),
            new Column("leased", "Leased"), new Column("priority", "Priority"));
    private static final List<Column> CHUNK_COLUMNS = List.of(new Column("chunk", "Chunk"), new Column("track", "Track"),
            new Column("video", "Video"), new Column("state", "State"), new Column("from", "From"), new Column("to", "To"),
            new Column("frames", "Frames"), new Column("attempts", "Attempts"), new Column("job", "Job"),
            new Column("owner", "Owner"), new Column("expires", "Lease expires"), new Column("reason", "Reason"),
            new Column("updated", "Updated"));
    private static final List<Column> JOB_COLUMNS = List.of(new Column("job", "Job"), new Column("run", "Run"),
            new Column("state", "State"), new Column("native", "Native state"), new Column("submitted", "Submitted"),
            new Column("ended", "Ended"), new Column("settled", "Settled"), new Column("frames", "Frames done"),
            new Column("reason", "Reason"), new Column("exit", "Exit"));
    private static final Set<String> NUMERIC = Set.of("n", "chunks", "tracks", "track", "chunk", "from", "to", "frames", "done", "failed",
            "leased",
            "priority", "attempts", "exit");

    private TableViews() {
    }

    /** Every column of {@code kind} but tag columns, in display order; also the default set. */
    public static List<Column> columns(TableKind kind) {
        return switch (kind) {
            case TRACKS -> TRACK_COLUMNS;
            case CHUNKS -> CHUNK_COLUMNS;
            case JOBS -> JOB_COLUMNS;
        };
    }

    /** Whether the cells of {@code column} are whole numbers (or empty), e.g. to right-align them or write JSON numbers. */
    public static boolean numeric(Column column) {
        return !column.isTag() && NUMERIC.contains(column.key());
    }

    /** The column keys {@code kind} can be sorted by ({@code sort=KEY} or {@code sort=-KEY}). */
    public static List<String> sortable(TableKind kind) {
        return Sorts.sortable(kind);
    }

    /**
     * One page of the view: the rows at {@code params.offset()}, at most {@code params.limit()}, and the total
     * count of matching rows.
     *
     * @throws UnsupportedOperationException for the jobs view of a ledger that keeps no job records
     */
    public static TablePage page(LedgerReader reader, ViewParams params) {
        List<Column> columns = params.chosenColumns();
        List<List<String>> rows = switch (params.kind()) {
            case TRACKS -> trackRows(reader, reader.tracks(params.trackQuery()), columns);
            case CHUNKS -> chunkRows(reader, reader.chunks(params.chunkQuery()), columns);
            case JOBS -> jobRows(reader.jobs(params.jobQuery()), columns);
        };
        long total;
        if (params.offset() == 0 && rows.size() < params.limit()) {
            total = rows.size(); // the whole result fits this page: no need to count
        } else {
            total = switch (params.kind()) {
                case TRACKS -> reader.countTracks(params.trackQuery());
                case CHUNKS -> reader.countChunks(params.chunkQuery());
                case JOBS -> reader.countJobs(params.jobQuery());
            };
        }
        return new TablePage(params.kind(), columns, rows, total, params.offset(), params.limit());
    }

    /**
     * Visits every row matching the view's filters, in its order, from {@code params.offset()} to the end
     * ({@code params.limit()} is ignored), reading {@value #STREAM_PAGE} rows at a time: memory stays bounded
     * whatever the number of rows. Rows changed while streaming may be seen twice or not at all, as with any
     * paged read of live data.
     */
    public static void stream(LedgerReader reader, ViewParams params, Consumer<List<String>> rowSink) {
        List<Column> columns = params.chosenColumns();
        for (long offset = params.offset();; offset += STREAM_PAGE) {
            ViewParams page = params.withPage(offset, STREAM_PAGE);
            List<List<String>> rows = switch (params.kind()) {
                case TRACKS -> trackRows(reader, reader.tracks(page.trackQuery()), columns);
                case CHUNKS -> chunkRows(reader, reader.chunks(page.chunkQuery()), columns);
                case JOBS -> jobRows(reader.jobs(page.jobQuery()), columns);
            };
            rows.forEach(rowSink);
            if (rows.size() < STREAM_PAGE) {
                return;
            }
        }
    }

    static List<List<String>> trackRows(LedgerReader reader, List<TrackView> tracks, List<Column> columns) {
        Map<String, Map<String, String>> tags = tagsOf(reader, tracks, TrackView::videoId, columns);
        List<List<String>> rows = new ArrayList<>(tracks.size());
        for (TrackView t : tracks) {
            List<String> row = new ArrayList<>(columns.size());
            for (Column c : columns) {
                row.add(c.isTag() ? tag(tags, t.videoId(), c) : switch (c.key()) {
                    case "track" -> Long.toString(t.trackId());
                    case "video" -> t.videoId();
                    case "analysis" -> t.analysis();
                    case "state" -> trackState(t);
                    case "from" -> Long.toString(t.range().from());
                    case "to" -> Long.toString(t.range().to());
                    case "frames" -> Long.toString(t.range().length());
                    case "done" -> Long.toString(t.framesDone());
                    case "failed" -> Long.toString(t.framesFailed());
                    case "leased" -> Long.toString(t.framesLeased());
                    case "priority" -> Integer.toString(t.priority());
                    default -> throw new IllegalArgumentException("no track column " + c.key());
                });
            }
            rows.add(row);
        }
        return rows;
    }

    static List<List<String>> chunkRows(LedgerReader reader, List<ChunkView> chunks, List<Column> columns) {
        Map<String, Map<String, String>> tags = tagsOf(reader, chunks, ChunkView::videoId, columns);
        List<List<String>> rows = new ArrayList<>(chunks.size());
        for (ChunkView k : chunks) {
            List<String> row = new ArrayList<>(columns.size());
            for (Column c : columns) {
                row.add(c.isTag() ? tag(tags, k.videoId(), c) : switch (c.key()) {
                    case "chunk" -> Long.toString(k.chunkId());
                    case "track" -> Long.toString(k.trackId());
                    case "video" -> k.videoId();
                    case "state" -> k.state().name();
                    case "from" -> Long.toString(k.range().from());
                    case "to" -> Long.toString(k.range().to());
                    case "frames" -> Long.toString(k.range().length());
                    case "attempts" -> Integer.toString(k.attempts());
                    case "job" -> k.jobId().orElse("");
                    case "owner" -> k.leaseOwner().orElse("");
                    case "expires" -> time(k.leaseExpiresAt());
                    case "reason" -> k.failureReason().orElse("");
                    case "updated" -> TimeText.format(k.updatedAt());
                    default -> throw new IllegalArgumentException("no chunk column " + c.key());
                });
            }
            rows.add(row);
        }
        return rows;
    }

    static List<List<String>> jobRows(List<JobRecord> jobs, List<Column> columns) {
        List<List<String>> rows = new ArrayList<>(jobs.size());
        for (JobRecord j : jobs) {
            Optional<JobStateChange> last = j.lastState();
            List<String> row = new ArrayList<>(columns.size());
            for (Column c : columns) {
                row.add(switch (c.key()) {
                    case "job" -> j.jobId();
                    case "run" -> j.runKey();
                    case "state" -> last.map(s -> s.state().name()).orElse("");
                    case "native" -> last.map(JobStateChange::nativeState).orElse("");
                    case "submitted" -> TimeText.format(j.submittedAt());
                    case "ended" -> time(j.endedAt());
                    case "settled" -> time(j.settledAt());
                    case "frames" -> Long.toString(j.framesDone());
                    case "reason" -> last.flatMap(JobStateChange::reason).orElse("");
                    case "exit" -> last.filter(s -> s.exitCode().isPresent()).map(s -> Integer.toString(s.exitCode().getAsInt()))
                            .orElse("");
                    default -> throw new IllegalArgumentException("no job column " + c.key());
                });
            }
            rows.add(row);
        }
        return rows;
    }

    // Tracks are "running" while one of their chunks is leased: the panel's word, not the chunk state's.
    private static String trackState(TrackView t) {
        return t.state() == dev.juggler.ledger.ChunkState.LEASED ? "RUNNING" : t.state().name();
    }

    private static String time(Optional<Instant> instant) {
        return instant.map(TimeText::format).orElse("");
    }

    private static String tag(Map<String, Map<String, String>> tags, String videoId, Column c) {
        return tags.getOrDefault(videoId, Map.of()).getOrDefault(c.tagKey(), "");
    }

    // One read for the tags of the page's videos, and none when no tag column is shown.
    private static <T> Map<String, Map<String, String>> tagsOf(LedgerReader reader, List<T> rows, Function<T, String> video,
            List<Column> columns) {
        if (rows.isEmpty() || columns.stream().noneMatch(Column::isTag)) {
            return Map.of();
        }
        Set<String> ids = new LinkedHashSet<>();
        rows.forEach(r -> ids.add(video.apply(r)));
        return reader.videoTags(ids);
    }

    /** The query of a tracks view, for callers that need the rows as {@link TrackView}s (export). */
    static TrackQuery tracksPage(ViewParams params, long offset, int limit) {
        return params.withPage(offset, limit).trackQuery();
    }
}
