package dev.juggler.samples.examples;

import dev.juggler.cluster.ClusterBackend;
import dev.juggler.cluster.JobSpec;
import dev.juggler.cluster.LocalClusterBackend;
import dev.juggler.inference.video.VideoProbe;
import dev.juggler.jdbc.JdbcLedger;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.run.Juggler;
import dev.juggler.run.JugglerListener;
import dev.juggler.run.JugglerStatus;
import dev.juggler.stage.LocalVideoStager;
import dev.juggler.stage.VideoStager;
import dev.juggler.video.Video;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The composition shown in the README, compiled so that it stays true: register a video, then let a
 * Juggler keep worker jobs running until the ledger says everything is done.
 *
 * <p>Usage: {@code ComposeExample VIDEO WORKDIR}; the worker jobs run {@code juggler worker} from the
 * same class path.
 */
public final class ComposeExample {

    private ComposeExample() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path videoFile = Path.of(args[0]);
        Path work = Path.of(args[1]).toAbsolutePath();
        String url = JdbcLedger.h2FileUrl(work.resolve("ledger"));

        WorkLedger ledger = JdbcLedger.builder().url(url).build();
        Video video = VideoProbe.probe("cam1-session7", videoFile, Map.of("camera", "1"));
        ledger.registerVideo(video);
        ledger.addTrack(TrackSpec.whole(video, "marker-pose"));

        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "dev.juggler.samples.JugglerCli", "worker", "--ledger-url", url);
        JobSpec worker = JobSpec.builder("juggler-worker", command).outputDirectory(work.resolve("logs")).build();
        JugglerListener dashboard = new JugglerListener() {
            @Override
            public void onStatus(JugglerStatus status) {
                System.out.printf("%d/%d frames, %d jobs running%n", status.progress().frames().doneFrames(),
                        status.progress().frames().totalFrames(), status.jobsRunning());
            }
        };
        try (ledger;
                ClusterBackend backend = LocalClusterBackend.builder().slots(2).build();
                VideoStager stager = LocalVideoStager.builder(work.resolve("workspace")).budgetBytes(500L << 30).build();
                Juggler juggler = Juggler.builder(ledger, backend, stager, worker).listener(dashboard)
                        .pollInterval(java.time.Duration.ofSeconds(1)).build()) {
            juggler.start(); // ticks: reap, purge, stage, submit, publish status
            while (juggler.status().map(s -> !s.isIdle()).orElse(true)) {
                Thread.sleep(500);
            }
        }
    }
}
