package dev.juggler.samples.console;

import dev.juggler.ledger.WorkLedger;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code juggler failures}: the failed ranges grouped by cause ({@link FailureGroups}), most chunks first, each
 * with a number and a stable id that {@code juggler reschedule --group} takes. Not thread-safe: picocli runs a
 * command once.
 */
@Command(name = "failures", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Lists failed ranges grouped by their normalised reason (numbers, paths and ids taken out).")
public final class FailuresCommand extends OperatorCommand {

    /** The columns of the groups table; {@code pattern} last, where a long reason has room. */
    static final List<Column> COLUMNS = List.of(new Column("n", "#"), new Column("id", "Id"), new Column("chunks", "Chunks"),
            new Column("frames", "Frames"), new Column("tracks", "Tracks"), new Column("first", "First seen"),
            new Column("last", "Last seen"), new Column("examples", "Example tracks"), new Column("pattern", "Reason pattern"));

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table", description = "table (default), csv or json.")
    String formatText;

    private RowWriter.Format format;

    @Override
    void check() {
        format = Formats.parse(this, formatText, RowWriter.Format.values());
    }

    @Override
    int run(WorkLedger ledger, PrintWriter out) {
        List<FailureGroup> groups = FailureGroups.read(ledger.reader());
        List<List<String>> rows = new ArrayList<>(groups.size());
        for (int i = 0; i < groups.size(); i++) {
            rows.add(row(i + 1, groups.get(i)));
        }
        RowWriter writer = format == RowWriter.Format.TABLE ? new TextTable(COLUMNS, out, 100) : RowWriter.of(format, COLUMNS, out);
        writer.rows(rows);
        writer.finish();
        if (format == RowWriter.Format.TABLE) {
            long chunks = groups.stream().mapToLong(FailureGroup::chunks).sum();
            long frames = groups.stream().mapToLong(FailureGroup::frames).sum();
            if (groups.isEmpty()) {
                out.println("no failed ranges");
            } else {
                out.printf("%d group(s), %s failed range(s), %s frames. Re-schedule a group: juggler reschedule --group N "
                        + "(a dry run; add --yes to act)%n", groups.size(), Human.count(chunks), Human.count(frames));
            }
        }
        return 0;
    }

    static List<String> row(int number, FailureGroup g) {
        return List.of(Integer.toString(number), g.id(), Long.toString(g.chunks()), Long.toString(g.frames()),
                Long.toString(g.tracks()), TimeText.format(g.firstSeen()), TimeText.format(g.lastSeen()),
                g.exampleTracks().stream().map(String::valueOf).collect(Collectors.joining(" ")),
                g.pattern().isEmpty() ? "(no reason given)" : g.pattern());
    }
}
