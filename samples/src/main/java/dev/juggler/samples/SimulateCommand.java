package dev.juggler.samples;

import ch.qos.logback.classic.Level;
import dev.juggler.jdbc.JdbcLedger;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.config.ConfigException;
import dev.juggler.samples.config.JugglerConfig;
import dev.juggler.samples.config.LoopConfig;
import dev.juggler.samples.config.SimulationModelFile;
import dev.juggler.samples.config.Units;
import dev.juggler.samples.config.WorkerConfig;
import dev.juggler.sim.CorpusModel;
import dev.juggler.sim.RunSettings;
import dev.juggler.sim.Simulation;
import dev.juggler.sim.SimulationConfig;
import dev.juggler.sim.SimulationReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code juggler simulate}: runs the deployment's config (the real juggler, workers and an embedded H2 ledger) in
 * simulated time against a cluster model, and writes a report and a chart; with {@code --sweep}, one run per
 * combination of the swept settings and a table of them.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Proves a run before it starts: the real juggler, workers and ledger in simulated time, against a "
                + "cluster model (nodes, availability, failures, maintenance, transfers, the corpus).",
                "Writes report.txt and chart.svg (and sweep.csv with --sweep) into --out. See docs/simulate.md."})
final class SimulateCommand implements Callable<Integer> {

    /** The settings {@code --sweep} can vary, and how each applies a value. */
    static final Map<String, BiFunction<RunSettings, String, RunSettings>> SWEEPABLE = sweepable();

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The deployment's YAML config (as for juggler run).")
    Path config;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "The cluster model (YAML).")
    Path model;

    @Option(names = {"-o", "--out"}, defaultValue = "simulation", paramLabel = "DIR",
            description = "Where the report and the chart go, default ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--sweep", paramLabel = "KEY=V1,V2,...", description = "Vary a setting: pollInterval, maxQueuedJobs, "
            + "workspaceBudget, targetChunk, checkpointInterval. Repeat for a grid.")
    List<String> sweeps = new ArrayList<>();

    @Option(names = "--sessions", paramLabel = "N", description = "Simulate only the first N sessions of the corpus (a quick try).")
    Integer sessions;

    @Option(names = "--seed", paramLabel = "N", description = "Random seed (default: the model's).")
    Long seed;

    @Option(names = "--ledger", defaultValue = "h2", paramLabel = "h2|config", description = "h2 (default): a fresh in-memory H2 "
            + "ledger per run; config: the config's PostgreSQL ledger, in a new schema of its own that is dropped afterwards.")
    String ledgerKind;

    @Option(names = "--verbose", description = "Show the juggler's and workers' warnings (many in a long run).")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        JugglerConfig cfg = JugglerConfig.load(config);
        SimulationModelFile file = SimulationModelFile.load(model);
        Map<String, List<String>> grid = parseSweeps();
        SimulationConfig base = file.simulation(runSettings(cfg));
        if (sessions != null) {
            if (sessions < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--sessions must be >= 1");
            }
            base = base.withCorpus(new CorpusModel(Math.min(sessions, base.corpus().sessions()), base.corpus().cameras()));
        }
        if (seed != null) {
            base = base.withSeed(seed);
        }
        Simulation.LedgerFactory ledgers = ledgerFactory(cfg);
        if (!verbose) {
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.juggler")).setLevel(Level.ERROR);
        }
        createOut();
        List<Map<String, String>> combinations = combinations(grid);
        List<String> rows = new ArrayList<>();
        AtomicInteger number = new AtomicInteger();
        SimulationReport last = null;
        for (Map<String, String> combination : combinations) {
            SimulationConfig sim = base;
            for (Map.Entry<String, String> e : combination.entrySet()) {
                sim = sim.withRun(SWEEPABLE.get(e.getKey()).apply(sim.run(), e.getValue()));
            }
            int n = number.incrementAndGet();
            String label = combination.isEmpty() ? "" : " " + combination;
            stdout.printf("simulating %d of %d%s: %d videos, %d frames%n", n, combinations.size(), label,
                    (long) sim.corpus().sessions() * sim.corpus().cameras().size(), sim.corpus().totalFrames());
            stdout.flush();
            SimulationReport report;
            try {
                report = Simulation.run(sim, ledgers, line -> {
                    stdout.println("  " + line);
                    stdout.flush();
                });
            } finally {
                if (ledgers instanceof SchemaPerRun perRun) {
                    perRun.dropLast().ifPresent(stdout::println);
                }
            }
            String suffix = combinations.size() == 1 ? "" : "-" + n;
            write(out.resolve("report" + suffix + ".txt"), (label.isEmpty() ? "" : "settings:" + label + "\n") + report.text());
            write(out.resolve("chart" + suffix + ".svg"), report.svg());
            stdout.print(report.text());
            stdout.flush();
            rows.add(csvRow(combination, report));
            last = report;
        }
        if (combinations.size() > 1) {
            List<String> header = new ArrayList<>(grid.keySet());
            header.addAll(List.of("finished", "makespan_days", "ideal_days", "makespan_vs_ideal", "useful_gpu", "redone",
                    "gpu_h_idle_staging", "gpu_h_idle_with_work", "peak_workspace_gb", "controller_calls_per_day",
                    "ledger_tx_per_day"));
            rows.add(0, String.join(",", header));
            write(out.resolve("sweep.csv"), String.join("\n", rows) + "\n");
            stdout.printf("sweep table: %s%n", out.resolve("sweep.csv"));
        }
        stdout.printf("report and chart in %s%n", out);
        stdout.flush();
        return last != null && last.finished() ? JugglerCli.OK : JugglerCli.FAILED;
    }

    /** The run's settings as the config gives them to the real juggler and workers. */
    static RunSettings runSettings(JugglerConfig cfg) {
        LoopConfig loop = cfg.juggler();
        WorkerConfig w = cfg.worker();
        return new RunSettings(w.analysis(), loop.pollInterval(), loop.maxQueuedJobs(), loop.maxActiveJobs(), w.framesPerWorker(),
                loop.parallelStaging(), cfg.workspace().budgetBytes(), w.safetyMargin(), w.lease(), w.initialChunk(), w.maxChunk(),
                w.targetChunk(), w.checkpointFrames(), w.checkpointInterval());
    }

    private static final AtomicInteger LEDGERS = new AtomicInteger();

    private Simulation.LedgerFactory ledgerFactory(JugglerConfig cfg) {
        switch (ledgerKind) {
            case "h2":
                return SimulateCommand::embeddedLedger;
            case "config":
                if (cfg.ledger().isH2()) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--ledger config: the config's ledger is H2 ("
                            + cfg.ledger().url() + "); the simulation never writes into a deployment's H2 file, and the default"
                            + " --ledger h2 is the same engine in memory");
                }
                return new SchemaPerRun(cfg.ledger());
            default:
                throw new CommandLine.ParameterException(spec.commandLine(), "--ledger " + ledgerKind + ": write h2 or config");
        }
    }

    /** A fresh embedded ledger per run, in memory: the simulation never touches the deployment's ledger. */
    private static WorkLedger embeddedLedger(java.time.Clock clock) {
        return JdbcLedger.builder().url("jdbc:h2:mem:juggler-sim-" + LEDGERS.incrementAndGet() + ";DB_CLOSE_DELAY=0")
                .clock(clock).build();
    }

    /**
     * The config's PostgreSQL ledger, each run in a schema of its own ({@code juggler_sim_<time>_<n>}), dropped when
     * the run ends: the deployment's tables are never read or written.
     */
    static final class SchemaPerRun implements Simulation.LedgerFactory {
        private final dev.juggler.samples.config.LedgerConfig config;
        private final String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now());
        private volatile String last;

        SchemaPerRun(dev.juggler.samples.config.LedgerConfig config) {
            this.config = config;
            // Ctrl-C or a kill during a long sweep: the schema of the run under way is dropped on the way out too.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> dropLast().ifPresent(System.err::println), "drop-simulation-schema"));
        }

        @Override
        public WorkLedger open(java.time.Clock clock) {
            last = "juggler_sim_" + stamp + "_" + LEDGERS.incrementAndGet();
            return config.builder().schema(last).clock(clock).build();
        }

        /** Drops the schema of the last run (its tables go with it); says so if that failed. */
        synchronized java.util.Optional<String> dropLast() {
            String schema = last;
            last = null;
            if (schema == null) {
                return java.util.Optional.empty();
            }
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(config.url(), config.user().orElse(null),
                    config.password().orElse(null)); java.sql.Statement drop = c.createStatement()) {
                drop.execute("SET lock_timeout = '10s'"); // a run still under way holds locks: do not wait for ever
                drop.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                return java.util.Optional.empty();
            } catch (java.sql.SQLException e) {
                return java.util.Optional.of("warning: the simulation's schema " + schema + " could not be dropped (SQLState "
                        + e.getSQLState() + "); drop it by hand: DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private Map<String, List<String>> parseSweeps() {
        Map<String, List<String>> grid = new LinkedHashMap<>();
        for (String sweep : sweeps) {
            int eq = sweep.indexOf('=');
            String key = eq < 0 ? sweep : sweep.substring(0, eq).trim();
            if (eq < 0 || !SWEEPABLE.containsKey(key)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--sweep " + sweep + ": write KEY=V1,V2,... with KEY one of "
                        + String.join(", ", SWEEPABLE.keySet()));
            }
            List<String> values = List.of(sweep.substring(eq + 1).split(",")).stream().map(String::trim).filter(v -> !v.isEmpty()).toList();
            if (values.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--sweep " + sweep + ": give at least one value");
            }
            for (String value : values) { // fail before hours of simulation, not in the middle
                try {
                    SWEEPABLE.get(key).apply(RunSettings.defaults("check", 1_000_000_000_000L), value);
                } catch (RuntimeException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--sweep " + key + "=" + value + ": " + e.getMessage());
                }
            }
            grid.put(key, values);
        }
        return grid;
    }

    private static List<Map<String, String>> combinations(Map<String, List<String>> grid) {
        List<Map<String, String>> all = new ArrayList<>();
        all.add(new LinkedHashMap<>());
        for (Map.Entry<String, List<String>> axis : grid.entrySet()) {
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> partial : all) {
                for (String value : axis.getValue()) {
                    Map<String, String> more = new LinkedHashMap<>(partial);
                    more.put(axis.getKey(), value);
                    next.add(more);
                }
            }
            all = next;
        }
        return all;
    }

    private static Map<String, BiFunction<RunSettings, String, RunSettings>> sweepable() {
        Map<String, BiFunction<RunSettings, String, RunSettings>> m = new LinkedHashMap<>();
        m.put("pollInterval", (r, v) -> r.withPollInterval(Units.parseDuration(v)));
        m.put("maxQueuedJobs", (r, v) -> r.withMaxQueuedJobs(Integer.parseInt(v)));
        m.put("workspaceBudget", (r, v) -> r.withWorkspaceBudget(Units.parseSize(v)));
        m.put("targetChunk", (r, v) -> r.withChunkPolicy(Units.parseDuration(v), r.maxChunk()));
        m.put("checkpointInterval", (r, v) -> new RunSettings(r.analysis(), r.pollInterval(), r.maxQueuedJobs(), r.maxActiveJobs(),
                r.framesPerWorker(), r.parallelStaging(), r.workspaceBudget(), r.safetyMargin(), r.lease(), r.initialChunk(), r.maxChunk(),
                r.targetChunk(), r.checkpointFrames(), Units.parseDuration(v)));
        return m;
    }

    private static String csvRow(Map<String, String> combination, SimulationReport r) {
        List<String> cells = new ArrayList<>(combination.values());
        cells.add(Boolean.toString(r.finished()));
        cells.add(String.format(Locale.ROOT, "%.3f", r.makespan().toMillis() / 86_400_000.0));
        cells.add(String.format(Locale.ROOT, "%.3f", r.idealMakespan().toMillis() / 86_400_000.0));
        cells.add(String.format(Locale.ROOT, "%.4f", r.makespanVsIdeal()));
        cells.add(String.format(Locale.ROOT, "%.4f", r.usefulGpuShare()));
        cells.add(String.format(Locale.ROOT, "%.5f", r.redoneShare()));
        cells.add(String.format(Locale.ROOT, "%.1f", r.gpuHoursIdleWaitingForStaging()));
        cells.add(String.format(Locale.ROOT, "%.1f", r.gpuHoursIdleWithWork()));
        cells.add(String.format(Locale.ROOT, "%.1f", r.peakWorkspaceBytes() / 1e9));
        cells.add(String.format(Locale.ROOT, "%.1f", r.controllerCallsPerDay()));
        cells.add(String.format(Locale.ROOT, "%.0f", r.ledgerTransactionsPerDay()));
        return String.join(",", cells);
    }

    private void createOut() {
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new ConfigException(new dev.juggler.samples.config.ConfigProblem(out.toString(), 0, 0, "--out",
                    "cannot be created (" + e.getClass().getSimpleName() + ")"));
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
