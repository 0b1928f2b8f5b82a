package dev.juggler.samples;

import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.config.Escape;
import dev.juggler.samples.config.JugglerConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code juggler set-aside} and {@code juggler take-back}: an operator takes a video's pending work out of
 * the run (a file known to be bad, a camera to be done later) and puts it back. Set-aside work is shown
 * among the failures with its reason; leased frames finish first. Both are one ledger transaction per
 * video and safe to repeat.
 */
final class AsideCommands {

    private AsideCommands() {
    }

    /** {@code juggler set-aside --config FILE [--reason TEXT] VIDEO…}. */
    @Command(name = "set-aside", mixinStandardHelpOptions = true,
            description = "Sets videos' pending work aside (not staged, not claimed) until taken back.")
    static final class SetAside implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, required = true, description = "The deployment's config file.")
        Path config;

        @Option(names = "--reason", defaultValue = "by an operator", description = "Why, shown with the failures.")
        String reason;

        @Parameters(arity = "1..*", paramLabel = "VIDEO", description = "Video ids (as `juggler register` listed them).")
        List<String> videos;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return each(spec, config, videos, (ledger, video) -> {
                int chunks = ledger.setAside(video, reason);
                return chunks == 0 ? "nothing pending to set aside" : chunks + " pending range(s) set aside";
            });
        }
    }

    /** {@code juggler take-back --config FILE VIDEO…}. */
    @Command(name = "take-back", mixinStandardHelpOptions = true,
            description = "Puts videos' set-aside work back into the run.")
    static final class TakeBack implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, required = true, description = "The deployment's config file.")
        Path config;

        @Parameters(arity = "1..*", paramLabel = "VIDEO", description = "Video ids.")
        List<String> videos;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return each(spec, config, videos, (ledger, video) -> {
                int chunks = ledger.takeBack(video);
                return chunks == 0 ? "nothing was set aside" : chunks + " range(s) back to pending";
            });
        }
    }

    @FunctionalInterface
    private interface Action {
        String apply(WorkLedger ledger, String videoId);
    }

    // Unknown videos are reported and the others still done; exit 1 if any was unknown.
    private static int each(CommandSpec spec, Path configFile, List<String> videos, Action action) {
        PrintWriter out = spec.commandLine().getOut();
        int unknown = 0;
        try (WorkLedger ledger = Deployment.openLedger(JugglerConfig.load(configFile))) {
            for (String video : videos) {
                if (ledger.video(video).isEmpty()) {
                    out.println(Escape.quoted(video) + ": no such video in the ledger");
                    unknown++;
                    continue;
                }
                out.println(Escape.quoted(video) + ": " + action.apply(ledger, video));
            }
        }
        out.flush();
        return unknown == 0 ? JugglerCli.OK : JugglerCli.FAILED;
    }
}
