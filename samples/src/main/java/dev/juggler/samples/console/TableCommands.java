package dev.juggler.samples.console;

import dev.juggler.ledger.WorkLedger;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code juggler tracks}, {@code juggler jobs} and {@code juggler chunks}: the table views on the command line.
 * Every option is a {@link ViewParams} key of the same name, so a view typed here and one bookmarked in the web
 * console mean the same. The ledger filters, sorts and pages; {@code --all} streams every matching row. Not
 * thread-safe: picocli runs a command once.
 */
public final class TableCommands {

    private TableCommands() {
    }

    /** The options every table view has. */
    static final class ViewOptions {
        @Option(names = "--state", paramLabel = "STATE", description = "Only rows in this state.")
        String state;

        @Option(names = "--since", paramLabel = "TIME",
                description = "Only rows changed (jobs: submitted) at or after TIME: an ISO instant, a date, or a duration "
                        + "back from now (2h, 7d).")
        String since;

        @Option(names = "--until", paramLabel = "TIME", description = "Only rows changed (jobs: submitted) before TIME.")
        String until;

        @Option(names = "--sort", paramLabel = "[-]COLUMN", description = "Order by a sortable column; -COLUMN reverses.")
        String sort;

        @Option(names = "--offset", paramLabel = "N", description = "Skip N rows (default 0).")
        String offset;

        @Option(names = "--limit", paramLabel = "N", description = "Rows per page (default 50, at most 10000).")
        String limit;

        @Option(names = "--columns", paramLabel = "LIST",
                description = "Comma list of column keys to show; tag:KEY shows a video tag (tracks, chunks).")
        String columns;

        @Option(names = "--all", description = "Every matching row (from --offset on), streamed; --limit is ignored.")
        boolean all;

        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
                description = "table (default), csv or json.")
        String format;

        void into(Map<String, List<String>> raw) {
            put(raw, ViewParams.STATE, state);
            put(raw, ViewParams.SINCE, since);
            put(raw, ViewParams.UNTIL, until);
            put(raw, ViewParams.SORT, sort);
            put(raw, ViewParams.OFFSET, offset);
            put(raw, ViewParams.LIMIT, limit);
            put(raw, ViewParams.COLUMNS, columns);
        }
    }

    /** The filters by video that tracks and chunks share. */
    static final class VideoFilters {
        @Option(names = "--video", paramLabel = "ID", description = "Only rows of this video.")
        String video;

        @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "Only rows of videos with this tag (repeatable; all must match).")
        List<String> tags = new ArrayList<>();

        @Option(names = "--reason", paramLabel = "PATTERN",
                description = "Only rows with a failure reason containing PATTERN (case-insensitive; * and ? are wildcards).")
        String reason;

        void into(Map<String, List<String>> raw) {
            put(raw, ViewParams.VIDEO, video);
            if (!tags.isEmpty()) {
                raw.put(ViewParams.TAG, List.copyOf(tags));
            }
            put(raw, ViewParams.REASON, reason);
        }
    }

    /** The shared work of the three views. */
    abstract static class TableCommand extends OperatorCommand {
        @Mixin
        ViewOptions view = new ViewOptions();

        private ViewParams params;
        private RowWriter.Format format;

        abstract TableKind kind();

        abstract void filters(Map<String, List<String>> raw);

        @Override
        void check() {
            Map<String, List<String>> raw = new LinkedHashMap<>();
            view.into(raw);
            filters(raw);
            params = ViewParams.parse(kind(), raw, clock);
            format = Formats.parse(this, view.format, RowWriter.Format.values());
        }

        @Override
        int run(WorkLedger ledger, PrintWriter out) {
            RowWriter writer = RowWriter.of(format, params.chosenColumns(), out);
            if (view.all) {
                long[] count = {0};
                List<List<String>> block = new ArrayList<>(TableViews.STREAM_PAGE);
                TableViews.stream(ledger.reader(), params, row -> {
                    block.add(row);
                    count[0]++;
                    if (block.size() == TableViews.STREAM_PAGE) {
                        writer.rows(block);
                        block.clear();
                    }
                });
                writer.rows(block);
                writer.finish();
                if (format == RowWriter.Format.TABLE) {
                    out.println(count[0] == 0 ? "no matching " + kind().key() : count[0] + " " + kind().key());
                }
                return 0;
            }
            TablePage page = TableViews.page(ledger.reader(), params);
            writer.rows(page.rows());
            writer.finish();
            if (format == RowWriter.Format.TABLE) {
                out.println(footer(page));
            }
            return 0;
        }

        /** {@code rows 1–50 of 1234 (next: --offset 50)}. */
        static String footer(TablePage page) {
            if (page.rows().isEmpty()) {
                return page.total() == 0 ? "no matching rows" : "no rows at offset " + page.offset() + " of " + page.totalText();
            }
            String s = "rows " + (page.offset() + 1) + "–" + (page.offset() + page.rows().size()) + " of " + page.totalText();
            return page.nextOffset().isPresent() ? s + " (next: --offset " + page.nextOffset().getAsLong() + ")" : s;
        }
    }

    /** {@code juggler tracks}. Not thread-safe: picocli runs a command once. */
    @Command(name = "tracks", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Lists tracks (video × analysis) with their frames done, failed and running.",
                "Columns: track video analysis state from to frames done failed leased priority tag:KEY; "
                        + "sortable: track video analysis priority."})
    public static final class Tracks extends TableCommand {
        @Option(names = "--analysis", paramLabel = "NAME", description = "Only tracks of this analysis.")
        String analysis;

        @Mixin
        VideoFilters videos = new VideoFilters();

        @Override
        TableKind kind() {
            return TableKind.TRACKS;
        }

        @Override
        void filters(Map<String, List<String>> raw) {
            put(raw, ViewParams.ANALYSIS, analysis);
            videos.into(raw);
        }
    }

    /** {@code juggler chunks}. Not thread-safe: picocli runs a command once. */
    @Command(name = "chunks", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Lists chunks (frame ranges of tracks) with their leases, attempts and failure reasons.",
                "Columns: chunk track video state from to frames attempts job owner expires reason updated tag:KEY; "
                        + "sortable: track chunk updated attempts."})
    public static final class Chunks extends TableCommand {
        @Option(names = "--track", paramLabel = "ID", description = "Only chunks of this track.")
        String track;

        @Mixin
        VideoFilters videos = new VideoFilters();

        @Override
        TableKind kind() {
            return TableKind.CHUNKS;
        }

        @Override
        void filters(Map<String, List<String>> raw) {
            put(raw, ViewParams.TRACK, track);
            videos.into(raw);
        }
    }

    /** {@code juggler jobs}. Not thread-safe: picocli runs a command once. */
    @Command(name = "jobs", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Lists the worker jobs the juggler submitted, newest first, with their last state.",
                "Columns: job run state native submitted ended settled frames reason exit; sortable: submitted."})
    public static final class Jobs extends TableCommand {
        @Option(names = "--run", paramLabel = "KEY", description = "Only jobs of this run.")
        String run;

        @Override
        TableKind kind() {
            return TableKind.JOBS;
        }

        @Override
        void filters(Map<String, List<String>> raw) {
            put(raw, ViewParams.RUN, run);
        }
    }

    private static void put(Map<String, List<String>> raw, String key, String value) {
        if (value != null) {
            raw.put(key, List.of(value));
        }
    }
}
