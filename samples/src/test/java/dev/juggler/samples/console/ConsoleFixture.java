package dev.juggler.samples.console;

import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import dev.juggler.jdbc.JdbcLedger;
import dev.juggler.ledger.ClaimRequest;
import dev.juggler.ledger.Lease;
import dev.juggler.ledger.RunReport;
import dev.juggler.ledger.StageState;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.video.Video;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * An H2 file ledger seeded through the {@link WorkLedger} API only, with hostile and unicode ids and tags, for
 * the console's tests:
 * <ul>
 *   <li>{@link #ALPHA}: done (1000 frames);</li>
 *   <li>{@link #XSS} (the id {@code <img src=x onerror=alert(1)>}): failed from frame 200 ("cannot decode frame
 *       217 of /data/x.mp4"); frames 0..200 done;</li>
 *   <li>{@link #BETA}: failed from frame 600 with the same cause, other numbers and path (one failure group);</li>
 *   <li>{@link #UNICODE}: running (400 frames leased), the rest pending;</li>
 *   <li>{@link #GAMMA}: pending, not staged;</li>
 *   <li>two job records of {@link #RUN}: 4711 running, 4712 ended by its time limit;</li>
 *   <li>a juggler {@link #RUN} that reported 96 jobs queued, 33 running, 120 of 500 GB of workspace, the cluster
 *       unreachable for 7 minutes and one {@link #PROBLEM}.</li>
 * </ul>
 * Not thread-safe; one per test.
 */
final class ConsoleFixture implements AutoCloseable {

    static final String ANALYSIS = "openpose-body25";
    static final String ALPHA = "alpha-001";
    static final String XSS = "<img src=x onerror=alert(1)>";
    static final String BETA = "beta, \"quoted\"";
    static final String UNICODE = "ünïcødé-视频-🎥";
    static final String GAMMA = "gamma-004";
    static final String XSS_REASON = "cannot decode frame 217 of /data/x.mp4";
    static final String BETA_REASON = "cannot decode frame 9 of /data/sub/beta.mp4";
    static final String RUN = "deploy-<i>a</i>";
    static final String PROBLEM = "submit: sbatch: error: <script>alert(2)</script> QOSMaxSubmitJobPerUserLimit";

    final WorkLedger ledger;
    final Map<String, Long> tracks = new LinkedHashMap<>();
    /** The live lease on {@link #UNICODE}'s first 400 frames. */
    final Lease running;

    ConsoleFixture(Path dir) {
        ledger = JdbcLedger.builder().url(JdbcLedger.h2FileUrl(dir.resolve("ledger"))).build();
        video(ALPHA, Map.of("camera", "left", "region", "north", "note", "=HYPERLINK(\"http://x\")"));
        video(XSS, Map.of("camera", "right", "region", "<b>süd</b>"));
        video(BETA, Map.of("camera", "right", "region", "north"));
        video(UNICODE, Map.of("camera", "left", "region", "東京"));
        video(GAMMA, Map.of("camera", "top"));
        Lease a = claim(ALPHA, 1000);
        ledger.complete(a, 1000);
        Lease x = claim(XSS, 1000);
        ledger.fail(x, 200, XSS_REASON, true);
        Lease b = claim(BETA, 1000);
        ledger.fail(b, 600, BETA_REASON, true);
        running = claim(UNICODE, 400);
        Instant now = Instant.now();
        ledger.jobRecords().recordAdopted(RUN, OptionalLong.empty(), List.of("4711", "4712"), now.minus(Duration.ofHours(2)));
        ledger.jobRecords().recordState(new JobStatus("4711", "juggler-worker", JobState.RUNNING, "RUNNING", Optional.empty(),
                OptionalInt.empty()), now.minus(Duration.ofHours(1)));
        ledger.jobRecords().settle(new JobStatus("4712", "juggler-worker", JobState.TIMEOUT, "TIMEOUT",
                Optional.of("TimeLimit"), OptionalInt.of(0)), now.minus(Duration.ofMinutes(30)));
        ledger.jobRecords().recordRunReport(new RunReport(RUN, now, 96, 33, 120_000_000_000L, 500_000_000_000L, 2,
                Optional.of(now.minus(Duration.ofMinutes(7))), now.plus(Duration.ofHours(1)), List.of(PROBLEM), List.of()));
    }

    private void video(String id, Map<String, String> tags) {
        ledger.registerVideo(new Video(id, "/videos/" + id + ".mp4", 1000, 25, 1_000_000, tags));
        tracks.put(id, ledger.addTrack(new TrackSpec(id, ANALYSIS, new dev.juggler.video.FrameRange(0, 1000), 0)));
    }

    /** Stages {@code videoId} (only it becomes claimable) and claims up to {@code frames} of it. */
    Lease claim(String videoId, long frames) {
        ledger.markStaged(videoId, "/ws/" + tracks.get(videoId));
        return ledger.claim(new ClaimRequest("worker-" + videoId.length(), Optional.of("job-" + tracks.get(videoId)), frames,
                Duration.ofHours(1), Optional.empty())).orElseThrow();
    }

    long track(String videoId) {
        return tracks.get(videoId);
    }

    @Override
    public void close() {
        ledger.close();
    }
}
