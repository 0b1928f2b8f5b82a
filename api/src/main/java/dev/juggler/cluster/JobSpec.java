package dev.juggler.cluster;

import dev.juggler.InvalidConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What to run as one worker job: the command and the resources it needs. Backends translate it into
 * their own submission (a local process, an {@code sbatch} script). Immutable and thread-safe; build
 * with {@link #builder(String, List)}.
 *
 * <p>The command is a list of arguments, never a shell string: backends quote it for whatever shell
 * they go through.
 */
public final class JobSpec {

    /** Default time limit when none is given: 12 hours, the usual maximum of a cluster partition. */
    public static final Duration DEFAULT_TIME_LIMIT = Duration.ofHours(12);

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Map<String, String> secretEnvironment;
    private final List<String> prologue;
    private final Optional<String> workingDirectory;
    private final Optional<String> outputDirectory;
    private final Duration timeLimit;
    private final int cpus;
    private final OptionalInt memoryMegabytes;
    private final int gpus;
    private final Optional<String> partition;
    private final Optional<String> account;
    private final Optional<String> qos;
    private final List<String> wrapper;
    private final List<String> nativeOptions;

    private JobSpec(Builder b) {
        this.name = b.name;
        this.command = List.copyOf(b.command);
        this.environment = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.environment));
        this.secretEnvironment = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.secretEnvironment));
        this.prologue = List.copyOf(b.prologue);
        this.workingDirectory = Optional.ofNullable(b.workingDirectory);
        this.outputDirectory = Optional.ofNullable(b.outputDirectory);
        this.timeLimit = b.timeLimit;
        this.cpus = b.cpus;
        this.memoryMegabytes = b.memoryMegabytes == null ? OptionalInt.empty() : OptionalInt.of(b.memoryMegabytes);
        this.gpus = b.gpus;
        this.partition = Optional.ofNullable(b.partition);
        this.account = Optional.ofNullable(b.account);
        this.qos = Optional.ofNullable(b.qos);
        this.wrapper = List.copyOf(b.wrapper);
        this.nativeOptions = List.copyOf(b.nativeOptions);
    }

    /**
     * @param name the job name (letters, digits, {@code -_.}); backends use it to find their own jobs
     * @param command the worker command, one list element per argument
     */
    public static Builder builder(String name, List<String> command) {
        return new Builder(name, command);
    }

    /** A builder pre-filled with this spec's values. */
    public Builder toBuilder() {
        Builder b = new Builder(name, command);
        b.environment.putAll(environment);
        b.secretEnvironment.putAll(secretEnvironment);
        b.prologue.addAll(prologue);
        b.workingDirectory = workingDirectory.orElse(null);
        b.outputDirectory = outputDirectory.orElse(null);
        b.timeLimit = timeLimit;
        b.cpus = cpus;
        b.memoryMegabytes = memoryMegabytes.isPresent() ? memoryMegabytes.getAsInt() : null;
        b.gpus = gpus;
        b.partition = partition.orElse(null);
        b.account = account.orElse(null);
        b.qos = qos.orElse(null);
        b.wrapper.addAll(wrapper);
        b.nativeOptions.addAll(nativeOptions);
        return b;
    }

    public String name() { return name; }
    public List<String> command() { return command; }
    public Map<String, String> environment() { return environment; }

    /**
     * Variables the job needs but that must never be written where others can read them (a database
     * password): backends deliver them without putting their values into a job script, a command line or
     * a log. The SLURM backend writes them to a file only the user can read and the script sources it; the
     * local backend puts them into the process environment.
     */
    public Map<String, String> secretEnvironment() { return secretEnvironment; }

    /**
     * Shell lines run before the command, e.g. {@code module load java/17}. They are the operator's own
     * configuration and run as written (by {@code /bin/sh}); a line that fails ends the job.
     */
    public List<String> prologue() { return prologue; }
    public Optional<String> workingDirectory() { return workingDirectory; }
    /** Where the job's stdout/stderr files go (absolute); the backend's default when empty. */
    public Optional<String> outputDirectory() { return outputDirectory; }
    public Duration timeLimit() { return timeLimit; }
    public int cpus() { return cpus; }
    public OptionalInt memoryMegabytes() { return memoryMegabytes; }
    public int gpus() { return gpus; }
    public Optional<String> partition() { return partition; }
    public Optional<String> account() { return account; }
    public Optional<String> qos() { return qos; }
    /** A prefix put before the command, e.g. {@code apptainer exec image.sif}. */
    public List<String> wrapper() { return wrapper; }
    /** Extra backend-specific options passed through verbatim (e.g. {@code --constraint=a100}). */
    public List<String> nativeOptions() { return nativeOptions; }

    /** The wrapper followed by the command: what the job actually executes. */
    public List<String> fullCommand() {
        List<String> all = new ArrayList<>(wrapper);
        all.addAll(command);
        return all;
    }

    @Override
    public String toString() {
        // The environment may carry secrets (database passwords): show only its keys.
        return "JobSpec[name=" + name + ", command=" + fullCommand() + ", env=" + environment.keySet() + ", secretEnv="
                + secretEnvironment.keySet() + ", timeLimit=" + timeLimit + ", cpus=" + cpus + ", gpus=" + gpus + "]";
    }

    /** Builds a {@link JobSpec}, checking each value. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final List<String> command;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private final Map<String, String> secretEnvironment = new LinkedHashMap<>();
        private final List<String> prologue = new ArrayList<>();
        private String workingDirectory;
        private String outputDirectory;
        private Duration timeLimit = DEFAULT_TIME_LIMIT;
        private int cpus = 1;
        private Integer memoryMegabytes;
        private int gpus;
        private String partition;
        private String account;
        private String qos;
        private final List<String> wrapper = new ArrayList<>();
        private final List<String> nativeOptions = new ArrayList<>();

        private Builder(String name, List<String> command) {
            if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw InvalidConfigException.of("name", name, "1-64 characters from A-Z a-z 0-9 _ . -");
            }
            if (command == null || command.isEmpty()) {
                throw InvalidConfigException.of("command", command, "must name at least the program to run");
            }
            for (String arg : command) {
                if (arg == null) {
                    throw InvalidConfigException.of("command", command, "arguments must not be null");
                }
            }
            this.name = name;
            this.command = List.copyOf(command);
        }

        public Builder environment(String key, String value) {
            environment.put(variableName("environment key", key), InvalidConfigException.required(value, "environment value"));
            secretEnvironment.remove(key);
            return this;
        }

        /** A variable delivered as a secret (see {@link JobSpec#secretEnvironment()}). */
        public Builder secretEnvironment(String key, String value) {
            if (value == null) {
                throw InvalidConfigException.of("secretEnvironment value of " + key, null, "must not be null");
            }
            secretEnvironment.put(variableName("secretEnvironment key", key), value);
            environment.remove(key);
            return this;
        }

        /** Shell lines run before the command (see {@link JobSpec#prologue()}); replaces earlier ones. */
        public Builder prologue(List<String> lines) {
            for (String line : lines) {
                if (line == null || line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
                    throw InvalidConfigException.of("prologue", line, "one shell line per list element, without line breaks");
                }
            }
            prologue.clear();
            prologue.addAll(lines);
            return this;
        }

        private static String variableName(String field, String key) {
            if (key == null || !key.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw InvalidConfigException.of(field, key, "must be a shell variable name");
            }
            return key;
        }

        public Builder environment(Map<String, String> values) {
            values.forEach(this::environment);
            return this;
        }

        /** Where the job starts: an absolute path on the machine that runs it (the cluster's, not necessarily this one's). */
        public Builder workingDirectory(String clusterPath) {
            this.workingDirectory = absolute("workingDirectory", clusterPath);
            return this;
        }

        /** As {@link #workingDirectory(String)}, for a job on this machine (the local backend). */
        public Builder workingDirectory(Path dir) {
            return workingDirectory(dir == null ? null : dir.toString());
        }

        /** Where the job's output and log files go: an absolute path on the machine that runs it. */
        public Builder outputDirectory(String clusterPath) {
            this.outputDirectory = absolute("outputDirectory", clusterPath);
            return this;
        }

        /** As {@link #outputDirectory(String)}, for a job on this machine (the local backend). */
        public Builder outputDirectory(Path dir) {
            return outputDirectory(dir == null ? null : dir.toString());
        }

        public Builder timeLimit(Duration limit) {
            if (limit == null || limit.compareTo(Duration.ofMinutes(1)) < 0) {
                throw InvalidConfigException.of("timeLimit", limit, "must be at least 1 minute (batch systems count in minutes)");
            }
            this.timeLimit = limit;
            return this;
        }

        public Builder cpus(int n) {
            if (n < 1) {
                throw InvalidConfigException.of("cpus", n, "must be >= 1");
            }
            this.cpus = n;
            return this;
        }

        public Builder memoryMegabytes(int mb) {
            if (mb < 1) {
                throw InvalidConfigException.of("memoryMegabytes", mb, "must be >= 1");
            }
            this.memoryMegabytes = mb;
            return this;
        }

        public Builder gpus(int n) {
            if (n < 0) {
                throw InvalidConfigException.of("gpus", n, "must be >= 0");
            }
            this.gpus = n;
            return this;
        }

        public Builder partition(String value) {
            this.partition = word("partition", value);
            return this;
        }

        public Builder account(String value) {
            this.account = word("account", value);
            return this;
        }

        public Builder qos(String value) {
            this.qos = word("qos", value);
            return this;
        }

        public Builder wrapper(List<String> prefix) {
            wrapper.clear();
            wrapper.addAll(prefix);
            return this;
        }

        public Builder nativeOption(String option) {
            nativeOptions.add(InvalidConfigException.required(option, "nativeOption"));
            return this;
        }

        public JobSpec build() {
            return new JobSpec(this);
        }

        // A path on the machine that runs the job: POSIX, whatever this machine is.
        private static String absolute(String field, String dir) {
            if (dir == null || !dir.startsWith("/")) {
                throw InvalidConfigException.of(field, dir, "must be an absolute path (remote jobs start in the home directory)");
            }
            if (dir.chars().anyMatch(c -> c == 0 || c == '\n' || c == '\r')) {
                throw InvalidConfigException.of(field, dir, "must not contain NUL or line breaks");
            }
            return dir;
        }

        private static String word(String field, String value) {
            if (value == null || !value.matches("[A-Za-z0-9_.,-]+")) {
                throw InvalidConfigException.of(field, value, "must be a plain name (A-Z a-z 0-9 _ . , -)");
            }
            return value;
        }
    }
}
