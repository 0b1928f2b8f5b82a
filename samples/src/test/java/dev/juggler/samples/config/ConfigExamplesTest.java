package dev.juggler.samples.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped example configs parse; the SLURM one's password is not needed to parse it. */
class ConfigExamplesTest {

    private static final Path EXAMPLES = Path.of("examples");

    @TempDir
    Path dir;

    @Test
    void localExampleParses() throws Exception {
        Files.createDirectories(EXAMPLES.resolve("juggler-local/videos"));
        try {
            JugglerConfig c = JugglerConfig.load(EXAMPLES.resolve("local.yaml"));
            assertTrue(c.ledger().isH2());
            assertTrue(c.ledger().url().contains(EXAMPLES.toAbsolutePath().normalize().resolve("juggler-local/ledger/juggler")
                    .toString()), c.ledger().url());
            assertEquals(ClusterConfig.Local.class, c.cluster().getClass());
            assertEquals(2L << 30, c.workspace().budgetBytes());
        } finally {
            Files.deleteIfExists(EXAMPLES.resolve("juggler-local/videos"));
            Files.deleteIfExists(EXAMPLES.resolve("juggler-local"));
        }
    }

    @Test
    void slurmExampleParsesWithoutItsPassword() throws Exception {
        // The example points at /data/...; here those live in a temp folder, and HOME holds the key file.
        String yaml = Files.readString(EXAMPLES.resolve("slurm.yaml")).replace("/data/", dir + "/data/");
        Files.createDirectories(dir.resolve("data/corpus"));
        Files.createDirectories(dir.resolve("data/extra"));
        Files.writeString(dir.resolve("data/extra/manifest.csv"), "path\n");
        Files.createDirectories(dir.resolve(".ssh"));
        Files.writeString(dir.resolve(".ssh/id_ed25519"), "not a real key");
        JugglerConfig c = JugglerConfig.parse(yaml, dir, "slurm.yaml", Map.of("HOME", dir.toString()));
        ClusterConfig.Slurm slurm = (ClusterConfig.Slurm) c.cluster();
        assertEquals("login.cluster.example.org", slurm.ssh().host());
        assertEquals(dir.resolve(".ssh/id_ed25519"), slurm.ssh().identityFile().orElseThrow());
        assertEquals(28 * 1024, slurm.memoryMegabytes().getAsInt());
        assertEquals(java.time.Duration.ofHours(12), slurm.timeLimit());
        assertEquals(false, slurm.prologue().isEmpty());
        assertEquals(WorkspaceConfig.Type.SFTP, c.workspace().type());
        assertEquals(500_000_000_000L, c.workspace().budgetBytes());
        assertEquals("openpose-binary", c.worker().analysis());
        assertEquals(2, c.videos().size());
        assertFalse(c.effectiveYaml().contains("hunter"));
        // The password is read only when the ledger is built.
        assertEquals("pw", c.ledger().builder(Map.of("JUGGLER_LEDGER_PASSWORD", "pw")) != null ? "pw" : "");
        ConfigException missing = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> c.ledger().builder(Map.of()));
        assertTrue(missing.getMessage().contains("JUGGLER_LEDGER_PASSWORD is not set"), missing.getMessage());
    }

    @Test
    void workerAnalysesMatchTheTool() throws Exception {
        java.lang.reflect.Field names = Class.forName("dev.juggler.samples.Analyses").getDeclaredField("NAMES");
        names.setAccessible(true);
        assertEquals(names.get(null), WorkerConfig.ANALYSES);
    }
}
