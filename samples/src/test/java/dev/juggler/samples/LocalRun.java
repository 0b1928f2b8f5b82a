package dev.juggler.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * A {@code juggler run} on this machine for tests: an H2 ledger, the local cluster with one slot, a local workspace,
 * {@code marker-pose} over the {@code *.mp4} files of {@code videos/}, plus the test's own sections. Stateless.
 */
public final class LocalRun {

    private LocalRun() {
    }

    /** Writes {@code run.yaml} into {@code dir} with {@code extra} appended (top-level sections) and returns it. */
    public static Path config(Path dir, String extra) throws Exception {
        Files.createDirectories(dir.resolve("videos"));
        return config(dir, """
                videos:
                  - folder: videos
                    include: "*.mp4"
                """, extra);
    }

    /** Writes {@code run.yaml} into {@code dir} with the given {@code videos:} section and {@code extra} sections, and returns it. */
    public static Path config(Path dir, String videosSection, String extra) throws Exception {
        return Files.writeString(dir.resolve("run.yaml"), """
                version: 1
                ledger:
                  url: jdbc:h2:file:ledger/juggler
                cluster:
                  type: local
                  slots: 1
                  outputDirectory: logs
                workspace:
                  type: local
                  directory: workspace
                  budget: 1GiB
                worker:
                  analysis: marker-pose
                """ + videosSection + extra);
    }

    /** Runs the {@code juggler} commands in turn (each an argument list), expecting exit 0; returns what they printed. */
    public static String juggler(String[]... commands) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = JugglerCli.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        for (String[] args : commands) {
            assertEquals(0, cli.execute(args), String.join(" ", args) + ":\n" + out + "\n" + err);
        }
        return out.toString();
    }
}
