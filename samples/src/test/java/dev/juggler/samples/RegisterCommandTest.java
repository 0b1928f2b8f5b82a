package dev.juggler.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.video.SyntheticVideo;
import dev.juggler.inference.video.VideoProbe;
import dev.juggler.jdbc.JdbcLedger;
import dev.juggler.ledger.WorkLedger;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code juggler register} and {@code juggler config check} against a real H2 ledger and real small videos. */
class RegisterCommandTest {

    @TempDir
    Path dir;

    private final AtomicInteger probes = new AtomicInteger();

    private record Run(int exit, String out, String err) {
    }

    private Run run(String... args) {
        CommandLine cli = JugglerCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        RegisterCommand register = cli.getSubcommands().get("register").getCommand();
        register.prober = (id, file, tags) -> {
            probes.incrementAndGet();
            return VideoProbe.inspect(id, file, tags);
        };
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private Path config() throws Exception {
        return Files.writeString(dir.resolve("juggler.yaml"), """
                ledger: {url: 'jdbc:h2:file:ledger/juggler'}
                worker: {analysis: marker-pose}
                videos:
                  - folder: videos
                    tags: '(?<session>s\\d+)'
                    priority: 3
                """);
    }

    @Test
    void registersNewVideosOnceAndRefusesBrokenFiles() throws Exception {
        Path videos = Files.createDirectories(dir.resolve("videos"));
        SyntheticVideo.write(videos.resolve("s10 walk.mp4"), 160, 120, 30, 25);
        SyntheticVideo.write(videos.resolve("s2 $(id) 'q'.mp4"), 160, 120, 20, 25);
        Files.createFile(videos.resolve("empty.mp4"));
        Files.writeString(videos.resolve("text\n<script>.mp4"), "not a video\n");
        Path cfg = config();

        Run first = run("register", "--config", cfg.toString(), "--no-progress");
        assertEquals(0, first.exit(), first.err() + first.out());
        assertTrue(first.out().contains("Registered: 2 new, 0 already registered, 2 refused (4 probed)."), first.out());
        assertTrue(first.out().contains("/videos/text\\n<script>.mp4\": "), first.out());
        assertFalse(first.out().contains("text\n<script>"), first.out());
        assertEquals(4, probes.get());

        try (WorkLedger ledger = JdbcLedger.builder().url(JdbcLedger.h2FileUrl(dir.resolve("ledger/juggler"))).build()) {
            var video = ledger.video("s2 $(id) 'q'.mp4").orElseThrow().video();
            assertEquals(20, video.frameCount());
            assertEquals(java.util.Map.of("session", "s2"), video.tags());
            assertEquals(50, ledger.reader().progress().frames().totalFrames());
        }

        probes.set(0);
        Run again = run("register", "--config", cfg.toString(), "--no-progress");
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("Registered: 0 new, 2 already registered, 2 refused (2 probed)."), again.out());
        assertEquals(2, probes.get(), "only the refused files are probed again");
        try (WorkLedger ledger = JdbcLedger.builder().url(JdbcLedger.h2FileUrl(dir.resolve("ledger/juggler"))).build()) {
            assertEquals(50, ledger.reader().progress().frames().totalFrames());
        }
    }

    @Test
    void aFileCutShortBehindAnIntactIndexIsRegisteredAndNamedAtOnce() throws Exception {
        Path videos = Files.createDirectories(dir.resolve("videos"));
        Path whole = SyntheticVideo.builder().size(160, 120).frames(60).fastStart(true).write(dir.resolve("whole.mp4"));
        byte[] bytes = Files.readAllBytes(whole);
        Files.write(videos.resolve("s3 cut.mp4"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Run first = run("register", "--config", config().toString(), "--no-progress");
        assertEquals(0, first.exit(), first.err() + first.out());
        assertTrue(first.out().contains("Cut short (registered: the readable frames are analysed, the rest is recorded as"
                + " failed) (1):"), first.out());
        assertTrue(first.out().contains("s3 cut.mp4\": the container declares 60 frames but frame "), first.out());
        assertTrue(first.out().contains("Registered: 1 new, 0 already registered, 0 refused (1 probed)."), first.out());
        try (WorkLedger ledger = JdbcLedger.builder().url(JdbcLedger.h2FileUrl(dir.resolve("ledger/juggler"))).build()) {
            assertEquals(60, ledger.video("s3 cut.mp4").orElseThrow().video().frameCount(),
                    "registered with its declared frames: the unreadable ones fail when analysed, visibly");
        }
    }

    @Test
    void anOperatorSetsAVideoAsideAndTakesItBack() throws Exception {
        Path videos = Files.createDirectories(dir.resolve("videos"));
        SyntheticVideo.write(videos.resolve("s1 <b>.mp4"), 160, 120, 20, 25);
        SyntheticVideo.write(videos.resolve("s2.mp4"), 160, 120, 30, 25);
        Path cfg = config();
        assertEquals(0, run("register", "-c", cfg.toString(), "--no-progress").exit());

        Run aside = run("set-aside", "-c", cfg.toString(), "--reason", "camera 1 is re-encoded", "s1 <b>.mp4", "nope.mp4");
        assertEquals(JugglerCli.FAILED, aside.exit(), "an unknown video is reported: " + aside.out());
        assertTrue(aside.out().contains("\"s1 <b>.mp4\": 1 pending range(s) set aside"), aside.out());
        assertTrue(aside.out().contains("nope.mp4: no such video in the ledger"), aside.out());
        try (WorkLedger ledger = JdbcLedger.builder().url(JdbcLedger.h2FileUrl(dir.resolve("ledger/juggler"))).build()) {
            assertEquals(20, ledger.reader().progress().frames().failedFrames());
            var failed = ledger.reader().chunks(dev.juggler.ledger.ChunkQuery.inState(dev.juggler.ledger.ChunkState.FAILED, 10));
            assertEquals("set aside: camera 1 is re-encoded", failed.get(0).failureReason().orElseThrow());
            assertTrue(ledger.videosToStage(10).stream().noneMatch(v -> v.video().id().equals("s1 <b>.mp4")));
        }
        assertTrue(run("set-aside", "-c", cfg.toString(), "s1 <b>.mp4").out().contains("nothing pending to set aside"));

        Run back = run("take-back", "-c", cfg.toString(), "s1 <b>.mp4");
        assertEquals(0, back.exit(), back.out());
        assertTrue(back.out().contains("1 range(s) back to pending"), back.out());
        assertTrue(run("take-back", "-c", cfg.toString(), "s1 <b>.mp4").out().contains("nothing was set aside"));
        try (WorkLedger ledger = JdbcLedger.builder().url(JdbcLedger.h2FileUrl(dir.resolve("ledger/juggler"))).build()) {
            assertEquals(0, ledger.reader().progress().frames().failedFrames());
            assertEquals(50, ledger.estimate().waitingFrames() + ledger.estimate().claimableFrames());
        }
    }

    @Test
    void aChangedFileIsRefusedNotReRegistered() throws Exception {
        Path videos = Files.createDirectories(dir.resolve("videos"));
        Path file = SyntheticVideo.write(videos.resolve("s1.mp4"), 160, 120, 20, 25);
        Path cfg = config();
        assertEquals(0, run("register", "-c", cfg.toString(), "--no-progress").exit());
        SyntheticVideo.write(file, 160, 120, 40, 25);
        Run again = run("register", "-c", cfg.toString(), "--no-progress");
        assertTrue(again.out().contains("is registered with"), again.out());
        assertTrue(again.out().contains("Registered: 0 new, 0 already registered, 1 refused (0 probed)."), again.out());
    }

    @Test
    void imageFoldersAreRegisteredWithTheirDamagedImagesListedUpFront() throws Exception {
        dev.juggler.inference.testing.ImageFixtures.requireFfmpeg();
        Path frames = Files.createDirectories(dir.resolve("frames"));
        Path seqA = frames.resolve("seq A $(id) \"q\"\n<script>");
        dev.juggler.inference.testing.ImageFixtures.synthetic(seqA, "img%d.jpg", 12, 64, 48, 1);
        Files.move(seqA.resolve("img3.jpg"), seqA.resolve("img3 $(touch x)\n<b>.jpg"));
        dev.juggler.inference.testing.ImageFixtures.truncate(seqA.resolve("img3 $(touch x)\n<b>.jpg"), 0.5);
        Files.write(seqA.resolve("img10.jpg"), new byte[0]);
        Path seqB = frames.resolve("seqB");
        dev.juggler.inference.testing.ImageFixtures.synthetic(seqB, "%04d.png", 5, 32, 24, 0);
        Files.writeString(seqB.resolve("fps"), "10\n");
        Files.createDirectories(frames.resolve("empty"));
        Path cfg = Files.writeString(dir.resolve("images.yaml"), """
                ledger: {url: 'jdbc:h2:file:ledger/juggler'}
                worker: {analysis: marker-pose}
                videos:
                  - images: frames
                    recursive: true
                """);

        Run first = run("register", "--config", cfg.toString(), "--no-progress");
        assertEquals(0, first.exit(), first.err() + first.out());
        assertTrue(first.out().contains("Damaged images (registered: each fails only its own frame when analysed, the other "
                + "frames are not affected) (2):"), first.out());
        assertTrue(first.out().contains("img3 $(touch x)\\n<b>.jpg\": frame 2: JPEG cut short"), first.out());
        assertTrue(first.out().contains("img10.jpg\": frame 9: empty file (0 bytes)"), first.out());
        assertFalse(first.out().contains("\n<b>") || first.out().contains("\n<script>"), "names escaped: " + first.out());
        assertTrue(first.out().contains("Registered: 2 new, 0 already registered, 0 refused (2 probed)."), first.out());
        try (WorkLedger ledger = JdbcLedger.builder().url(JdbcLedger.h2FileUrl(dir.resolve("ledger/juggler"))).build()) {
            var a = ledger.video("frames/seq A $(id) \"q\"\n<script>").orElseThrow().video();
            assertEquals(12, a.frameCount(), "every image is a frame, the damaged ones too");
            assertEquals(25.0, a.fps());
            assertEquals(seqA.toString(), a.location());
            var b = ledger.video("frames/seqB").orElseThrow().video();
            assertEquals(5, b.frameCount());
            assertEquals(10.0, b.fps(), "from the folder's fps file");
            assertEquals(17, ledger.reader().progress().frames().totalFrames());
        }

        probes.set(0);
        Run again = run("register", "--config", cfg.toString(), "--no-progress");
        assertTrue(again.out().contains("Registered: 0 new, 2 already registered, 0 refused (0 probed)."), again.out());
        assertEquals(0, probes.get(), "a registered folder of unchanged size is not checked again");

        dev.juggler.inference.testing.ImageFixtures.synthetic(seqB, "extra%d.png", 1, 32, 24, 0);
        Run changed = run("register", "--config", cfg.toString(), "--no-progress");
        assertTrue(changed.out().contains("frames/seqB: id frames/seqB is registered with"), changed.out());
        assertTrue(changed.out().contains("Registered: 0 new, 1 already registered, 1 refused (0 probed)."), changed.out());
    }

    @Test
    void configErrorsExitOneWithEveryProblem() throws Exception {
        Path cfg = Files.writeString(dir.resolve("bad.yaml"), "ledger: {url: x}\nworker: {analysis: nope, leese: 1m}\n");
        Run r = run("register", "--config", cfg.toString());
        assertEquals(1, r.exit());
        assertEquals(3 + 1, r.err().lines().count(), "every problem on its own line, then the count: " + r.err());
        assertTrue(r.err().endsWith("3 problem(s) in the config" + System.lineSeparator()), r.err());
        assertTrue(r.err().startsWith(cfg + ":1:15: ledger.url: `x` is not a supported JDBC URL"), r.err());
        Run check = run("config", "check", "--config", cfg.toString());
        assertEquals(1, check.exit());
        assertTrue(check.err().contains(cfg + ":2:26: worker.leese: unknown key; did you mean 'lease'?"), check.err());
    }

    @Test
    void configCheckPrintsTheEffectiveConfigWithoutSecrets() throws Exception {
        Path pw = Files.writeString(dir.resolve("pw.txt"), "TopSecret99\n");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        Path cfg = Files.writeString(dir.resolve("ok.yaml"),
                "ledger: {url: 'jdbc:postgresql://db/j', user: u, passwordFile: pw.txt}\nworker: {analysis: marker-pose}\n");
        Run r = run("config", "check", "--config", cfg.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("maxQueuedJobs: 100"), r.out());
        assertTrue(r.out().contains("(hidden, from " + pw + ")"), r.out());
        assertFalse((r.out() + r.err()).contains("TopSecret99"));
    }
}
