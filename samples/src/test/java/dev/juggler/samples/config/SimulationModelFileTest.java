package dev.juggler.samples.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.sim.ClusterModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulationModelFileTest {

    @TempDir
    Path dir;

    private static final String MINIMAL = """
            cluster: {nodes: 4}
            workers:
              framesPerSecond: {normal: 2.5}
            corpus:
              sessions: 3
              cameras:
                - {name: left, frames: 1000, size: 1MB}
            """;

    private SimulationModelFile parse(String yaml) {
        return SimulationModelFile.parse(yaml, dir, "model.yaml");
    }

    private String problems(String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml));
        return e.problems().stream().map(ConfigProblem::format).collect(Collectors.joining("\n"));
    }

    @Test
    void theShippedReferenceModelReadsAsTheReferenceProject() {
        SimulationModelFile model = SimulationModelFile.load(Path.of("examples/simulate/reference-model.yaml"));
        assertEquals(54, model.cluster().nodes());
        assertEquals(2, model.cluster().gpusPerNode());
        assertEquals(30, model.cluster().availability().mean());
        assertEquals(Duration.ofHours(12), model.cluster().timeLimit());
        assertEquals(825_000_000L, model.corpus().totalFrames());
        assertEquals(List.of(new ClusterModel.Maintenance(Duration.ofDays(14), Duration.ofHours(8), Duration.ofDays(30))),
                model.cluster().maintenance());
    }

    @Test
    void aMinimalModelGetsItsDefaults() {
        SimulationModelFile model = parse(MINIMAL);
        assertEquals(4, model.cluster().availability().mean(), "every node, when no availability is given");
        assertEquals(Duration.ofHours(12), model.cluster().timeLimit());
        assertEquals(100, model.frameQuantum());
        assertEquals(1, model.seed());
        assertEquals(3_000, model.corpus().totalFrames());
        assertEquals(100_000_000L, (long) model.stager().bytesPerSecond());
    }

    @Test
    void anAvailabilityTraceFileIsReadRelativeToTheModel() throws Exception {
        Files.writeString(dir.resolve("avail.csv"), "hours,nodes\n0,2\n# a comment\n1.5,4\n");
        SimulationModelFile model = parse(MINIMAL.replace("cluster: {nodes: 4}",
                "cluster: {nodes: 4, availability: {traceFile: avail.csv}}"));
        assertEquals(List.of(new ClusterModel.TracePoint(Duration.ZERO, 2), new ClusterModel.TracePoint(Duration.ofMinutes(90), 4)),
                model.cluster().availability().trace());
    }

    @Test
    void everyProblemIsListedWithItsKey() {
        String listed = problems("""
                cluster: {nodes: 0, tiemLimit: 12h}
                workers: {framesPerSecond: {}}
                stager: {failureShare: 2}
                corpus: {sessions: 2, cameras: []}
                simulation: {seed: x}
                """);
        for (String expected : List.of("nodes", "tiemLimit", "framesPerSecond", "failureShare", "cameras", "seed")) {
            assertTrue(listed.contains(expected), "missing " + expected + " in:\n" + listed);
        }
    }

    @Test
    void missingSectionsSayWhatToWrite() {
        String listed = problems("simulation: {seed: 3}\n");
        assertTrue(listed.contains("cluster") && listed.contains("nodes: 54"), listed);
        assertTrue(listed.contains("corpus") && listed.contains("sessions"), listed);
    }

    @Test
    void aBrokenTraceFileNamesTheLine() throws Exception {
        Files.writeString(dir.resolve("avail.csv"), "0,2\n$(reboot),4\n");
        String listed = problems(MINIMAL.replace("cluster: {nodes: 4}", "cluster: {nodes: 4, availability: {traceFile: avail.csv}}"));
        assertTrue(listed.contains("line 2") && listed.contains("hours,nodes"), listed);
        String missing = problems(MINIMAL.replace("cluster: {nodes: 4}", "cluster: {nodes: 4, availability: {traceFile: nowhere.csv}}"));
        assertTrue(missing.contains("nowhere.csv") && missing.contains("cannot be read"), missing);
    }

    @Test
    void aModelThatIsNotYamlOrNotThereIsAClearError() {
        assertTrue(problems("cluster: [unclosed\n").length() > 0);
        ConfigException e = assertThrows(ConfigException.class, () -> SimulationModelFile.load(dir.resolve("absent.yaml")));
        assertTrue(e.getMessage().contains("no such file") && e.getMessage().contains("reference-model.yaml"), e.getMessage());
    }
}
