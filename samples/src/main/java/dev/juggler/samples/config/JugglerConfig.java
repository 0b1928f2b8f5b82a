package dev.juggler.samples.config;

import dev.juggler.jdbc.JdbcLedger;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One deployment, read from one YAML file: the ledger, the cluster, the workspace, the worker, the control
 * loop, the videos, the console and the cleaning of finished tracks. See {@code docs/config.md} for every key.
 *
 * <p>Reading checks everything at once and throws one {@link ConfigException} that lists every problem with
 * its line, column and key. Defaults are filled in, so every field holds the value that will be used;
 * {@link #effectiveYaml()} shows them. No secret is read while parsing: the ledger password is read from the
 * environment or its file only by {@link #ledgerBuilder()}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param source the config file (or the name given to {@link #parse})
 * @param baseDir the folder relative paths were resolved against
 * @param ledger {@code ledger:}
 * @param cluster {@code cluster:}
 * @param workspace {@code workspace:}
 * @param worker {@code worker:}
 * @param juggler {@code juggler:}
 * @param videos {@code videos:}
 * @param console {@code console:}
 * @param clean {@code clean:}
 */
public record JugglerConfig(String source, Path baseDir, LedgerConfig ledger, ClusterConfig cluster,
        WorkspaceConfig workspace, WorkerConfig worker, LoopConfig juggler, List<VideoSourceConfig> videos,
        ConsoleConfig console, CleanConfig clean) {

    /** The config format version this code reads ({@code version:}, optional). */
    public static final int VERSION = 1;

    public JugglerConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(baseDir, "baseDir");
        Objects.requireNonNull(ledger, "ledger");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(worker, "worker");
        Objects.requireNonNull(juggler, "juggler");
        videos = List.copyOf(videos);
        Objects.requireNonNull(console, "console");
        Objects.requireNonNull(clean, "clean");
    }

    /**
     * Reads a config file; relative paths resolve against its folder.
     *
     * @throws ConfigException listing every problem (also when the file cannot be read)
     */
    public static JugglerConfig load(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        String text;
        try {
            text = Files.readString(absolute, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            throw new ConfigException(new ConfigProblem(file.toString(), 0, 0, "", "is not UTF-8 text"));
        } catch (IOException e) {
            throw new ConfigException(new ConfigProblem(file.toString(), 0, 0, "", "cannot be read ("
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getClass().getSimpleName())
                    + "); give the path of a YAML config, e.g. samples/examples/local.yaml"));
        }
        return parse(text, absolute.getParent(), file.toString());
    }

    /**
     * Parses config text.
     *
     * @param yaml the YAML text
     * @param baseDir the folder that relative paths resolve against
     * @param sourceName the name shown in problems (usually the file name)
     * @throws ConfigException listing every problem
     */
    public static JugglerConfig parse(String yaml, Path baseDir, String sourceName) {
        return parse(yaml, baseDir, sourceName, System.getenv());
    }

    static JugglerConfig parse(String yaml, Path baseDir, String sourceName, Map<String, String> env) {
        Problems problems = new Problems(sourceName);
        YamlTree.MapNode root = YamlTree.parse(yaml, problems);
        problems.throwIfAny();
        ConfigContext context = new ConfigContext(baseDir.toAbsolutePath().normalize(), env);
        Section top = new Section(problems, context, "", root, YamlTree.Loc.START);
        top.integer("version", VERSION, VERSION, VERSION);
        Section ledgerSection = top.section("ledger");
        if (!ledgerSection.present()) {
            top.error("ledger", "section is required: ledger: {url: jdbc:h2:file:ledger/juggler} or a PostgreSQL URL");
        }
        LedgerConfig ledger = LedgerConfig.read(ledgerSection);
        ClusterConfig cluster = ClusterSection.read(top.section("cluster"), ledger);
        WorkspaceConfig workspace = WorkspaceConfig.read(top.section("workspace"), cluster);
        Section workerSection = top.section("worker");
        WorkerConfig worker = WorkerConfig.read(workerSection, cluster instanceof ClusterConfig.Local);
        LoopConfig loop = LoopConfig.read(top.section("juggler"));
        List<VideoSourceConfig> videos = VideoSourceConfig.readAll(top, worker.analysis());
        ConsoleConfig console = ConsoleConfig.read(top.section("console"));
        CleanConfig clean = CleanConfig.read(top.section("clean"));
        top.finish();
        problems.throwIfAny();
        return new JugglerConfig(sourceName, context.baseDir(), ledger, cluster, workspace, worker, loop, videos, console, clean);
    }

    /**
     * The whole config as YAML with every default filled in and paths made absolute; it parses back to an
     * equal config. The password is never included: {@code password: (from env NAME)} or
     * {@code password: (hidden, from FILE)} stands in its place.
     */
    public String effectiveYaml() {
        return EffectiveYaml.write(this);
    }

    /**
     * A ledger builder with every {@code ledger:} setting, the password read now from its variable or file.
     *
     * @throws ConfigException if the password cannot be read (names the variable or file, never the password)
     */
    public JdbcLedger.Builder ledgerBuilder() {
        return ledger.builder();
    }

    /** The {@code videos:} sources as a scanner. */
    public VideoSources videoSources() {
        return new VideoSources(videos);
    }

    @Override
    public String toString() {
        return "JugglerConfig[" + source + ", " + ledger + ", cluster=" + cluster.type() + ", workspace="
                + workspace.type().key() + ", analysis=" + worker.analysis() + ", " + videos.size() + " video source(s)]";
    }
}
