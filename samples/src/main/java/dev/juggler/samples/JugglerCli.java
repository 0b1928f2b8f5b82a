package dev.juggler.samples;

import dev.juggler.samples.console.CleanCommand;
import dev.juggler.samples.console.ConsoleCommand;
import dev.juggler.samples.console.ExportCommand;
import dev.juggler.samples.console.FailuresCommand;
import dev.juggler.samples.console.RescheduleCommand;
import dev.juggler.samples.console.StatusCommand;
import dev.juggler.samples.console.TableCommands;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code juggler} command line: a complete tool built only from Juggler's public API.
 *
 * <p>Subcommands: {@code demo} (the whole system on this machine: H2 ledger, local worker processes,
 * a local workspace), {@code worker} (the program inside one cluster job), the operator's commands on any
 * ledger ({@code status}, {@code tracks}, {@code jobs}, {@code chunks}, {@code failures}, {@code reschedule},
 * {@code export}, {@code clean}), the web console ({@code console}), the inference server ({@code serve}) and {@code openpose check} (validates OpenPose JSON files).
 */
@Command(name = "juggler", mixinStandardHelpOptions = true, version = "juggler 0.1.0-SNAPSHOT",
        description = "Keeps a batch cluster busy with per-frame video analysis.",
        subcommands = {DemoCommand.class, ConfigCommand.class, RegisterCommand.class, RunCommand.class, DeployCommand.class, DoctorCommand.class, AsideCommands.SetAside.class, AsideCommands.TakeBack.class, StatusCommand.class, TableCommands.Tracks.class, TableCommands.Jobs.class, TableCommands.Chunks.class, FailuresCommand.class, RescheduleCommand.class, ExportCommand.class, CleanCommand.class, ConsoleCommand.class, WorkerCommand.class, OpenPoseCommand.class, RenderCommand.class, ServeCommand.class, SimulateCommand.class, CommandLine.HelpCommand.class})
public final class JugglerCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Exit codes shared by the subcommands. */
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int TIMED_OUT = 2;
    public static final int UNAVAILABLE = 3;

    public static void main(String[] args) {
        // This program is the host, so it may set FFmpeg's process-wide log level.
        dev.juggler.inference.video.FfmpegFrameSources.quietNativeLogging();
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, for embedding and tests. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new JugglerCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof dev.juggler.samples.config.ConfigException config) {
                // Every problem of the file on its own line, file:line:column first, as compilers do.
                config.problems().forEach(p -> commandLine.getErr().println(p.format()));
                commandLine.getErr().printf("%d problem(s) in the config%n", config.problems().size());
                return FAILED;
            }
            commandLine.getErr().println("juggler: " + e.getMessage());
            if (!(e instanceof dev.juggler.JugglerException)) {
                e.printStackTrace(commandLine.getErr());
            }
            return FAILED;
        });
        return cli;
    }
}
