package dev.juggler.samples.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cluster.type: ssh-boxes}: GPU machines over SSH without a batch system. */
class ConfigSshBoxesTest {

    @TempDir
    Path dir;

    private JugglerConfig parse(String yaml) {
        return JugglerConfig.parse(yaml, dir, "test.yaml", Map.of("HOME", dir.toString()));
    }

    private String problems(String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml));
        return String.join("\n", e.problems().stream().map(ConfigProblem::format).toList());
    }

    private static final String TWO_BOXES = """
            ledger: {url: "jdbc:postgresql://db/j"}
            cluster:
              type: ssh-boxes
              boxes:
                - {name: gpu1, slots: 2, ssh: {host: gpu1.lab, user: alice}}
                - ssh: {host: 10.0.0.7, port: 2222, user: bob, knownHosts: /etc/lab_known_hosts}
                  workDirectory: /scratch/juggler
              timeLimit: 2h
              prologue: [conda activate pose]
            worker: {analysis: marker-pose}
            """;

    @Test
    void twoBoxesParseWithTheirDefaults() {
        ClusterConfig.Boxes c = (ClusterConfig.Boxes) parse(TWO_BOXES).cluster();
        assertEquals("ssh-boxes", c.type());
        assertEquals(2, c.boxes().size());
        ClusterConfig.Box a = c.boxes().get(0);
        assertEquals("gpu1", a.name());
        assertEquals(2, a.slots());
        assertEquals(dev.juggler.samples.boxes.Box.DEFAULT_WORK_DIRECTORY, a.workDirectory());
        assertEquals("gpu1.lab", a.ssh().host());
        ClusterConfig.Box b = c.boxes().get(1);
        assertEquals("box2", b.name(), "a box without a name is named by its place in the list");
        assertEquals(ClusterConfig.DEFAULT_BOX_SLOTS, b.slots());
        assertEquals(2222, b.ssh().port());
        assertEquals("/scratch/juggler", b.workDirectory());
        assertEquals(Duration.ofHours(2), c.timeLimit());
        assertEquals(List.of("conda activate pose"), c.prologue());
        assertTrue(c.tag().matches("jg-[0-9a-f]{8}"), "the ledger's stable tag, as for SLURM: " + c.tag());
        assertEquals(WorkspaceConfig.Type.LOCAL, parse(TWO_BOXES).workspace().type());
    }

    @Test
    void theExampleParses() throws Exception {
        String yaml = java.nio.file.Files.readString(Path.of("examples", "ssh-boxes.yaml"))
                .replace("/shared/", dir + "/shared/");
        java.nio.file.Files.createDirectories(dir.resolve("shared/corpus"));
        java.nio.file.Files.createDirectories(dir.resolve(".ssh"));
        java.nio.file.Files.writeString(dir.resolve(".ssh/id_ed25519"), "not a real key");
        ClusterConfig.Boxes c = (ClusterConfig.Boxes) parse(yaml).cluster();
        assertEquals(List.of("gpu1", "gpu2"), c.boxes().stream().map(ClusterConfig.Box::name).toList());
        assertEquals(3, c.boxes().stream().mapToInt(ClusterConfig.Box::slots).sum());
        assertEquals(dir.resolve(".ssh/id_ed25519"), c.boxes().get(0).ssh().identityFile().orElseThrow());
    }

    @Test
    void theEffectiveYamlParsesBackToAnEqualCluster() {
        JugglerConfig c = parse(TWO_BOXES);
        JugglerConfig again = JugglerConfig.parse(c.effectiveYaml(), dir, "effective.yaml", Map.of());
        assertEquals(c.cluster(), again.cluster());
    }

    @Test
    void theWorkerJobTakesOneGpuSlotAndTheTimeLimit() {
        dev.juggler.cluster.JobSpec job = dev.juggler.samples.DeploymentAccess.workerJob(parse(TWO_BOXES));
        assertEquals(1, job.gpus());
        assertEquals(Duration.ofHours(2), job.timeLimit());
        assertEquals(List.of("conda activate pose"), job.prologue());
    }

    @Test
    void badBoxesAreReportedWithTheirKeyAndAFix() {
        String p = problems("""
                ledger: {url: "jdbc:postgresql://db/j"}
                cluster:
                  type: ssh-boxes
                  boxes:
                    - {name: "gpu 1", slots: 0, ssh: {host: a, user: alice}, workDirectory: relative/dir}
                    - {name: gpu2, ssh: {host: b, user: alice}}
                    - {name: gpu2, ssh: {host: b, user: alice}, gpus: 2}
                  partition: gpu
                  tag: ../x
                worker: {analysis: marker-pose}
                """);
        assertTrue(p.contains("cluster.boxes[0].name: `gpu 1` is not a box name"), p);
        assertTrue(p.contains("cluster.boxes[0].slots"), p);
        assertTrue(p.contains("cluster.boxes[0].workDirectory: `relative/dir` is not an absolute directory"), p);
        assertTrue(p.contains("cluster.boxes[2].name: `gpu2` names two boxes"), p);
        assertTrue(p.contains("cluster.boxes[2].workDirectory: box `gpu2` is the same machine and directory"), p);
        assertTrue(p.contains("cluster.boxes[2].gpus: unknown key"), p);
        assertTrue(p.contains("cluster.partition: is not used here"), p);
        assertTrue(p.contains("cluster.tag: `../x` is not allowed"), p);
    }

    @Test
    void boxesAreRequiredAndEachNeedsSsh() {
        String p = problems("""
                ledger: {url: "jdbc:postgresql://db/j"}
                cluster: {type: ssh-boxes, ssh: {host: a}}
                worker: {analysis: marker-pose}
                """);
        assertTrue(p.contains("cluster.boxes: is required for type: ssh-boxes"), p);
        assertTrue(p.contains("cluster.ssh: is not used here: ssh belongs to each box"), p);
        String q = problems("""
                ledger: {url: "jdbc:postgresql://db/j"}
                cluster: {type: ssh-boxes, boxes: [{slots: 1}]}
                worker: {analysis: marker-pose}
                """);
        assertTrue(q.contains("cluster.boxes[0].ssh: is required for each box"), q);
    }

    @Test
    void aMisspelledTypeSuggestsSshBoxes() {
        String p = problems("""
                ledger: {url: "jdbc:postgresql://db/j"}
                cluster: {type: ssh-boxs}
                worker: {analysis: marker-pose}
                """);
        assertTrue(p.contains("ssh-boxes"), p);
    }
}
