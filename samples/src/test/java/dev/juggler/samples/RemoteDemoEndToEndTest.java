package dev.juggler.samples;

import static dev.juggler.samples.TestServers.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.pose.BlazePoseServedModel;
import dev.juggler.inference.pose.PoseModels;
import dev.juggler.inference.remote.server.InferenceServer;
import dev.juggler.inference.video.SyntheticVideo;
import dev.juggler.samples.TestServers.CliRun;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's worker processes decode and letterbox, and the BlazePose landmark model runs on an inference
 * server (Juggler's, serving the real model over HTTP on loopback): every frame is analysed once, remotely.
 */
class RemoteDemoEndToEndTest {

    @TempDir
    Path temp;

    @Test
    void workersSendEveryFrameToTheInferenceServerOnce() throws Exception {
        Path videos = Files.createDirectories(temp.resolve("my videos"));
        SyntheticVideo.write(videos.resolve("walk one.mp4"), 320, 240, 90, 25);
        SyntheticVideo.write(videos.resolve("it's $(id) <b>.mp4"), 320, 240, 50, 25);
        Path model = PoseModels.system().locate(PoseModels.Variant.LITE, null);
        try (BlazePoseServedModel served = BlazePoseServedModel.open(Analyses.DEFAULT_REMOTE_MODEL, model, 1, 1, 32);
                InferenceServer server = InferenceServer.builder().model(served).bind("127.0.0.1:0").start()) {
            Path work = temp.resolve("work");
            CliRun run = cli("demo", "--videos", videos.toString(), "--work-dir", work.toString(), "--workers", "2",
                    "--chunk", "40", "--frames-per-worker", "100", "--no-progress", "--timeout", "PT5M",
                    "--analysis", Analyses.BLAZEPOSE, "--remote", server.url());
            assertEquals(0, run.code(), run.out());
            Path json = work.resolve("openpose-json");
            assertEquals(90, countFrames(json.resolve("walk one." + Analyses.BLAZEPOSE)));
            assertEquals(50, countFrames(json.resolve("it's $(id) <b>." + Analyses.BLAZEPOSE)));
            String stats = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(server.url() + "/v2/models/" + Analyses.DEFAULT_REMOTE_MODEL + "/stats")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher count = Pattern.compile("\"inference_count\":(\\d+)").matcher(stats);
            assertTrue(count.find(), stats);
            // one crop per frame (one pass per tile, 1x1), each inferred once
            assertEquals(140, Long.parseLong(count.group(1)), stats);
        }
    }

    private static long countFrames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertTrue(names.stream().allMatch(n -> n.endsWith("_keypoints.json")), names.toString());
            return names.size();
        }
    }
}
