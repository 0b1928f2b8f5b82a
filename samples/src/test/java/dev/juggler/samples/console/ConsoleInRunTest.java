package dev.juggler.samples.console;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.samples.LocalRun;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code juggler run} starts the web console for its lifetime when the config's {@code console:} section says so. */
class ConsoleInRunTest {

    @TempDir
    Path dir;

    private String run(String consoleSection) throws Exception {
        Path config = LocalRun.config(dir, consoleSection);
        return LocalRun.juggler(new String[] {"run", "--config", config.toString(), "--no-progress"});
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
