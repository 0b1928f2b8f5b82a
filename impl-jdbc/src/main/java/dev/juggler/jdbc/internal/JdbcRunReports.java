package dev.juggler.jdbc.internal;

import dev.juggler.ledger.RunReport;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The run_reports table: the newest report of each run (one row per run key, replaced by each report),
 * for the job records. Stateless apart from the database; thread-safe.
 */
final class JdbcRunReports {

    private final LedgerDatabase db;

    JdbcRunReports(LedgerDatabase db) {
        this.db = db;
    }

    // Problems and waiting reasons are kept as the lines of one text column.
    private static final String LINES = "\n";

    void record(RunReport report) {
        Objects.requireNonNull(report, "report");
        db.tx("recordRunReport(run=" + report.runKey() + ")", c -> {
            Object[] values = {report.at().toEpochMilli(), report.jobsPending(), report.jobsRunning(), report.workspaceUsedBytes(),
                report.workspaceBudgetBytes(), report.videosStaging(),
                report.clusterUnavailableSince().<Object>map(Instant::toEpochMilli).orElse(Sql.NULL_BIGINT),
                report.nextTick().toEpochMilli(), joinLines(report.problems()), joinLines(report.waiting()), report.runKey()};
            int updated;
            try (PreparedStatement update = c.prepareStatement(db.sql("UPDATE {p}run_reports SET at_ms = ?, jobs_pending = ?,"
                    + " jobs_running = ?, workspace_used = ?, workspace_budget = ?, videos_staging = ?, unavailable_since_ms = ?,"
                    + " next_tick_ms = ?, problems = ?, waiting = ? WHERE run_key = ?"))) {
                Sql.bindAll(update, values);
                updated = update.executeUpdate();
            }
            if (updated == 0) {
                try (PreparedStatement insert = c.prepareStatement(db.sql("INSERT INTO {p}run_reports (at_ms, jobs_pending,"
                        + " jobs_running, workspace_used, workspace_budget, videos_staging, unavailable_since_ms, next_tick_ms, problems,"
                        + " waiting, run_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"))) {
                    Sql.bindAll(insert, values);
                    insert.executeUpdate();
                }
            }
            return null;
        });
    }

    List<RunReport> all() {
        return db.tx("runReports", c -> {
            List<RunReport> result = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(db.sql("SELECT run_key, at_ms, jobs_pending, jobs_running,"
                    + " workspace_used, workspace_budget, videos_staging, unavailable_since_ms, next_tick_ms, problems, waiting"
                    + " FROM {p}run_reports ORDER BY at_ms DESC, run_key"));
                    ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    result.add(new RunReport(rows.getString(1), Instant.ofEpochMilli(rows.getLong(2)), rows.getInt(3), rows.getInt(4),
                            rows.getLong(5), rows.getLong(6), rows.getInt(7), Sql.instant(rows, 8), Instant.ofEpochMilli(rows.getLong(9)),
                            splitLines(rows.getString(10)), splitLines(rows.getString(11))));
                }
            }
            return result;
        });
    }

    private static String joinLines(List<String> lines) {
        return String.join(LINES, lines); // RunReport keeps each one a single line
    }

    private static List<String> splitLines(String text) {
        return text == null || text.isEmpty() ? List.of() : List.of(text.split(LINES, -1));
    }
}
