package dev.juggler.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.juggler.ledger.StageState;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * H2's automatic mixed mode as the ledger relies on it: another process opens the file first and
 * serves it; this JVM works through that server; when the serving process exits, this JVM's next calls
 * still succeed (the broken pooled connections are evicted, the retry opens the file itself).
 */
class H2AutoServerFailoverTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void ledgerKeepsWorkingWhenTheServingProcessExits() throws Exception {
        String url = JdbcLedger.h2FileUrl(dir.resolve("shared"));
        Path ready = dir.resolve("ready");
        Path stop = dir.resolve("stop");
        String classPath = Optional.ofNullable(System.getProperty("surefire.test.class.path"))
                .orElse(System.getProperty("java.class.path"));
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classPath, LedgerHolder.class.getName(), url,
                ready.toString(), stop.toString());
        builder.redirectErrorStream(true);
        builder.redirectOutput(dir.resolve("holder.log").toFile());
        Process holder = builder.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(ready)) {
                if (!holder.isAlive() || System.nanoTime() > deadline) {
                    fail("holder process did not start: " + Files.readString(dir.resolve("holder.log")));
                }
                Thread.sleep(20);
            }
            try (WorkLedger ledger = JdbcLedger.builder().url(url).build()) {
                ledger.registerVideo(new Video("v", "/corpus/v", 100, 25, 1, Map.of()));
                ledger.markStaged("v", "/ws/v");
                long track = ledger.addTrack(new TrackSpec("v", "pose", FrameRange.of(0, 100), 0));

                Files.writeString(stop, "stop");
                assertTrue(holder.waitFor(30, TimeUnit.SECONDS), "holder process did not exit");
                assertEquals(0, holder.exitValue(), Files.readString(dir.resolve("holder.log")));

                var lease = ledger.claim(dev.juggler.ledger.ClaimRequest.of("w", 10, java.time.Duration.ofMinutes(1))).orElseThrow();
                assertEquals(track, lease.trackId());
                ledger.complete(lease, 10);
                assertEquals(10, ledger.estimate().doneFrames());
            }
        } finally {
            if (holder.isAlive()) {
                holder.destroyForcibly();
            }
        }
    }
}
