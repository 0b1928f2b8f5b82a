package dev.juggler.samples.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigParseTest {

    @TempDir
    Path dir;

    private static final String MINIMAL = """
            ledger:
              url: jdbc:h2:file:ledger/juggler
            worker:
              analysis: marker-pose
            """;

    private JugglerConfig parse(String yaml) {
        return JugglerConfig.parse(yaml, dir, "test.yaml", Map.of("HOME", dir.toString()));
    }

    private List<String> problems(String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml));
        return e.problems().stream().map(ConfigProblem::format).collect(Collectors.toList());
    }

    @Test
    void minimalConfigGetsTheDocumentedDefaults() {
        JugglerConfig c = parse(MINIMAL);
        assertEquals("jdbc:h2:file:" + dir.resolve("ledger/juggler") + ";AUTO_SERVER=TRUE", c.ledger().url());
        assertEquals(LedgerConfig.DEFAULT_TABLE_PREFIX, c.ledger().tablePrefix());
        assertEquals(new ClusterConfig.Local(ClusterConfig.DEFAULT_LOCAL_SLOTS, java.util.Optional.empty()), c.cluster());
        assertEquals(WorkspaceConfig.Type.LOCAL, c.workspace().type());
        assertEquals(dir.resolve("workspace").toString(), c.workspace().directory());
        assertEquals(WorkspaceConfig.DEFAULT_BUDGET_BYTES, c.workspace().budgetBytes());
        assertEquals(dev.juggler.run.Juggler.DEFAULT_MAX_QUEUED_JOBS, c.juggler().maxQueuedJobs());
        assertEquals(dev.juggler.run.Worker.DEFAULT_LEASE_DURATION, c.worker().lease());
        assertEquals("java", c.worker().java());
        assertFalse(c.console().enabled());
        assertEquals("127.0.0.1:0", c.console().bind());
        assertTrue(c.videos().isEmpty());
    }

    @Test
    void theWorkersChunkAndCheckpointSettingsAreReadAndChecked() {
        JugglerConfig c = parse(MINIMAL.replace("analysis: marker-pose", "analysis: marker-pose\n  lease: 30m\n  targetChunk: 20m\n"
                + "  checkpointFrames: 2500\n  checkpointInterval: 10m"));
        assertEquals(Duration.ofMinutes(20), c.worker().targetChunk());
        assertEquals(2500, c.worker().checkpointFrames());
        assertEquals(Duration.ofMinutes(10), c.worker().checkpointInterval());
        JugglerConfig defaults = parse(MINIMAL);
        assertEquals(dev.juggler.run.Worker.DEFAULT_CHECKPOINT_INTERVAL, defaults.worker().checkpointInterval());
        JugglerConfig shortLease = parse(MINIMAL.replace("analysis: marker-pose", "analysis: marker-pose\n  lease: 30s"));
        assertEquals(Duration.ofSeconds(10), shortLease.worker().checkpointInterval(), "unset, it follows a short lease");
        List<String> tooLong = problems(MINIMAL.replace("analysis: marker-pose", "analysis: marker-pose\n  lease: 5m\n"
                + "  checkpointInterval: 5m"));
        assertTrue(tooLong.stream().anyMatch(p -> p.contains("worker.checkpointInterval") && p.contains("lease")), tooLong.toString());

        // Passed to the worker jobs only when set: a release deployed before these options still starts.
        List<String> set = dev.juggler.samples.DeploymentAccess.workerArguments(c);
        assertTrue(set.contains("--target-chunk=PT20M") && set.contains("--checkpoint-frames=2500")
                && set.contains("--checkpoint-interval=PT10M"), set.toString());
        List<String> unset = dev.juggler.samples.DeploymentAccess.workerArguments(defaults);
        assertTrue(unset.stream().noneMatch(a -> a.startsWith("--target-chunk") || a.startsWith("--checkpoint")), unset.toString());
    }

    @Test
    void effectiveYamlParsesBackToAnEqualConfig() throws Exception {
        Files.createDirectories(dir.resolve("videos"));
        Path key = Files.writeString(dir.resolve("id_test"), "key");
        JugglerConfig c = parse("""
                ledger: {url: "jdbc:postgresql://db:5432/j", user: u, passwordEnv: PW}
                cluster:
                  type: slurm
                  ssh: {host: login, user: alice, identityFile: '${HOME}/id_test', jumpHost: {host: gw, port: 2222}}
                  outputDirectory: /scratch/jobs
                  memory: 16GB
                  timeLimit: 1h30m
                  prologue: [module load java/17]
                  wrapper: [apptainer, exec, img.sif]
                workspace: {type: rsync, directory: /scratch/videos, budget: 2.5 GiB}
                worker: {analysis: blazepose-body25, lease: PT5M}
                videos:
                  - folder: videos
                    tags: '(?<cam>\\d+)'
                    id: "{stem}-{cam}"
                clean: {maxGap: 5, smoothing: one-euro, beta: 0.25, weighByConfidence: false}
                """);
        assertEquals(Path.of(dir.toString(), "id_test"), ((ClusterConfig.Slurm) c.cluster()).ssh().identityFile().get());
        assertEquals(key, ((ClusterConfig.Slurm) c.cluster()).ssh().identityFile().get());
        JugglerConfig again = JugglerConfig.parse(c.effectiveYaml(), dir, "effective.yaml", Map.of());
        assertEquals(c.ledger(), again.ledger());
        assertEquals(c.cluster(), again.cluster());
        assertEquals(c.workspace(), again.workspace());
        assertEquals(c.worker(), again.worker());
        assertEquals(c.juggler(), again.juggler());
        assertEquals(c.videos(), again.videos());
        assertEquals(c.clean(), again.clean());
        assertTrue(c.clean().afterTrack(), "a clean: section turns cleaning after each track on");
        assertEquals(c.console(), again.console());
        assertTrue(c.effectiveYaml().contains("password: (from env PW)"), c.effectiveYaml());
    }

    @Test
    void slurmDefaultsAndDerivedTagAreStable() {
        String yaml = """
                ledger: {url: "jdbc:postgresql://db/j"}
                cluster: {type: slurm, ssh: {host: login, user: alice}, memory: 16GiB}
                workspace: {directory: /scratch/videos}
                worker: {analysis: marker-pose}
                """;
        ClusterConfig.Slurm s = (ClusterConfig.Slurm) parse(yaml).cluster();
        assertEquals(s.tag(), ((ClusterConfig.Slurm) parse(yaml).cluster()).tag());
        assertTrue(s.tag().matches("jg-[0-9a-f]{8}"), s.tag());
        assertEquals(22, s.ssh().port());
        assertEquals(16 * 1024, s.memoryMegabytes().getAsInt());
        assertEquals(Duration.ofHours(12), s.timeLimit());
        assertEquals(WorkspaceConfig.Type.SFTP, WorkspaceConfig.Type.valueOf("SFTP"));
        assertEquals(List.of(), s.prologue());
        assertEquals(List.of(), s.wrapper());
    }

    @Test
    void everyProblemIsReportedWithLineColumnKeyValueAndFix() {
        List<String> p = problems("""
                ledger:
                  url: jdbc:h2:file:x
                  poolSize: many
                cluster:
                  type: slurm
                  ssh:
                    host: login
                    port: 70000
                  timeLimit: 12
                  memory: 16 GX
                workspace:
                  type: ftp
                worker:
                  analysis: blazepose
                """);
        assertEquals(List.of(
                "test.yaml:3:13: ledger.poolSize: `many` is not a whole number; write one in 1..500",
                "test.yaml:8:11: cluster.ssh.port: 70000 is out of range; write a number in 1..65535",
                "test.yaml:9:14: cluster.timeLimit: `12` has no unit; write e.g. 12s, 12m or 12h",
                "test.yaml:10:11: cluster.memory: `16 GX` has an unknown size unit 'GX'; use B, kB, MB, GB, TB, PB "
                        + "(powers of 1000) or KiB, MiB, GiB, TiB, PiB (powers of 1024)",
                "test.yaml:12:9: workspace.type: `ftp` is not allowed; write one of local, sftp, rsync; did you mean 'sftp'?",
                "test.yaml:14:13: worker.analysis: `blazepose` is not an analysis; write one of marker-pose, "
                        + "blazepose-body25, blazepose-full-body25, blazepose-heavy-body25, openpose-binary"), p);
    }

    @Test
    void posePeopleDefaultsToAllAndATileGridNeedsOne() {
        assertEquals("all", parse(MINIMAL).worker().posePeople());
        List<String> p = problems(MINIMAL + "  poseTiles: 3x2\n");
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).contains("worker.poseTiles") && p.get(0).contains("posePeople: one"), p.toString());
        JugglerConfig one = parse(MINIMAL + "  posePeople: one\n  poseTiles: 3x2\n  detector: models/my detector.tflite\n");
        assertEquals("one", one.worker().posePeople());
        assertEquals(dir.resolve("models/my detector.tflite").toString(), one.worker().detector().orElseThrow());
        assertEquals(java.util.Optional.empty(), one.worker().boxDetector());
        JugglerConfig boxes = parse(MINIMAL + "  boxDetector: models/boxes.tflite\n");
        assertEquals(dir.resolve("models/boxes.tflite").toString(), boxes.worker().boxDetector().orElseThrow());
        assertTrue(dev.juggler.samples.DeploymentAccess.workerArguments(boxes)
                .contains("--pose-box-detector=" + dir.resolve("models/boxes.tflite")));
        assertEquals("none", parse(MINIMAL + "  boxDetector: none\n").worker().boxDetector().orElseThrow(),
                "none switches it off and is not a path");
        List<String> bad = problems(MINIMAL + "  posePeople: everyone\n");
        assertTrue(bad.get(0).contains("worker.posePeople") && bad.get(0).contains("all, one"), bad.toString());
    }

    @Test
    void aRemoteSectionSendsTheLandmarkModelToInferenceServers() {
        String blaze = MINIMAL.replace("marker-pose", "blazepose-body25");
        JugglerConfig remote = parse(blaze + """
                  remote:
                    endpoints: [http://gpu1:8000, "https://gpu-2.lab:8443/prefix"]
                    tokenFile: /home/me/serve token
                """);
        WorkerConfig.Remote r = remote.worker().remote().orElseThrow();
        assertEquals(List.of("http://gpu1:8000", "https://gpu-2.lab:8443/prefix"), r.endpoints());
        assertEquals("blazepose", r.model());
        assertEquals("one", remote.worker().posePeople(), "one pass per tile is the default with a remote section");
        List<String> args = dev.juggler.samples.DeploymentAccess.workerArguments(remote);
        assertTrue(args.contains("--remote=http://gpu1:8000,https://gpu-2.lab:8443/prefix"), args.toString());
        assertTrue(args.contains("--remote-token-file=/home/me/serve token"), args.toString());
        assertTrue(args.contains("--pose-people=one"), args.toString());

        List<String> all = problems(blaze + "  posePeople: all\n  remote: {endpoints: [http://gpu1:8000]}\n");
        assertTrue(all.get(0).contains("worker.posePeople") && all.get(0).contains("remotely"), all.toString());
        List<String> marker = problems(MINIMAL + "  remote: {endpoints: [http://gpu1:8000]}\n");
        assertTrue(marker.get(0).contains("worker.remote") && marker.get(0).contains("BlazePose"), marker.toString());
        List<String> url = problems(blaze + "  remote: {endpoints: ['ftp://gpu1', 'http://u:p@gpu1:8000']}\n");
        assertEquals(2, url.size(), url.toString());
        assertTrue(url.get(0).contains("worker.remote.endpoints") && url.get(0).contains("http://gpu1:8000"), url.toString());
        List<String> empty = problems(blaze + "  remote: {model: pose}\n");
        assertTrue(empty.get(0).contains("worker.remote.endpoints") && empty.get(0).contains("required"), empty.toString());
    }

    @Test
    void unknownKeysAreErrorsWithASuggestion() {
        List<String> p = problems(MINIMAL + """
                cluster:
                  type: slurm
                  ssh: {host: h, user: u}
                  partiton: gpu
                  slots: 3
                workspace: {directory: /w}
                jugler:
                  maxQueuedJobs: 3
                """);
        assertEquals(List.of(
                "test.yaml:8:3: cluster.partiton: unknown key; did you mean 'partition'?; known keys here: "
                        + "account, arrayConcurrency, cpus, gpus, memory, minPollInterval, outputDirectory, partition, "
                        + "prologue, qos, ssh, tag, timeLimit, type, wrapper",
                "test.yaml:9:3: cluster.slots: is not used here: slots applies only to type: local",
                "test.yaml:11:1: jugler: unknown key; did you mean 'juggler'?; known keys here: clean, cluster, console, "
                        + "juggler, ledger, version, videos, worker, workspace"), p);
    }

    @Test
    void requiredKeysPerType() {
        List<String> p = problems("""
                ledger: {}
                cluster:
                  type: slurm
                worker:
                  analysis: openpose-binary
                """);
        assertEquals(List.of(
                "test.yaml:1:1: workspace.directory: is required: an absolute path on the cluster, e.g. /scratch/alice/videos",
                "test.yaml:1:9: ledger.url: is required: the ledger's JDBC URL, e.g. jdbc:h2:file:ledger/juggler (a file "
                        + "next to this config) or jdbc:postgresql://db.example:5432/juggler",
                "test.yaml:3:3: cluster.ssh: is required for type: slurm: the login node, e.g. ssh: {host: "
                        + "login.example.org, user: alice}",
                "test.yaml:3:3: cluster.ssh.host: is required: the SSH host name or address",
                "test.yaml:5:3: worker.openpose.binary: is required for analysis openpose-binary: the OpenPose executable "
                        + "on the worker's machine, e.g. /opt/openpose/build/examples/openpose/openpose.bin"),
                p);
    }

    @Test
    void malformedYamlIsOneClearProblemWithPosition() {
        List<String> p = problems("ledger:\n  url: jdbc:h2:file:x\n password: hunter2\n  user: [a\n");
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("test.yaml:3:"), p.get(0));
        assertTrue(p.get(0).contains("YAML syntax error"), p.get(0));
        assertFalse(p.get(0).contains("hunter2"), p.get(0));
    }

    @Test
    void duplicateKeysAreReported() {
        List<String> p = problems(MINIMAL + "worker:\n  analysis: marker-pose\n");
        assertEquals(List.of("test.yaml:5:1: worker: duplicate key (first at line 3); remove one of them"), p);
    }

    @Test
    void secretsNeverAppearInOutputs() throws Exception {
        String secret = "s3cr3t-Pa55";
        Path file = Files.writeString(dir.resolve("pw"), secret + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        JugglerConfig c = parse("ledger: {url: 'jdbc:postgresql://db/j', user: u, passwordFile: pw}\n"
                + "worker: {analysis: marker-pose}\n");
        JugglerConfig viaEnv = JugglerConfig.parse("ledger: {url: 'jdbc:postgresql://db/j', passwordEnv: PW}\n"
                + "worker: {analysis: marker-pose}\n", dir, "t", Map.of("PW", secret));
        for (String out : List.of(c.toString(), c.effectiveYaml(), c.ledger().toString(), c.ledgerBuilder().toString(),
                viaEnv.toString(), viaEnv.effectiveYaml(), viaEnv.ledger().builder(Map.of("PW", secret)).toString())) {
            assertFalse(out.contains(secret), out);
        }
        assertEquals(secret, c.ledger().password().orElseThrow());
        assertTrue(c.effectiveYaml().contains("(hidden, from " + file + ")"), c.effectiveYaml());
        // An inline password is refused without echoing it.
        List<String> p = problems("ledger: {url: 'jdbc:postgresql://db/j', password: " + secret + "}\n"
                + "worker: {analysis: marker-pose}\n");
        assertEquals(1, p.size());
        assertFalse(p.get(0).contains(secret), p.get(0));
        assertTrue(p.get(0).contains("ledger.password: passwords are never written"), p.get(0));
    }

    @Test
    void passwordFileReadableByOthersIsRefusedWithTheChmodFix() throws Exception {
        Path file = Files.writeString(dir.resolve("pw"), "x\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        List<String> p = problems("ledger: {url: 'jdbc:postgresql://db/j', passwordFile: pw}\nworker: {analysis: marker-pose}\n");
        assertEquals(List.of("test.yaml:1:55: ledger.passwordFile: " + file + " can be accessed by group or others (mode "
                + "rw-r--r--); make it private: chmod 600 " + file), p);
    }

    @Test
    void pgpassLinesAreMatchedByHostPortDatabaseAndUser() throws Exception {
        Path file = Files.writeString(dir.resolve(".pgpass"), """
                # comment
                other:5432:j:u:wrong
                db.example:5433:juggler:alice:pa\\:ss
                *:*:*:*:fallback
                """);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertEquals("pa:ss", PasswordFile.read(file, "jdbc:postgresql://db.example:5433/juggler?ssl=true", "alice"));
        assertEquals("fallback", PasswordFile.read(file, "jdbc:postgresql://db.example/juggler", "alice"));
    }

    @Test
    void envReferencesInPathsMustBeSet() {
        List<String> p = problems(MINIMAL + "workspace: {directory: '${NOPE}/ws'}\n");
        assertEquals(List.of("test.yaml:5:24: workspace.directory: refers to ${NOPE}, which is not set in the "
                + "environment; set it or write the path out"), p);
    }

    @Test
    void sizesAndDurations() {
        assertEquals(500_000_000_000L, Units.parseSize("500GB"));
        assertEquals((long) (2.5 * (1L << 30)), Units.parseSize("2.5 GiB"));
        assertEquals(1234, Units.parseSize("1234"));
        assertEquals(1000, Units.parseSize("1kb"));
        assertEquals("500GB", Units.formatSize(500_000_000_000L));
        assertEquals("3GiB", Units.formatSize(3L << 30));
        assertThrows(IllegalArgumentException.class, () -> Units.parseSize("12 parsecs"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseSize("-1GB"));
        assertEquals(Duration.ofHours(12), Units.parseDuration("12h"));
        assertEquals(Duration.ofMinutes(90), Units.parseDuration("90m"));
        assertEquals(Duration.ofMinutes(90), Units.parseDuration("1h30m"));
        assertEquals(Duration.ofMillis(2500), Units.parseDuration("2.5s"));
        assertEquals(Duration.ofHours(12), Units.parseDuration("PT12H"));
        assertEquals(Duration.ofHours(26), Units.parseDuration("1-02:00:00"));
        assertEquals(Duration.ofHours(12), Units.parseDuration("12:00:00"));
        assertEquals("1h30m", Units.formatDuration(Duration.ofMinutes(90)));
        assertEquals("2s500ms", Units.formatDuration(Duration.ofMillis(2500)));
        assertThrows(IllegalArgumentException.class, () -> Units.parseDuration("12"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseDuration("12 fortnights"));
    }

    @Test
    void suggestionsUseEditDistance() {
        assertEquals("; did you mean 'timeLimit'?", Suggest.didYouMean("timelimit", List.of("timeLimit", "tag")));
        assertEquals("; did you mean 'partition'?", Suggest.didYouMean("partiton", List.of("partition", "qos")));
        assertEquals("", Suggest.didYouMean("zzzzzz", List.of("partition", "qos")));
    }

    @Test
    void cleanSettingsAreCheckedWithTheirKeys() {
        assertFalse(parse(MINIMAL).clean().afterTrack(), "off without a clean: section");
        assertEquals(dev.juggler.inference.clean.CleanSettings.defaults(), parse(MINIMAL).clean().settings());
        List<String> p = problems(MINIMAL + "clean: {maxGap: -1, smoothing: median, cutoffHz: fast, order: 12}\n");
        assertEquals(4, p.size(), p.toString());
        assertTrue(p.get(0).contains("clean.maxGap") && p.get(0).contains("0..1000"), p.toString());
        assertTrue(p.stream().anyMatch(x -> x.contains("clean.smoothing") && x.contains("butterworth, one-euro, none")), p.toString());
        assertTrue(p.stream().anyMatch(x -> x.contains("clean.cutoffHz") && x.contains("fast")), p.toString());
        assertTrue(p.stream().anyMatch(x -> x.contains("clean.order") && x.contains("1..8")), p.toString());
        assertFalse(parse(MINIMAL + "clean: {afterTrack: false, maxGap: 3}\n").clean().afterTrack());
    }

    @Test
    void consoleOnOtherInterfacesNeedsAToken() {
        List<String> p = problems(MINIMAL + "console: {bind: '0.0.0.0:8080'}\n");
        assertEquals(1, p.size());
        assertTrue(p.get(0).startsWith("test.yaml:5:17: console.bind: `0.0.0.0:8080` is reachable"), p.get(0));
    }
}
