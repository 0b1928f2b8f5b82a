package dev.juggler.samples.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.samples.JugglerCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code juggler run} starts the web console for its lifetime when the config's {@code console:} section says so. */
class ConsoleInRunTest {

    @TempDir
    Path dir;

    private String run(String consoleSection) throws Exception {
        Files.createDirectories(dir.resolve("videos"));
        Files.writeString(dir.resolve("run.yaml"), """
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
                videos:
                  - folder: videos
                    include: "*.mp4"
                """ + consoleSection);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = JugglerCli.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        int exit = cli.execute("run", "--config", dir.resolve("run.yaml").toString(), "--no-progress");
        assertEquals(0, exit, out + "\n" + err);
        return out.toString();
    }

    @Test
    void anEnabledConsoleServesTheRunsLedgerWhileItRuns() throws Exception {
        String out = run("""
                console:
                  bind: 127.0.0.1:0
                  readOnly: true
                """);
        Matcher url = Pattern.compile("console: http://127\\.0\\.0\\.1:(\\d+)/ \\(read-only\\)").matcher(out);
        assertTrue(url.find(), out);
        assertTrue(Integer.parseInt(url.group(1)) > 0);
        assertTrue(out.indexOf("console: ") < out.indexOf("done: "), "the console starts before the run's work: " + out);
    }

    @Test
    void withoutAConsoleSectionNoneStarts() throws Exception {
        assertTrue(!run("").contains("console: http"));
    }
}
