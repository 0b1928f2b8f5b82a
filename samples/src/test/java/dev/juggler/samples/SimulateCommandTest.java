package dev.juggler.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code juggler simulate} run as a user runs it: a process, its output and its files. */
class SimulateCommandTest {

    @TempDir
    Path dir;

    private record Run(int code, String out) {
    }

    private Run juggler(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), JugglerCli.class.getName(), "simulate"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(dir.toFile());
        builder.environment().putAll(env);
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), out);
        return new Run(p.exitValue(), out);
    }

    private Path config(String ledger) throws Exception {
        return Files.writeString(dir.resolve("juggler.yaml"), (ledger.isEmpty() ? "ledger: {url: 'jdbc:h2:file:ledger/juggler'}\n" : ledger) + """
                juggler: {pollInterval: 2m, maxQueuedJobs: 20}
                workspace: {budget: 20GB}
                worker: {analysis: marker-pose, lease: 10m, checkpointInterval: 1m, checkpointFrames: 250, targetChunk: 15m}
                """);
    }

    private Path model() throws Exception {
        return Files.writeString(dir.resolve("model $(touch pwned) 'x'.yaml"), """
                cluster:
                  nodes: 8
                  gpusPerNode: 2
                  availability: {mean: 5, min: 2, max: 8, volatility: 1}
                  timeLimit: 2h
                  nodeFailuresPerNodeDay: 0.2
                  maintenance: [{start: 5h, length: 2h, every: 2d}]
                workers:
                  framesPerSecond: {normal: 10, large: 5}
                  crashesPerJobDay: 0.5
                  damagedVideoShare: 0.2
                stager: {bandwidth: 50MB, failureShare: 0.1}
                corpus:
                  sessions: 5
                  cameras:
                    - {name: a, frames: 100000, size: 2GB}
                    - {name: b, frames: 50000, size: 4GB, speedClass: large}
                simulation: {frameQuantum: 10, seed: 4, horizon: 60d, sampleInterval: 10m}
                """);
    }

    @Test
    void aRunWritesItsReportAndChartAndSaysWhereTheRunStands() throws Exception {
        Run run = juggler(Map.of(), "-c", config("").toString(), "-m", model().toString(), "-o", "out");
        assertEquals(JugglerCli.OK, run.code(), run.out());
        assertTrue(run.out().contains("simulating 1 of 1: 10 videos, 750000 frames"), run.out());
        for (String line : List.of("makespan", "useful GPU time", "frames redone", "GPU hours idle, waiting for staging",
                "peak workspace", "controller calls per day", "ledger transactions per day")) {
            assertTrue(run.out().contains(line), line + " missing from:\n" + run.out());
        }
        String report = Files.readString(dir.resolve("out/report.txt"));
        assertTrue(report.contains("finished") && report.contains("yes"), report);
        assertTrue(Files.readString(dir.resolve("out/chart.svg")).startsWith("<svg"));
        assertFalse(Files.exists(dir.resolve("pwned")), "a model's name is never run");
        assertFalse(run.out().contains("WARN"), "warnings stay quiet without --verbose:\n" + run.out());
    }

    @Test
    void aSweepRunsEveryCombinationAndTabulatesThem() throws Exception {
        Run run = juggler(Map.of(), "-c", config("").toString(), "-m", model().toString(), "-o", "sweep",
                "--sweep", "pollInterval=1m,30m", "--sweep", "workspaceBudget=8GB,20GB", "--sessions", "2");
        assertEquals(JugglerCli.OK, run.code(), run.out());
        List<String> rows = Files.readAllLines(dir.resolve("sweep/sweep.csv"));
        assertEquals(5, rows.size(), String.join("\n", rows));
        assertTrue(rows.get(0).startsWith("pollInterval,workspaceBudget,finished,makespan_days"), rows.get(0));
        assertTrue(rows.get(1).startsWith("1m,8GB,true,"), rows.get(1));
        for (int n = 1; n <= 4; n++) {
            assertTrue(Files.exists(dir.resolve("sweep/report-" + n + ".txt")) && Files.exists(dir.resolve("sweep/chart-" + n + ".svg")));
        }
    }

    @Test
    void badInputIsRefusedBeforeAnythingRuns() throws Exception {
        Path config = config("");
        Path model = model();
        Run badSweep = juggler(Map.of(), "-c", config.toString(), "-m", model.toString(), "--sweep", "pollInterval=soon");
        assertEquals(2, badSweep.code(), badSweep.out());
        assertTrue(badSweep.out().contains("--sweep pollInterval=soon"), badSweep.out());
        Run unknownKey = juggler(Map.of(), "-c", config.toString(), "-m", model.toString(), "--sweep", "gpus=1,2");
        assertTrue(unknownKey.out().contains("pollInterval, maxQueuedJobs, workspaceBudget, targetChunk, checkpointInterval"),
                unknownKey.out());
        Run noModel = juggler(Map.of(), "-c", config.toString(), "-m", dir.resolve("absent.yaml").toString());
        assertTrue(noModel.code() != JugglerCli.OK && noModel.out().contains("no such file"), noModel.out());
        Files.writeString(dir.resolve("broken.yaml"), "cluster: {nodes: -3}\nworkers: {framesPerSecond: {normal: fast}}\n");
        Run broken = juggler(Map.of(), "-c", config.toString(), "-m", "broken.yaml");
        assertTrue(broken.code() != JugglerCli.OK && broken.out().contains("nodes") && broken.out().contains("normal"), broken.out());
        Run h2Config = juggler(Map.of(), "-c", config.toString(), "-m", model.toString(), "--ledger", "config");
        assertTrue(h2Config.out().contains("the config's ledger is H2"), h2Config.out());
        assertFalse(Files.exists(dir.resolve("simulation")), "nothing written for a refused run");
        assertFalse(Files.exists(dir.resolve("ledger")), "the config's H2 ledger is never opened");
    }

    @Test
    void onPostgresqlEachRunHasASchemaOfItsOwnThatIsDroppedAfterwards() throws Exception {
        String url = System.getenv("JUGGLER_PG_URL");
        assumeTrue(url != null, "JUGGLER_PG_URL not set (scripts/setup.d/20-postgresql.sh prepares it)");
        String user = System.getenv("JUGGLER_PG_USER");
        String password = System.getenv("JUGGLER_PG_PASSWORD");
        Path config = config("ledger: {url: '" + url + "', user: " + user + ", passwordEnv: SIM_PG_PASSWORD}\n");
        Run run = juggler(Map.of("SIM_PG_PASSWORD", password), "-c", config.toString(), "-m", model().toString(), "--ledger", "config",
                "--sessions", "2", "-o", "pg");
        assertEquals(JugglerCli.OK, run.code(), run.out());
        assertFalse(run.out().contains(password), "the password never shows");
        try (Connection c = DriverManager.getConnection(url, user, password);
                ResultSet left = c.createStatement().executeQuery(
                        "SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE 'juggler_sim_%'")) {
            left.next();
            assertEquals(0, left.getInt(1), "the simulation's schema is dropped");
        }
    }
}
