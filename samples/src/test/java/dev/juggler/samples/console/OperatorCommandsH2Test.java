package dev.juggler.samples.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.jdbc.JdbcLedger;
import dev.juggler.ledger.WorkLedger;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The operator commands on an H2 file ledger laid out as the demo lays it out ({@code <work>/ledger/juggler.mv.db}),
 * plus what only needs H2: the ways to name the ledger, an unreachable ledger, and the tool as a real process.
 */
class OperatorCommandsH2Test extends OperatorCommandsContract {

    private Path ledgerDir() {
        return temp.resolve("juggler-demo").resolve("ledger");
    }

    @Override
    WorkLedger openLedger() {
        return JdbcLedger.builder().url(JdbcLedger.h2FileUrl(ledgerDir().resolve("juggler"))).build();
    }

    @Override
    List<String> ledgerArgs() {
        return List.of("--ledger", ledgerDir().toString());
    }

    @Test
    void theLedgerCanBeNamedByFolderFileUrlOrConfig() throws IOException {
        for (String form : List.of(temp.resolve("juggler-demo").toString(), ledgerDir().resolve("juggler.mv.db").toString(),
                ledgerDir().resolve("juggler").toString(), JdbcLedger.h2FileUrl(ledgerDir().resolve("juggler")))) {
            Run run = raw("status", "--ledger", form);
            assertEquals(0, run.code(), form + ": " + run.all());
            assertTrue(run.out().contains("Tracks completed: 1 of 6"), run.out());
        }
        Path config = temp.resolve("juggler.yaml");
        Files.writeString(config, "version: 1\nledger:\n  url: jdbc:h2:file:" + ledgerDir().resolve("juggler") + "\n"
                + "cluster:\n  type: local\n  slots: 1\nworkspace:\n  type: local\n  directory: " + temp.resolve("ws") + "\n"
                + "  budget: 1GB\nworker:\n  analysis: marker-pose\n");
        Run viaConfig = raw("tracks", "-c", config.toString(), "--state", "DONE");
        assertEquals(0, viaConfig.code(), viaConfig.all());
        assertEquals(1, dataLines(viaConfig).size(), viaConfig.out());

        Run missing = raw("status", "--ledger", temp.resolve("nowhere").toString());
        assertEquals(2, missing.code(), missing.all());
        assertTrue(missing.err().contains("no H2 ledger there"), missing.all());
        Run both = raw("status", "--ledger", ledgerDir().toString(), "-c", config.toString());
        assertEquals(2, both.code(), both.all());
        assertTrue(both.err().contains("give either --config or --ledger, not both"), both.all());
        Run userWithConfig = raw("status", "-c", config.toString(), "--ledger-user", "x");
        assertEquals(2, userWithConfig.code(), userWithConfig.all());
        Run passwordInUrl = raw("status", "--ledger", "jdbc:postgresql://127.0.0.1/x?user=a&password=s3cret");
        assertEquals(2, passwordInUrl.code(), passwordInUrl.all());
        assertTrue(passwordInUrl.err().contains("--ledger-password-env"), passwordInUrl.all());
        assertTrue(!passwordInUrl.all().contains("s3cret"), "the password is never printed: " + passwordInUrl.all());
        Run unsetVariable = raw("status", "--ledger", "jdbc:postgresql://127.0.0.1/x", "--ledger-password-env", "JUGGLER_NO_SUCH_VAR_X");
        assertEquals(2, unsetVariable.code(), unsetVariable.all());
        assertTrue(unsetVariable.err().contains("JUGGLER_NO_SUCH_VAR_X: the environment variable is not set"), unsetVariable.all());
        Run wrongPrefix = raw("status", "--ledger", ledgerDir().toString(), "--table-prefix", "nothing_here_");
        assertEquals(1, wrongPrefix.code(), wrongPrefix.all());
        assertTrue(wrongPrefix.err().startsWith("juggler status: "), wrongPrefix.all());
    }

    @Test
    void anUnreachableLedgerExitsThreeWithOneLine() {
        Run run = raw("status", "--ledger", "jdbc:postgresql://127.0.0.1:1/juggler", "--ledger-user", "nobody");
        assertEquals(3, run.code(), run.all());
        assertTrue(run.err().startsWith("juggler status: ledger unreachable (ledger jdbc:postgresql://127.0.0.1:1/juggler): "),
                run.all());
        assertEquals(1, run.err().lines().count(), run.all());
    }

    @Test
    void theToolRunsAsARealProcess() throws Exception {
        // The packaged jar when it is current (it has these commands), else the classes the build just made.
        Path jar = Path.of("target", "juggler.jar");
        String classPath = Files.exists(jar) && jarHasConsole(jar) ? jar.toString() : System.getProperty("java.class.path");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", classPath, "dev.juggler.samples.JugglerCli", "tracks", "--ledger",
                ledgerDir().toString(), "--state", "FAILED", "--format", "csv", "--columns", "video,state"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process ends");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("video,state\r\n" + HOSTILE + ",FAILED\r\n" + SQL + ",FAILED\r\n"), out);
        assertTrue(out.contains("\"evil\n\\x1b[31mred\",FAILED"), out);

        Process bad = new ProcessBuilder(java, "-cp", classPath, "dev.juggler.samples.JugglerCli", "failures").redirectErrorStream(true)
                .start();
        String badOut = new String(bad.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(bad.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, bad.exitValue(), badOut);
    }

    private static boolean jarHasConsole(Path jar) throws IOException {
        try (java.util.jar.JarFile j = new java.util.jar.JarFile(jar.toFile())) {
            return j.getEntry("dev/juggler/samples/console/StatusCommand.class") != null;
        }
    }
}
