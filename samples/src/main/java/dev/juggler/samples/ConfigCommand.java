package dev.juggler.samples;

import dev.juggler.samples.config.JugglerConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code juggler config}: works with the deployment's YAML config. Subcommand {@code check}. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Checks a deployment's YAML config.",
        subcommands = ConfigCommand.Check.class)
final class ConfigCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * {@code juggler config check --config FILE}: validates the file and prints the effective config (every
     * default filled in, the password never shown); exit 0. On problems, prints all of them one per line as
     * {@code file:line:column: key: message}; exit 1.
     */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validates a config and prints it with every default filled in (secrets masked).")
    static final class Check implements Callable<Integer> {

        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The YAML config.")
        Path config;

        @Option(names = {"-q", "--quiet"}, description = "Only report problems; do not print the effective config.")
        boolean quiet;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            JugglerConfig cfg = JugglerConfig.load(config); // problems: reported by JugglerCli, one per line
            if (!quiet) {
                out.printf("# %s is valid. Effective config (defaults filled in, password not shown):%n", config);
                out.print(cfg.effectiveYaml());
            }
            cfg.ledger().passwordEnv().filter(name -> System.getenv(name) == null).ifPresent(name -> out.printf(
                    "# note: ledger.passwordEnv %s is not set in this environment; set it before run or register%n", name));
            out.flush();
            return JugglerCli.OK;
        }
    }
}
