package dev.juggler.samples.config;

import dev.juggler.InvalidConfigException;
import dev.juggler.sim.ClusterModel;
import dev.juggler.sim.CorpusModel;
import dev.juggler.sim.RunSettings;
import dev.juggler.sim.SimulationConfig;
import dev.juggler.sim.StagerModel;
import dev.juggler.sim.WorkerModel;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster model of {@code juggler simulate}, read from one YAML file (see {@code docs/simulate.md}): the
 * sections {@code cluster}, {@code workers}, {@code stager}, {@code corpus} and {@code simulation}. Reading checks
 * everything and throws one {@link ConfigException} listing every problem with its line. Immutable and thread-safe.
 *
 * @param cluster the batch cluster
 * @param workers worker speed and failures
 * @param stager the transfers
 * @param corpus the videos
 * @param frameQuantum frames per ledger block
 * @param seed the random seed
 * @param horizon simulated time after which the run is cut off
 * @param sampleInterval time between chart samples
 */
public record SimulationModelFile(ClusterModel cluster, WorkerModel workers, StagerModel stager, CorpusModel corpus,
        long frameQuantum, long seed, Duration horizon, Duration sampleInterval) {

    /** Reads a model file; a trace file named in it resolves against the file's folder. */
    public static SimulationModelFile load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            throw new ConfigException(new ConfigProblem(file.toString(), 0, 0, "", "is not UTF-8 text"));
        } catch (IOException e) {
            throw new ConfigException(new ConfigProblem(file.toString(), 0, 0, "", "cannot be read ("
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getClass().getSimpleName())
                    + "); give a cluster model, e.g. samples/examples/simulate/reference-model.yaml"));
        }
        Path base = file.toAbsolutePath().normalize().getParent();
        return parse(text, base, file.toString());
    }

    /** Parses model text. */
    public static SimulationModelFile parse(String yaml, Path baseDir, String sourceName) {
        Problems problems = new Problems(sourceName);
        YamlTree.MapNode root = YamlTree.parse(yaml, problems);
        problems.throwIfAny();
        Section top = new Section(problems, new ConfigContext(baseDir, Map.of()), "", root, YamlTree.Loc.START);
        SimulationModelFile model = null;
        try {
            ClusterModel cluster = cluster(top.section("cluster"), baseDir);
            WorkerModel workers = workers(top.section("workers"));
            StagerModel stager = stager(top.section("stager"));
            CorpusModel corpus = corpus(top.section("corpus"));
            Section sim = top.section("simulation");
            long quantum = sim.integer("frameQuantum", 100L, 1, 100_000);
            long seed = sim.integer("seed", 1L, Long.MIN_VALUE, Long.MAX_VALUE);
            Duration horizon = sim.duration("horizon", Duration.ofDays(3 * 365), Duration.ofHours(1));
            Duration sample = sim.duration("sampleInterval", Duration.ofHours(1), Duration.ofSeconds(1));
            sim.finish();
            top.finish();
            problems.throwIfAny();
            model = new SimulationModelFile(cluster, workers, stager, corpus, quantum, seed, horizon, sample);
        } catch (InvalidConfigException e) {
            problems.add(YamlTree.Loc.START, "", e.getMessage());
        }
        problems.throwIfAny();
        return model;
    }

    /** The simulation of {@code run} on this model. */
    public SimulationConfig simulation(RunSettings run) {
        return new SimulationConfig(cluster, workers, stager, corpus, run, frameQuantum, seed, horizon, sampleInterval,
                SimulationConfig.DEFAULT_START);
    }

    private static ClusterModel cluster(Section c, Path baseDir) {
        requirePresent(c, "cluster: {nodes: 54, gpusPerNode: 2, availability: {mean: 30, min: 15, max: 54}}");
        int nodes = c.integer("nodes", 1, 1, 1_000_000);
        int gpus = c.integer("gpusPerNode", 1, 1, 64);
        Section a = c.section("availability");
        List<ClusterModel.TracePoint> trace = new ArrayList<>();
        for (Section point : a.sections("trace")) {
            trace.add(new ClusterModel.TracePoint(point.duration("at", Duration.ZERO, Duration.ZERO),
                    point.integer("nodes", 0, 0, nodes)));
            point.finish();
        }
        if (a.has("traceFile")) {
            trace.addAll(readTrace(a, baseDir.resolve(a.string("traceFile", ""))));
        }
        int mean = a.integer("mean", nodes, 0, nodes);
        ClusterModel.Availability availability = new ClusterModel.Availability(mean, a.integer("min", Math.min(mean, nodes), 0, nodes),
                a.integer("max", nodes, 1, nodes), a.duration("step", Duration.ofHours(1), Duration.ofSeconds(1)),
                a.number("volatility", 0, 0, 1_000_000), trace);
        a.finish();
        List<ClusterModel.Maintenance> maintenance = new ArrayList<>();
        for (Section m : c.sections("maintenance")) {
            maintenance.add(new ClusterModel.Maintenance(m.duration("start", Duration.ZERO, Duration.ZERO),
                    m.duration("length", Duration.ofHours(1), Duration.ofSeconds(1)), m.duration("every", Duration.ZERO, Duration.ZERO)));
            m.finish();
        }
        ClusterModel model = new ClusterModel(nodes, gpus, availability, c.duration("queueWait", Duration.ofMinutes(2), Duration.ZERO),
                c.duration("timeLimit", Duration.ofHours(12), Duration.ofMinutes(1)), c.duration("killGrace", Duration.ofSeconds(30), Duration.ZERO),
                c.number("nodeFailuresPerNodeDay", 0, 0, 24), c.bool("preemptOnShrink", true), maintenance,
                c.duration("endedJobsVisibleFor", Duration.ofDays(1), Duration.ofSeconds(1)));
        c.finish();
        return model;
    }

    /** A CSV of {@code hours,nodes} lines (a header line and {@code #} comments are skipped). */
    private static List<ClusterModel.TracePoint> readTrace(Section a, Path file) {
        List<ClusterModel.TracePoint> points = new ArrayList<>();
        try {
            int lineNo = 0;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                lineNo++;
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#") || (lineNo == 1 && !Character.isDigit(t.charAt(0)))) {
                    continue;
                }
                String[] parts = t.split("\\s*,\\s*");
                try {
                    double hours = Double.parseDouble(parts[0]);
                    int nodes = Integer.parseInt(parts[1]);
                    points.add(new ClusterModel.TracePoint(Duration.ofMillis(Math.round(hours * 3_600_000)), nodes));
                } catch (RuntimeException e) {
                    a.error("traceFile", file + " line " + lineNo + ": " + Section.show(line) + " is not 'hours,nodes'");
                    return List.of();
                }
            }
        } catch (IOException e) {
            a.error("traceFile", file + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        return points;
    }

    private static WorkerModel workers(Section w) {
        requirePresent(w, "workers: {framesPerSecond: {normal: 2.3}}");
        Section rates = w.section("framesPerSecond");
        Map<String, Double> perClass = new LinkedHashMap<>();
        for (String key : rates.keys()) {
            perClass.put(key, rates.number(key, 1, 1e-6, 1e9));
        }
        WorkerModel model = new WorkerModel(w.duration("startup", Duration.ofMinutes(1), Duration.ZERO),
                perClass.isEmpty() ? Map.of("normal", 1.0) : perClass, w.number("timeVariation", 0.1, 0, 2),
                w.number("crashesPerJobDay", 0, 0, 1000), w.number("damagedVideoShare", 0, 0, 1));
        if (perClass.isEmpty()) {
            w.error("framesPerSecond", "needs at least one speed class: frames a job (a node) does per second, e.g. {normal: 2.3}");
        }
        w.finish();
        return model;
    }

    private static StagerModel stager(Section s) {
        StagerModel model = new StagerModel(s.size("bandwidth", 100_000_000L, 1), s.number("failureShare", 0, 0, 0.99));
        s.finish();
        return model;
    }

    private static CorpusModel corpus(Section c) {
        requirePresent(c, "corpus: {sessions: 165, cameras: [{name: left, frames: 1000000, size: 2GB, speedClass: normal}]}");
        int sessions = c.integer("sessions", 1, 1, 10_000_000);
        List<CorpusModel.Camera> cameras = new ArrayList<>();
        for (Section cam : c.sections("cameras")) {
            cameras.add(new CorpusModel.Camera(cam.string("name", "camera" + cameras.size()), cam.integer("frames", 1L, 1, Long.MAX_VALUE),
                    cam.size("size", 1, 1), cam.string("speedClass", "normal")));
            cam.finish();
        }
        if (cameras.isEmpty()) {
            c.error("cameras", "needs at least one camera: [{name: left, frames: 1000000, size: 2GB, speedClass: normal}]");
            cameras.add(new CorpusModel.Camera("camera", 1, 1, "normal"));
        }
        c.finish();
        return new CorpusModel(sessions, cameras);
    }

    private static void requirePresent(Section s, String example) {
        if (!s.present()) {
            s.error("", "section is required, e.g. " + example);
        }
    }
}
