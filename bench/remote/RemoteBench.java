import dev.juggler.inference.openpose.OpenPoseJson;
import dev.juggler.inference.pose.BlazePoseModel;
import dev.juggler.inference.pose.PoseFrame;
import dev.juggler.inference.pose.PoseModels;
import dev.juggler.inference.pose.RemoteBlazePose;
import dev.juggler.inference.remote.client.RemoteAccelerator;
import dev.juggler.inference.video.FfmpegFrameSources;
import dev.juggler.ledger.FrameResult;
import dev.juggler.pipeline.BoundedFramePipeline;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameSource;
import dev.juggler.pipeline.FrameSourceFactory;
import dev.juggler.pipeline.PipelineReport;
import dev.juggler.pipeline.PipelineRequest;
import dev.juggler.pipeline.PixelFormat;
import dev.juggler.accel.Accelerator;
import dev.juggler.video.FrameRange;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * bench/remote.sh's measurements, in one run on this machine (see that script for what each number means):
 * BlazePose (2x2 tiles) through the frame pipeline in process, then with the landmark model on `juggler serve`
 * processes over loopback; one server vs two; a failover run that kills one of two servers; and 100 calls
 * on one endpoint, counting the TCP connections they opened (from /proc/net/tcp*).
 */
public final class RemoteBench {

    private static final int COLUMNS = 2;
    private static final int ROWS = 2;
    private static final int BATCH = Integer.getInteger("bench.batch", 4);
    private static final int IN_FLIGHT = Integer.getInteger("bench.inFlight", 3);

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(arg(args, "--jar", "samples/target/juggler.jar"));
        Path video = Path.of(arg(args, "--video", "/usr/share/doc/opencv-doc/examples/data/vtest.avi"));
        int frames = Integer.parseInt(arg(args, "--frames", "400"));
        Path out = Path.of(arg(args, "--out", "docs/benchmarks.md"));
        Path work = Files.createDirectories(Path.of(arg(args, "--work", "target/bench-remote")));
        Path model = PoseModels.system().locate(PoseModels.Variant.LITE, null);
        int cores = Runtime.getRuntime().availableProcessors();
        System.err.printf("remote bench: %d frames of %s, BlazePose lite on %dx%d tiles, %d cores%n", frames, video, COLUMNS, ROWS, cores);

        // warm-up: the first runs of a JVM pay for JIT compilation and page faults
        int warmUp = Math.min(frames, 150);
        local(model, video, warmUp);
        Run local = local(model, video, frames);
        System.err.printf("local, 2 interpreters: %.1f frames/s, %.1f ms CPU per frame%n", local.fps, local.clientCpuMs);

        Run remote;
        double serverCpuPerFrame;
        int connections;
        String breakdown;
        try (Server a = Server.start(jar, model, 2, work.resolve("serve-a.log"))) {
            run(List.of(a.url), video, warmUp, null, null);
            RemoteAccelerator<?, ?>[] holder = new RemoteAccelerator<?, ?>[1];
            double serverCpu = processCpuMs(a.process);
            remote = run(List.of(a.url), video, frames, holder, null);
            serverCpuPerFrame = (processCpuMs(a.process) - serverCpu) / frames;
            breakdown = RemoteAccelerator.describe(holder[0].timings());
            System.err.printf("remote, one server with 2 interpreters: %.1f frames/s (%s); CPU per frame: client %.1f ms, "
                    + "server %.1f ms%n", remote.fps, breakdown, remote.clientCpuMs, serverCpuPerFrame);
            connections = connectionsFor100Calls(a, video);
            System.err.printf("100 calls on one endpoint used %d TCP connection(s)%n", connections);
        }

        Run one;
        Run two;
        Run failover;
        try (Server a = Server.start(jar, model, 1, work.resolve("serve-1a.log"));
                Server b = Server.start(jar, model, 1, work.resolve("serve-1b.log"))) {
            run(List.of(a.url, b.url), video, warmUp, null, null);
            one = run(List.of(a.url), video, frames, null, null);
            two = run(List.of(a.url, b.url), video, frames, null, null);
            System.err.printf("one server, 1 interpreter: %.1f frames/s; two servers: %.1f frames/s%n", one.fps, two.fps);
            int killAt = frames / 3;
            failover = run(List.of(a.url, b.url), video, frames, null, delivered -> {
                if (delivered == killAt) {
                    b.kill();
                    System.err.printf("killed the second server after %d frames%n", killAt);
                }
            });
            System.err.printf("failover: %d frames delivered, %d lost, %d duplicated, %d differ from the run without failover%n",
                    failover.results, failover.lost, failover.duplicated, differences(two, failover));
        }

        long lost = remote.lost + one.lost + two.lost + failover.lost;
        long duplicated = remote.duplicated + one.duplicated + two.duplicated + failover.duplicated;
        int differ = differences(two, failover);
        double remoteVsLocal = remote.fps / local.fps;
        double twoVsOne = two.fps / one.fps;
        String result = String.format(Locale.ROOT,
                "RESULT remote remote_vs_local=%.2f two_vs_one=%.2f lost=%d duplicated=%d connections_per_100=%d",
                remoteVsLocal, twoVsOne, lost, duplicated, connections);
        String section = String.format(Locale.ROOT, """

                ## remote (%s)

                `bash bench/remote.sh`: BlazePose lite on %dx%d tiles over the first %d frames of vtest.avi through the frame
                pipeline, on this %d-core machine. Local: the model in process (2 interpreters). Remote: frames decoded and
                letterboxed in the benchmark's process, the landmark model in `juggler serve` processes on 127.0.0.1
                (binary tensors, the crops as bytes, batches of %d frames, %d calls in flight per server, as `juggler worker
                --remote` sends them). CPU per frame is the processes' own CPU time (client: this process; server: /proc).

                | run | frames/s | CPU ms per frame |
                |---|---|---|
                | local, 2 interpreters | %.1f | %.1f |
                | one `juggler serve` with 2 interpreters | %.1f | client %.1f + server %.1f |
                | one server with 1 interpreter | %.1f | |
                | two servers with 1 interpreter each | %.1f | |

                - remote vs local: %.2f (goal >= 0.8). Per frame of the remote run: %s. The client and the server share the
                  same cores here, so the ratio is that of the CPU per frame: the model costs the server about what it
                  costs in process, the rest is the client's HTTP work and the two processes contending for the cores.
                  A real deployment puts the server on another machine's GPU.
                - two servers vs one: %.2f. Both servers, the decoder and the letterboxing share the same %d cores, so
                  the second server can add at most the core the first one leaves idle, minus the client's own work.
                - failover: the second of two servers killed after %d frames; %d frames delivered, lost %d, duplicated %d;
                  frames whose JSON differs from the run without failover: %d. Frames with another number of people
                  than in process: %d of %d (the crops travel as bytes, rounding the model's input by at most half a
                  grey level; see docs/remote-inference.md).
                - 100 sequential calls to one endpoint opened %d TCP connection(s) (HTTP/1.1 keep-alive).

                %s
                """, LocalDate.now(), COLUMNS, ROWS, frames, cores, BATCH, IN_FLIGHT, local.fps, local.clientCpuMs, remote.fps,
                remote.clientCpuMs, serverCpuPerFrame, one.fps, two.fps, remoteVsLocal, breakdown, twoVsOne, cores, frames / 3,
                failover.results, failover.lost, failover.duplicated, differences(two, failover), peopleCountDifferences(local, remote), frames,
                connections, result);
        Files.writeString(out, section, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (differ > 0) {
            System.err.println("warning: " + differ + " frames differ between two runs on the same servers");
        }
        System.out.println(result);
    }

    private record Run(double fps, long results, long lost, long duplicated, List<String> payloads, double clientCpuMs) {
    }

    /** CPU time of this process so far, in ms. */
    private static double processCpuMs() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e6;
    }

    /** CPU time of another process so far, in ms, from /proc (utime + stime, in clock ticks of 10 ms). */
    private static double processCpuMs(Process p) {
        try {
            String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10.0;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static int differences(Run a, Run b) {
        int n = 0;
        for (int i = 0; i < Math.min(a.payloads.size(), b.payloads.size()); i++) {
            if (!a.payloads.get(i).equals(b.payloads.get(i))) {
                n++;
            }
        }
        return n + Math.abs(a.payloads.size() - b.payloads.size());
    }

    /** Frames whose number of people differs between two runs. */
    private static int peopleCountDifferences(Run a, Run b) {
        int n = 0;
        for (int i = 0; i < Math.min(a.payloads.size(), b.payloads.size()); i++) {
            String frame = "frame " + i;
            if (OpenPoseJson.read(a.payloads.get(i), frame).people().size() != OpenPoseJson.read(b.payloads.get(i), frame).people().size()) {
                n++;
            }
        }
        return n + Math.abs(a.payloads.size() - b.payloads.size());
    }

    private static FrameSourceFactory frames() {
        return FfmpegFrameSources.builder().pixelFormat(PixelFormat.I420).build();
    }

    private static Run local(Path model, Path video, int frames) {
        BlazePoseModel pose = BlazePoseModel.builder(model).tiles(COLUMNS, ROWS).interpreters(2).build();
        return pipeline(pose, pose::preprocess, 2, video, frames, null);
    }

    private static Run run(List<URI> servers, Path video, int frames, RemoteAccelerator<?, ?>[] keep,
            java.util.function.IntConsumer onDelivered) {
        RemoteBlazePose mapping = RemoteBlazePose.of(COLUMNS, ROWS, BlazePoseModel.DEFAULT_TILE_OVERLAP,
                BlazePoseModel.DEFAULT_MIN_POSE_SCORE);
        RemoteAccelerator.Builder<BlazePoseModel.Input, PoseFrame> b = RemoteAccelerator.builder("blazepose", mapping)
                .maxBatchSize(BATCH).maxInFlight(IN_FLIGHT).requestTimeout(Duration.ofSeconds(20));
        servers.forEach(b::endpoint);
        RemoteAccelerator<BlazePoseModel.Input, PoseFrame> remote = b.build();
        if (keep != null) {
            keep[0] = remote;
        }
        return pipeline(remote, mapping::preprocess, IN_FLIGHT * servers.size(), video, frames, onDelivered);
    }

    private static <I> Run pipeline(Accelerator<I, PoseFrame> model, Function<Frame, I> preprocess, int threads, Path video,
            int frames, java.util.function.IntConsumer onDelivered) {
        ConcurrentLinkedQueue<FrameResult> results = new ConcurrentLinkedQueue<>();
        AtomicInteger delivered = new AtomicInteger();
        double cpuStart = processCpuMs();
        long start = System.nanoTime();
        PipelineReport report;
        try (BoundedFramePipeline<I, PoseFrame> pipeline = BoundedFramePipeline
                .builder(frames(), preprocess, model, (info, pose) -> OpenPoseJson.toJson(pose))
                .inferenceThreads(threads).recycleFrames(true).closeAcceleratorOnClose(true).build()) {
            report = pipeline.run(PipelineRequest.simple(1, video.toString(), FrameRange.of(0, frames), r -> {
                results.add(r);
                if (onDelivered != null) {
                    onDelivered.accept(delivered.incrementAndGet());
                }
            }));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpu = processCpuMs() - cpuStart;
        if (!report.isComplete()) {
            System.err.println("incomplete run: " + report);
        }
        Set<Long> distinct = new HashSet<>();
        List<String> payloads = new ArrayList<>();
        for (FrameResult r : results) {
            distinct.add(r.frame());
        }
        results.stream().sorted(java.util.Comparator.comparingLong(FrameResult::frame)).forEach(r -> payloads.add(r.payload()));
        return new Run(frames / seconds, results.size(), frames - distinct.size(), results.size() - distinct.size(), payloads,
                cpu / frames);
    }

    /** 100 one-frame calls on a fresh client; the distinct local ports this process used towards the server. */
    private static int connectionsFor100Calls(Server server, Path video) throws IOException {
        RemoteBlazePose mapping = RemoteBlazePose.of(1, 1, 0f, 0.5f);
        Set<String> earlier = localPortsTo(server.port); // kept alive by the clients of the runs before
        Set<String> ports = new HashSet<>();
        try (RemoteAccelerator<BlazePoseModel.Input, PoseFrame> client = RemoteAccelerator.builder("blazepose", mapping)
                .endpoint(server.url).build();
                FrameSource source = frames().open(video.toString(), FrameRange.of(0, 100))) {
            Frame frame;
            while ((frame = source.next()) != null) {
                BlazePoseModel.Input input = mapping.preprocess(frame);
                source.recycle(frame);
                client.infer(List.of(input));
                ports.addAll(localPortsTo(server.port));
            }
        }
        ports.removeAll(earlier);
        return ports.size();
    }

    private static Set<String> localPortsTo(int port) throws IOException {
        Set<String> ports = new HashSet<>();
        String hex = String.format("%04X", port);
        for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(file);
            if (!Files.exists(p)) {
                continue;
            }
            for (String line : Files.readAllLines(p)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[2].endsWith(":" + hex) && f[3].equals("01")) {
                    ports.add(f[1]);
                }
            }
        }
        return ports;
    }

    private static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    /** A `juggler serve` process on a free loopback port. */
    private static final class Server implements AutoCloseable {
        final Process process;
        final int port;
        final URI url;

        private Server(Process process, int port) {
            this.process = process;
            this.port = port;
            this.url = URI.create("http://127.0.0.1:" + port);
        }

        static Server start(Path jar, Path model, int threads, Path log) throws Exception {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            List<String> command = new ArrayList<>(List.of("java"));
            String jvm = System.getProperty("bench.serverJvm", "");
            if (!jvm.isBlank()) {
                command.addAll(List.of(jvm.replace("PORT", Integer.toString(port)).split(" ")));
            }
            command.addAll(List.of("-jar", jar.toString(), "serve", "--model", model.toString(),
                    "--bind", "127.0.0.1:" + port, "--threads", Integer.toString(threads), "--interpreter-threads", "1",
                    "--max-batch", Integer.toString(BATCH * COLUMNS * ROWS)));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Server server = new Server(p, port);
            HttpClient http = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("juggler serve exited: " + Files.readString(log));
                }
                try {
                    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(server.url + "/v2/health/ready")).build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) {
                        return server;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(100);
            }
            server.close();
            throw new IllegalStateException("juggler serve did not become ready in 60 s: " + Files.readString(log));
        }

        void kill() {
            process.destroyForcibly();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
