package dev.juggler.samples.console;

import dev.juggler.ledger.ReasonLike;
import dev.juggler.ledger.RescheduleFilter;
import dev.juggler.ledger.RescheduleOutcome;
import dev.juggler.ledger.TimeWindow;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.JugglerCli;
import dev.juggler.samples.config.Escape;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code juggler reschedule}: puts FAILED ranges back to pending once their cause is fixed, chosen by failure
 * group or by filter. Without {@code --yes} it only counts (a dry run); with it, one ledger transaction
 * re-schedules, keeping each range's attempt history. Safe to repeat: a second run finds nothing left. Not
 * thread-safe: picocli runs a command once.
 */
@Command(name = "reschedule", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Re-schedules failed ranges (by failure group or filter): a dry run that counts, then --yes to act.",
            "Only FAILED ranges are ever touched; ranges set aside by an operator are skipped unless a reason is named."})
public final class RescheduleCommand extends OperatorCommand {

    @Option(names = "--group", paramLabel = "ID|N", description = "A failure group: its id or its number in `juggler failures`.")
    String group;

    @Option(names = "--track", paramLabel = "ID", description = "Only ranges of this track.")
    Long track;

    @Option(names = "--video", paramLabel = "ID", description = "Only ranges of this video's tracks.")
    String video;

    @Option(names = "--analysis", paramLabel = "NAME", description = "Only ranges of tracks of this analysis.")
    String analysis;

    @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "Only ranges of videos with this tag.")
    String tag;

    @Option(names = "--reason", paramLabel = "PATTERN",
            description = "Only ranges whose reason contains PATTERN (case-insensitive; * and ? are wildcards).")
    String reason;

    @Option(names = "--since", paramLabel = "TIME",
            description = "Only ranges that failed at or after TIME (ISO instant, date, or 2h, 7d…).")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "Only ranges that failed before TIME.")
    String until;

    @Option(names = "--all-failures", description = "Allow a filter that matches every failed range.")
    boolean allFailures;

    @Option(names = "--yes", description = "Re-schedule; without it nothing changes (a dry run).")
    boolean yes;

    private RescheduleFilter filter;
    private final List<String> described = new ArrayList<>();

    @Override
    void check() {
        RescheduleFilter f = RescheduleFilter.all();
        if (track != null) {
            if (track < 0) {
                throw usage("--track = " + track + ": a track id is >= 0");
            }
            f = f.andTrack(track);
            described.add("track " + track);
        }
        if (video != null) {
            f = f.andVideo(video);
            described.add("video " + Escape.quoted(video));
        }
        if (analysis != null) {
            f = f.andAnalysis(analysis);
            described.add("analysis " + Escape.quoted(analysis));
        }
        if (tag != null) {
            int eq = tag.indexOf('=');
            if (eq <= 0) {
                throw usage("--tag = " + Escape.quoted(tag) + ": write KEY=VALUE (e.g. camera=left)");
            }
            f = f.andTag(tag.substring(0, eq), tag.substring(eq + 1));
            described.add("tag " + Escape.quoted(tag));
        }
        if (reason != null) {
            try {
                f = f.andReason(ReasonLike.toRegex(ReasonLike.require(reason)));
            } catch (IllegalArgumentException e) {
                throw usage("--reason = " + Escape.quoted(reason) + ": " + e.getMessage());
            }
            described.add("reason like " + Escape.quoted(reason));
        }
        Optional<Instant> from = Optional.ofNullable(since).map(v -> TimeText.parse(ViewParams.SINCE, v, clock));
        Optional<Instant> to = Optional.ofNullable(until).map(v -> TimeText.parse(ViewParams.UNTIL, v, clock));
        if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
            throw usage("--until = " + Escape.quoted(until) + ": must be later than --since (" + from.get() + ")");
        }
        if (from.isPresent() || to.isPresent()) {
            f = f.within(new TimeWindow(from, to));
            List<String> window = new ArrayList<>();
            from.ifPresent(t -> window.add("since " + TimeText.format(t)));
            to.ifPresent(t -> window.add("until " + TimeText.format(t)));
            described.add("failed " + String.join(" ", window));
        }
        if (group == null && described.isEmpty() && !allFailures) {
            throw usage("give --group ID|N or a filter (--track, --video, --analysis, --tag, --reason, --since, --until), "
                    + "or --all-failures to re-schedule every failed range");
        }
        filter = f;
    }

    @Override
    int run(WorkLedger ledger, PrintWriter out) {
        RescheduleFilter f = filter;
        List<String> what = new ArrayList<>(described);
        if (group != null) {
            List<FailureGroup> groups = FailureGroups.read(ledger.reader());
            Optional<FailureGroup> g = FailureGroups.find(groups, group);
            if (g.isEmpty()) {
                out.println("no failure group " + Escape.quoted(group) + " (there are " + groups.size()
                        + "); `juggler failures` lists them");
                return JugglerCli.FAILED;
            }
            if (yes && !g.get().id().equalsIgnoreCase(group.strip())) {
                // Numbers follow the groups' order, which changes as failures come and go: act only on an id.
                out.println("group number " + Escape.quoted(group) + " is group " + g.get().id() + " now; a number can change between"
                        + " the dry run and --yes, so re-schedule it by its id: --group " + g.get().id() + " --yes");
                return JugglerCli.FAILED;
            }
            RescheduleFilter byGroup = FailureGroups.filterOf(g.get());
            f = byGroup.reasons().map(f::andReasonIn).orElse(f);
            what.add(0, "group " + g.get().id() + " (" + Escape.visible(g.get().pattern()) + ")");
        }
        out.println("Failed ranges of " + (what.isEmpty() ? "every track" : String.join(", ", what)) + ":");
        if (!yes) {
            RescheduleOutcome dry = ledger.reschedule(f, true);
            long would = dry.matched() - dry.skipped();
            if (would == 0) {
                out.println("nothing to re-schedule" + (dry.skipped() > 0 ? " (" + dry.skipped()
                        + " set-aside range(s) match; name a reason to include them)" : ""));
                return JugglerCli.OK;
            }
            out.printf("%d %s (%s frames) would be re-scheduled%s; run again with %s--yes%n", would, would == 1 ? "range" : "ranges",
                    Human.count(dry.frames()),
                    dry.skipped() > 0 ? " (" + dry.skipped() + " set-aside range(s) stay failed)" : "",
                    group != null ? "--group " + FailureGroups.find(FailureGroups.read(ledger.reader()), group).map(FailureGroup::id)
                            .orElse(group) + " " : "");
            return JugglerCli.OK;
        }
        RescheduleOutcome done = ledger.reschedule(f, false);
        out.printf("matched %d / rescheduled %d / skipped %d (%s frames back to pending)%n", done.matched(), done.rescheduled(),
                done.skipped(), Human.count(done.frames()));
        return JugglerCli.OK;
    }
}
