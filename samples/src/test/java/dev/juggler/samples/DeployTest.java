package dev.juggler.samples;

import static dev.juggler.samples.TestServers.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.cluster.JobSpec;
import dev.juggler.inference.pose.PoseModels;
import dev.juggler.samples.TestServers.CliRun;
import dev.juggler.samples.TestServers.Env;
import dev.juggler.samples.config.ClusterConfig;
import dev.juggler.samples.config.JugglerConfig;
import dev.juggler.samples.deploy.Artifact;
import dev.juggler.samples.deploy.DeployLayout;
import dev.juggler.samples.deploy.DirectoryJar;
import dev.juggler.samples.deploy.Payload;
import dev.juggler.samples.deploy.Release;
import dev.juggler.slurm.ssh.ExecResult;
import dev.juggler.slurm.ssh.RemoteCommand;
import dev.juggler.slurm.ssh.SshClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code juggler deploy} against the real sshd and single-node SLURM: the first deploy (done once for the class,
 * this test run's class path plus the BlazePose lite model, ~100 MB over loopback SFTP) puts every file under its
 * content address with the right SHA-256; a second uploads nothing; a cut-off upload resumes; a corrupt file is
 * found by {@code --verify} and replaced; a cluster without Java 17 fails with the fix; and {@code juggler doctor}'s
 * probe job, built by {@link Deployment} from the deployed release, runs {@code juggler worker --check} on SLURM
 * from the deployed files and model.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeployTest {

    private static final Pattern SUMMARY = Pattern.compile(
            "deployed release ([0-9a-f]{16}): (\\d+) files \\(.*\\), (\\d+) uploaded \\((\\d+) bytes\\), (\\d+) already there");

    private static Env env;
    private static Path localDir;
    private static String id;
    private static String deployDir;
    private static Path config;
    private static CliRun first;
    private static SshClient ssh;

    @BeforeAll
    static void deployOnce() throws IOException {
        env = Env.require();
        id = UUID.randomUUID().toString().substring(0, 8);
        localDir = Files.createTempDirectory("deploy-test-");
        deployDir = env.workdir() + "/deploy-" + id;
        config = config("good", deployDir, "blazepose-body25", Env.java(), List.of());
        ssh = SshClient.open(((ClusterConfig.Slurm) JugglerConfig.load(config).cluster()).ssh().sshConfigBuilder().build());
        long t0 = System.nanoTime();
        first = cli("deploy", "--no-progress", "--config", config.toString());
        System.out.println(first.out());
        System.out.printf("first deploy took %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    @AfterAll
    static void cleanUp() {
        if (ssh != null) {
            ssh.exec(RemoteCommand.of("rm", "-rf", "--", deployDir, env.workdir() + "/deploy-jobs-" + id)
                    .withTimeout(Duration.ofMinutes(1)));
            ssh.close();
        }
    }

    @Test
    @Order(1)
    void theFirstDeployPutsEveryFileUnderItsContentAddressWithTheRightSha256() throws IOException {
        assertEquals(JugglerCli.OK, first.code(), first.out());
        assertTrue(first.out().contains("Java " + Runtime.version().feature() + " on the cluster"), first.out());
        Matcher m = summary(first);
        Release release = current();
        assertEquals(m.group(1), release.id(), first.out());
        Path detector = PoseModels.system().locateDetector(null);
        try (Payload expected = Payload.current(Optional.of(lite()), Optional.of(detector),
                PoseModels.system().locateBoxDetector(null, detector))) {
            int files = expected.all().size();
            assertEquals(files, Integer.parseInt(m.group(2)), first.out());
            assertEquals(files, Integer.parseInt(m.group(3)), "a fresh directory: everything uploaded\n" + first.out());
            assertEquals(expected.all().stream().mapToLong(Artifact::size).sum(), Long.parseLong(m.group(4)), first.out());
            String args = cat(release.argsFile());
            List<String> classPath = List.of(args.trim().split("\n")[1].split(":"));
            List<String> wanted = new ArrayList<>();
            expected.classPath().forEach(a -> wanted.add(deployDir + "/cas/" + a.casName()));
            assertEquals(wanted, classPath, "the argument file holds the class path of cas files, in order");
            assertEquals(args, cat(deployDir + "/current.args"));
            assertEquals(release.text(), cat(deployDir + "/releases/" + release.id() + ".release"));
            assertEquals(Optional.of(deployDir + "/cas/" + expected.model().orElseThrow().casName()), release.model());
            assertEquals(Optional.of(deployDir + "/cas/" + expected.detector().orElseThrow().casName()), release.detector(),
                    "blazepose-body25 finds every person by default: the detector goes along");
            assertEquals(Optional.of(deployDir + "/cas/" + expected.boxDetector().orElseThrow().casName()), release.boxDetector(),
                    "and so does the object detector, where this machine has it");
            Map<String, String> sums = remoteSha256(expected.all().stream().map(a -> deployDir + "/cas/" + a.casName()).toList());
            for (Artifact a : expected.all()) {
                assertEquals(a.sha256(), sums.get(deployDir + "/cas/" + a.casName()), a.name());
            }
            ExecResult parts = ssh.exec(RemoteCommand.script("ls \"$1\" | grep -c '\\.part' || true", List.of(deployDir + "/cas")));
            assertEquals("0", parts.out().trim(), "no .part left behind");
        }
    }

    @Test
    @Order(2)
    void aSecondDeployUploadsNothing() {
        CliRun again = cli("deploy", "--no-progress", "--config", config.toString());
        System.out.println(again.out());
        assertEquals(JugglerCli.OK, again.code(), again.out());
        Matcher m = summary(again);
        assertEquals(summary(first).group(1), m.group(1), "the same files are the same release");
        assertEquals("0", m.group(3), again.out());
        assertEquals("0", m.group(4), again.out());
        assertEquals(m.group(2), m.group(5), again.out());
    }

    @Test
    @Order(3)
    void anInterruptedUploadResumesFromItsPartAndIsVerified() throws IOException {
        Artifact model = Artifact.of(lite());
        String target = deployDir + "/cas/" + model.casName();
        long kept = model.size() / 3;
        ExecResult cut = ssh.exec(RemoteCommand.script("head -c \"$1\" \"$2\" > \"$2.part\" && rm -f -- \"$2\"",
                List.of(Long.toString(kept), target)));
        assertTrue(cut.ok(), cut.err());
        CliRun r = cli("deploy", "--no-progress", "--config", config.toString());
        System.out.println(r.out());
        assertEquals(JugglerCli.OK, r.code(), r.out());
        Matcher m = summary(r);
        assertEquals("1", m.group(3), r.out());
        assertEquals(Long.toString(model.size() - kept), m.group(4), "only the missing rest was sent:\n" + r.out());
        assertTrue(r.out().contains("1 resumed") && r.out().contains("resuming at"), r.out());
        assertEquals(model.sha256(), remoteSha256(List.of(target)).get(target));
        assertFalse(ssh.exec(RemoteCommand.of("test", "-e", target + ".part")).ok(), "the part was renamed into place");
    }

    @Test
    @Order(4)
    void aCorruptFileIsFoundByVerifyAndReplaced() throws IOException {
        Artifact model = Artifact.of(lite());
        String target = deployDir + "/cas/" + model.casName();
        // Same size, other content: only hashing finds it.
        ExecResult damage = ssh.exec(RemoteCommand.script("printf 'XXXXXXXX' | dd of=\"$1\" bs=1 seek=1000 conv=notrunc 2>/dev/null",
                List.of(target)));
        assertTrue(damage.ok(), damage.err());
        assertFalse(model.sha256().equals(remoteSha256(List.of(target)).get(target)));

        CliRun plain = cli("deploy", "--no-progress", "--config", config.toString());
        assertEquals("0", summary(plain).group(3), "without --verify a file of the right size is trusted:\n" + plain.out());

        CliRun r = cli("deploy", "--no-progress", "--verify", "--config", config.toString());
        System.out.println(r.out());
        assertEquals(JugglerCli.OK, r.code(), r.out());
        Matcher m = summary(r);
        assertEquals("1", m.group(3), r.out());
        assertTrue(r.out().contains("1 replaced"), r.out());
        assertTrue(r.out().contains("verified)"), r.out());
        assertEquals(model.sha256(), remoteSha256(List.of(target)).get(target));
    }

    @Test
    @Order(5)
    void withoutJava17OnTheClusterDeployFailsWithTheFix() throws IOException {
        Path missing = config("nojava", env.workdir() + "/deploy-nojava-" + id, "marker-pose", "/nonexistent/java", List.of());
        CliRun r = cli("deploy", "--no-progress", "--config", missing.toString());
        System.out.println(r.out());
        assertEquals(JugglerCli.FAILED, r.code(), r.out());
        assertTrue(r.out().contains("no Java on the cluster") && r.out().contains("/nonexistent/java")
                && r.out().contains("module load java/17") && r.out().contains("cluster.prologue"), r.out());
        assertFalse(r.out().contains("deployed release"), r.out());

        Path noPath = config("nopath", env.workdir() + "/deploy-nojava-" + id, "marker-pose", "java",
                List.of("export PATH=/nonexistent"));
        CliRun p = cli("deploy", "--no-progress", "--config", noPath.toString());
        System.out.println(p.out());
        assertEquals(JugglerCli.FAILED, p.code(), p.out());
        assertTrue(p.out().contains("no Java on the cluster") && p.out().contains("module load java/17"), p.out());
        assertFalse(ssh.exec(RemoteCommand.of("test", "-e", env.workdir() + "/deploy-nojava-" + id)).ok(),
                "nothing was uploaded");
    }

    @Test
    @Order(6)
    void theDoctorsProbeJobRunsTheWorkerOnSlurmFromTheDeployedRelease() {
        JugglerConfig loaded = JugglerConfig.load(config);
        Release release = current();
        JobSpec job = Deployment.workerJob(loaded, Deployment.WORKER_JOB_NAME, List.of(), Optional.of(release));
        assertTrue(job.command().contains("@" + release.argsFile()), job.command().toString());
        assertFalse(job.command().contains("-cp"), "no local class path:" + job.command());
        assertTrue(job.command().contains("--pose-model=" + release.model().orElseThrow()), job.command().toString());
        assertTrue(job.command().contains("--pose-detector=" + release.detector().orElseThrow()), job.command().toString());

        CliRun r = cli("doctor", "--config", config.toString());
        System.out.println(r.out());
        assertEquals(JugglerCli.OK, r.code(), r.out());
        assertTrue(line(r.out(), "deploy").startsWith("ok") && line(r.out(), "deploy").contains(release.id()), r.out());
        String probe = line(r.out(), "probe.job");
        assertTrue(probe.startsWith("ok") && probe.contains("ledger ok"), r.out());
        assertFalse(r.out().contains(env.password()), "no secret in the output");
    }

    @Test
    @Order(7)
    void theDoctorFailsWhenNothingIsDeployed() throws IOException {
        Path empty = config("empty", env.workdir() + "/deploy-empty-" + id, "marker-pose", Env.java(), List.of());
        CliRun r = cli("doctor", "--config", empty.toString());
        System.out.println(r.out());
        assertEquals(JugglerCli.FAILED, r.code(), r.out());
        String deploy = line(r.out(), "deploy");
        assertTrue(deploy.startsWith("FAIL") && deploy.contains("not deployed") && deploy.contains("juggler deploy"), r.out());
        assertTrue(line(r.out(), "probe.job").startsWith("skip"), r.out());
    }

    @Test
    void aLocalClusterHasNothingToDeploy() throws IOException {
        Path local = localDir.resolve("local.yaml");
        Files.writeString(local, String.join("\n", "ledger: {url: 'jdbc:h2:" + localDir.resolve("ledger") + "'}",
                "worker: {analysis: marker-pose, deployDirectory: /nowhere}", ""));
        CliRun r = cli("deploy", "--config", local.toString());
        assertEquals(JugglerCli.OK, r.code(), r.out());
        assertTrue(r.out().contains("nothing to deploy"), r.out());
    }

    @Test
    void aClassFolderPacksIntoTheSameJarEveryTime() throws IOException {
        Path folder = Files.createTempDirectory("classes-");
        Files.createDirectories(folder.resolve("b/c"));
        Files.writeString(folder.resolve("b/c/Z.class"), "z");
        Files.writeString(folder.resolve("a.txt"), "a");
        Path one = Files.createTempFile("one", ".jar");
        Path two = Files.createTempFile("two", ".jar");
        DirectoryJar.pack(folder, one);
        Files.setLastModifiedTime(folder.resolve("a.txt"), java.nio.file.attribute.FileTime.fromMillis(0));
        DirectoryJar.pack(folder, two);
        assertEquals(Artifact.sha256(one), Artifact.sha256(two));
        assertEquals(Artifact.of(one).casName().substring(0, 64), Artifact.sha256(two));
    }

    private static Release current() {
        return Release.readCurrent(ssh, DeployLayout.of(deployDir)).orElseThrow(() -> new AssertionError("no current release"));
    }

    private static Matcher summary(CliRun r) {
        Matcher m = SUMMARY.matcher(r.out());
        assertTrue(m.find(), "no summary line:\n" + r.out());
        return m;
    }

    private static String cat(String path) {
        ExecResult r = ssh.exec(RemoteCommand.of("cat", "--", path));
        assertTrue(r.ok(), path + ": " + r.err());
        return r.out();
    }

    private static Map<String, String> remoteSha256(List<String> paths) {
        List<String> argv = new ArrayList<>(List.of("sha256sum", "--"));
        argv.addAll(paths);
        ExecResult r = ssh.exec(RemoteCommand.of(argv).withTimeout(Duration.ofMinutes(2)));
        Map<String, String> sums = new HashMap<>();
        r.out().lines().map(l -> l.split("\\s+\\*?", 2)).filter(p -> p.length == 2).forEach(p -> sums.put(p[1], p[0]));
        return sums;
    }

    private static Path lite() {
        return PoseModels.system().locate(PoseModels.Variant.LITE, null);
    }

    private static String line(String out, String check) {
        return out.lines().filter(l -> l.length() > 6 && l.substring(6).startsWith(check + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no line for " + check + ":\n" + out));
    }

    private static Path config(String name, String deployDirectory, String analysis, String java, List<String> prologue)
            throws IOException {
        Path file = localDir.resolve(name + ".yaml");
        List<String> lines = new ArrayList<>(List.of(
                "ledger:",
                "  url: " + env.pgUrl(),
                "  user: " + env.pgUser(),
                "  passwordEnv: JUGGLER_PG_PASSWORD",
                "  tablePrefix: dep" + id.substring(0, 6) + "_",
                "cluster:",
                "  type: slurm",
                "  ssh: {host: " + env.host() + ", port: " + env.port() + ", user: " + env.user() + ", identityFile: "
                        + env.key() + ", knownHosts: " + env.knownHosts() + "}",
                env.partition() == null ? "" : "  partition: " + env.partition(),
                "  timeLimit: 10m",
                "  outputDirectory: " + env.workdir() + "/deploy-jobs-" + id,
                "  tag: deploy-" + id));
        if (!prologue.isEmpty()) {
            lines.add("  prologue:");
            prologue.forEach(p -> lines.add("    - '" + p + "'"));
        }
        lines.addAll(List.of(
                "workspace: {type: sftp, directory: " + env.workdir() + "/deploy-ws-" + id + ", budget: 1GB}",
                "worker:",
                "  analysis: " + analysis,
                "  java: " + java,
                "  jvmOptions: [-Xmx512m, -XX:+UseSerialGC, -XX:TieredStopAtLevel=1]",
                "  deployDirectory: " + deployDirectory,
                ""));
        Files.writeString(file, String.join("\n", lines));
        return file;
    }
}
