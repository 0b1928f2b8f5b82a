package dev.juggler.samples;

import static dev.juggler.samples.TestServers.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.video.SyntheticVideo;
import dev.juggler.ledger.JobQuery;
import dev.juggler.ledger.JobRecord;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.TestServers.CliRun;
import dev.juggler.samples.TestServers.Env;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code juggler register} and {@code juggler run --config} with the example custom backend,
 * {@code cluster.type: ssh-boxes}: two "GPU boxes" of one slot each, both the real sshd on 127.0.0.1, a
 * PostgreSQL ledger and a local workspace the boxes see at the same path. The run ends by itself when every
 * frame is done, and every job the boxes ran is recorded once and settled.
 */
class RunOnSshBoxesEndToEndTest {

    @TempDir
    Path dir;

    @Test
    void aWholeRunOnPlainSshMachinesFinishesEveryFrame() throws Exception {
        Env env = Env.require();
        String id = UUID.randomUUID().toString().substring(0, 8);
        Path videos = Files.createDirectories(dir.resolve("videos"));
        for (int i = 0; i < 3; i++) {
            SyntheticVideo.write(videos.resolve(i == 1 ? "box clip '$(touch BOXMARK)'.mp4" : "box-" + i + ".mp4"), 320, 240,
                    100, 25);
        }
        String prefix = "box" + id.substring(0, 6) + "_";
        String tag = "boxes-" + id;
        Path boxes = Path.of("/var/tmp/juggler-boxes-e2e-" + id);
        Path config = dir.resolve("boxes.yaml");
        Files.writeString(config, String.join("\n",
                "ledger: {url: '" + env.pgUrl() + "', user: " + env.pgUser() + ", passwordEnv: JUGGLER_PG_PASSWORD,"
                        + " tablePrefix: " + prefix + "}",
                "cluster:",
                "  type: ssh-boxes",
                "  tag: " + tag,
                "  timeLimit: 10m",
                "  boxes:",
                "    - {name: box-a, slots: 1, workDirectory: " + boxes.resolve("a") + ", ssh: " + env.sshYaml(env.knownHosts())
                        + "}",
                "    - {name: box-b, slots: 1, workDirectory: " + boxes.resolve("b") + ", ssh: " + env.sshYaml(env.knownHosts())
                        + "}",
                "workspace: {type: local, directory: " + dir.resolve("workspace") + ", budget: 100MB}",
                "worker: {analysis: marker-pose, java: " + Env.java()
                        + ", jvmOptions: [-Xmx256m, -XX:TieredStopAtLevel=1], initialChunk: 50, framesPerWorker: 150,"
                        + " safetyMargin: 10s}",
                "juggler: {maxQueuedJobs: 2, maxActiveJobs: 2, pollInterval: 1s}",
                "videos: [{folder: " + videos + "}]",
                ""));
        try {
            assertEquals(JugglerCli.OK, cli("config", "check", "--config", config.toString()).code());
            CliRun registered = cli("register", "--config", config.toString());
            assertEquals(JugglerCli.OK, registered.code(), registered.out());
            Process run = RunOnSlurmEndToEndTest.juggler(config, dir.resolve("run.log"));
            assertTrue(run.waitFor(5, TimeUnit.MINUTES), "the juggler did not finish:\n" + Files.readString(dir.resolve("run.log")));
            String log = Files.readString(dir.resolve("run.log"));
            assertEquals(0, run.exitValue(), log);
            try (WorkLedger ledger = RunOnSlurmEndToEndTest.ledger(env, prefix)) {
                assertEquals(300, ledger.reader().progress().frames().doneFrames(), "every frame done once:\n" + log);
                List<JobRecord> records = ledger.reader().jobs(JobQuery.firstPage(100).ofRun(tag));
                assertFalse(records.isEmpty(), log);
                assertEquals(records.size(), records.stream().map(JobRecord::jobId).distinct().count(), records.toString());
                assertTrue(records.stream().allMatch(JobRecord::settled), records.toString());
                assertEquals(300, records.stream().mapToLong(JobRecord::framesDone).sum(), records.toString());
            }
            assertFalse(log.contains(env.password()), "no secret in the juggler's output");
            for (Path where : List.of(dir, boxes, Path.of(System.getProperty("user.home")))) {
                assertFalse(Files.exists(where.resolve("BOXMARK")), "the hostile name never ran (" + where + ")");
            }
        } finally {
            deleteTree(boxes);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
