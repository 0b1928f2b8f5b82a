package dev.juggler.inference.accel;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.accel.Accelerator;
import dev.juggler.accel.DeviceHealth;
import dev.juggler.inference.accel.internal.BridgeProcess;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An inference stick (Intel NCS2 through OpenVINO 2022.3, or anything else) driven by a bridge process
 * that speaks the line protocol of {@code docs/stick-bridge-protocol.md} on its stdin and stdout, so that
 * Java needs no native binding. The real bridge for OpenVINO ships as
 * {@code samples/bridges/openvino_ncs2_bridge.py}.
 *
 * <p>The bridge is started and the model loaded when the stick is {@linkplain Builder#build() built}.
 * If the bridge dies or stops answering, the failing call throws a transient exception and the next call
 * starts a new bridge and loads the model again, so an {@link dev.juggler.accel.AcceleratorPool} can
 * take the stick out and probe it back. {@link #health()} asks the bridge for {@code thermal}; while a
 * batch runs it returns the last reading instead of waiting.
 *
 * <p>Thread-safe: requests to the bridge are serialised (a stick runs one batch at a time).
 * {@link #close()} asks the bridge to exit and kills it if it does not. Idempotent.
 *
 * @param <I> input per frame
 * @param <O> output per frame
 */
public final class BridgeStick<I, O> implements Accelerator<I, O> {

    /** Default time limit for starting the bridge and loading the model (compiling for a stick takes seconds). */
    public static final Duration DEFAULT_LOAD_TIMEOUT = Duration.ofMinutes(2);
    /** Default time limit for one request. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** Default OpenVINO device name. */
    public static final String DEFAULT_DEVICE = "MYRIAD";

    private static final Logger LOG = LoggerFactory.getLogger(BridgeStick.class);

    /**
     * Turns inputs into protocol lines and answer lines into outputs. A line must not contain a line
     * break (use base64 or one-line JSON). Implementations must be thread-safe.
     */
    public interface LineCodec<I, O> {
        String encode(I input);

        O decode(String line);
    }

    private final String name;
    private final List<String> command;
    private final String device;
    private final String model;
    private final LineCodec<I, O> codec;
    private final Duration loadTimeout;
    private final Duration requestTimeout;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();

    // Guarded by lock.
    private BridgeProcess bridge;
    private int maxBatch = 1;
    private boolean closed;
    private int starts;
    private String description = "";
    // Written under the lock, read without it by health() while a batch runs.
    private volatile DeviceHealth lastHealth;

    private BridgeStick(Builder<I, O> b) {
        this.name = b.name;
        this.command = List.copyOf(b.command);
        this.device = b.device;
        this.model = b.model;
        this.codec = b.codec;
        this.loadTimeout = b.loadTimeout;
        this.requestTimeout = b.requestTimeout;
        this.clock = b.clock;
    }

    /**
     * @param command how to start the bridge, e.g. {@code ["python3", "samples/bridges/openvino_ncs2_bridge.py"]}
     * @param codec how inputs and outputs travel as lines
     */
    public static <I, O> Builder<I, O> builder(List<String> command, LineCodec<I, O> codec) {
        return new Builder<>(command, codec);
    }

    @Override
    public String name() {
        return name;
    }

    /** The batch size the bridge announced when it loaded the model. */
    @Override
    public int maxBatchSize() {
        lock.lock();
        try {
            return maxBatch;
        } finally {
            lock.unlock();
        }
    }

    /** What the bridge said about itself when it started, e.g. {@code openvino 2022.3.0 MYRIAD}. */
    public String bridgeDescription() {
        lock.lock();
        try {
            return description;
        } finally {
            lock.unlock();
        }
    }

    /** How many times a bridge process was started (1 + restarts after failures). */
    public int bridgeStarts() {
        lock.lock();
        try {
            return starts;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<O> infer(List<I> batch) {
        Objects.requireNonNull(batch, "batch");
        List<String> request = new ArrayList<>(batch.size() + 1);
        request.add("infer " + batch.size());
        for (I input : batch) {
            String line = codec.encode(input);
            if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
                throw JugglerException.permanentFailure("stick " + name + ": the codec produced a line break inside an input", null);
            }
            request.add(line);
        }
        lock.lock();
        try {
            BridgeProcess process = running();
            if (batch.size() > maxBatch) {
                throw JugglerException.permanentFailure("stick " + name + ": batch of " + batch.size() + " > maxBatchSize " + maxBatch, null);
            }
            BridgeProcess.Answer answer = call(process, request, words -> count(process, words, batch.size()));
            List<O> outputs = new ArrayList<>(batch.size());
            for (String line : answer.payload()) {
                outputs.add(codec.decode(line));
            }
            return outputs;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<DeviceHealth> health() {
        if (!lock.tryLock()) {
            return Optional.ofNullable(lastHealth);
        }
        try {
            if (closed) {
                return Optional.ofNullable(lastHealth);
            }
            BridgeProcess process = running();
            BridgeProcess.Answer answer = call(process, List.of("thermal"), words -> 0);
            String[] w = answer.words();
            if (w.length < 2) {
                throw JugglerException.permanentFailure("stick " + name + ": thermal answer 'ok " + String.join(" ", w)
                        + "' lacks '<celsius|nan> <level>'", null);
            }
            double celsius = Double.parseDouble(w[0].toLowerCase(Locale.ROOT).equals("nan") ? "NaN" : w[0]);
            int level = Integer.parseInt(w[1]);
            DeviceHealth health = new DeviceHealth(Double.isNaN(celsius) ? OptionalDouble.empty() : OptionalDouble.of(celsius),
                    level > 0, clock.instant());
            lastHealth = health;
            return Optional.of(health);
        } catch (NumberFormatException e) {
            throw JugglerException.permanentFailure("stick " + name + ": malformed thermal answer: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (bridge != null) {
                bridge.close(Duration.ofSeconds(5));
                bridge = null;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "BridgeStick[" + name + ", " + device + ", " + model + "]";
    }

    /** The live bridge, started (and the model loaded) if there is none. Call under the lock. */
    private BridgeProcess running() {
        if (closed) {
            throw new IllegalStateException("stick " + name + " is closed");
        }
        if (bridge != null && bridge.isAlive()) {
            return bridge;
        }
        if (bridge != null) {
            bridge.kill();
            bridge = null;
            LOG.info("stick {}: bridge is gone; starting a new one", name);
        }
        StringBuilder said = new StringBuilder();
        BridgeProcess started = BridgeProcess.start(name, command, loadTimeout, said);
        starts++;
        try {
            BridgeProcess.Answer answer = started.request(List.of("load " + device + " " + model), loadTimeout, words -> 0);
            maxBatch = answer.words().length > 0 ? Integer.parseInt(answer.words()[0]) : 1;
            if (maxBatch < 1) {
                throw JugglerException.permanentFailure("stick " + name + ": bridge announced maxBatch " + maxBatch, null);
            }
        } catch (RuntimeException e) {
            started.close(Duration.ofSeconds(1));
            if (e instanceof JugglerException je) {
                throw je;
            }
            throw JugglerException.permanentFailure("stick " + name + ": malformed load answer: " + e.getMessage(), e);
        }
        description = said.toString();
        bridge = started;
        return started;
    }

    private BridgeProcess.Answer call(BridgeProcess process, List<String> request,
            java.util.function.ToIntFunction<String[]> extra) {
        try {
            return process.request(request, requestTimeout, extra);
        } catch (JugglerException e) {
            if (!process.isAlive()) {
                bridge = null;
            }
            throw e;
        }
    }

    private int count(BridgeProcess process, String[] words, int expected) {
        int n;
        try {
            n = words.length > 0 ? Integer.parseInt(words[0]) : -1;
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n != expected) {
            process.kill();
            throw JugglerException.transientFailure("stick " + name + ": bridge announced " + (n < 0 ? "no count" : n + " outputs")
                    + " for " + expected + " inputs; restarting it", null);
        }
        return n;
    }

    /**
     * Configures a {@link BridgeStick}. Each setter checks its value. Not thread-safe.
     *
     * @param <I> input per frame
     * @param <O> output per frame
     */
    public static final class Builder<I, O> {
        private final List<String> command;
        private final LineCodec<I, O> codec;
        private String name = "stick";
        private String device = DEFAULT_DEVICE;
        private String model;
        private Duration loadTimeout = DEFAULT_LOAD_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Clock clock = Clock.systemUTC();

        private Builder(List<String> command, LineCodec<I, O> codec) {
            if (command == null || command.isEmpty()) {
                throw InvalidConfigException.of("command", command, "must name the bridge program");
            }
            if (codec == null) {
                throw InvalidConfigException.of("codec", null, "must not be null");
            }
            this.command = List.copyOf(command);
            this.codec = codec;
        }

        /** The stick's name in the pool, e.g. {@code ncs0}; default {@code stick}. */
        public Builder<I, O> name(String name) {
            if (name == null || name.isBlank() || name.contains(" ")) {
                throw InvalidConfigException.of("name", name, "must be a non-blank word");
            }
            this.name = name;
            return this;
        }

        /** The OpenVINO device, e.g. {@code MYRIAD} or {@code MYRIAD.3.1-ma2480}; default {@code MYRIAD}. */
        public Builder<I, O> device(String device) {
            if (device == null || device.isBlank() || device.contains(" ")) {
                throw InvalidConfigException.of("device", device, "must be one word, e.g. MYRIAD or MYRIAD.1.2-ma2480");
            }
            this.device = device;
            return this;
        }

        /** The model the bridge loads (e.g. an OpenVINO IR {@code .xml}); required. */
        public Builder<I, O> model(String path) {
            if (path == null || path.isBlank() || path.contains("\n")) {
                throw InvalidConfigException.of("model", path, "must be a path on one line");
            }
            this.model = path;
            return this;
        }

        /** Time limit for starting the bridge and loading the model; default 2 min. */
        public Builder<I, O> loadTimeout(Duration timeout) {
            InvalidConfigException.requirePositive("loadTimeout", timeout);
            this.loadTimeout = timeout;
            return this;
        }

        /** Time limit for one request; default 30 s. */
        public Builder<I, O> requestTimeout(Duration timeout) {
            InvalidConfigException.requirePositive("requestTimeout", timeout);
            this.requestTimeout = timeout;
            return this;
        }

        /** Stamps health readings; default the system UTC clock. */
        public Builder<I, O> clock(Clock clock) {
            this.clock = InvalidConfigException.required(clock, "clock");
            return this;
        }

        /**
         * Starts the bridge and loads the model.
         *
         * @throws InvalidConfigException if no model was set
         * @throws JugglerException if the bridge cannot be started or refuses the model
         */
        public BridgeStick<I, O> build() {
            if (model == null) {
                throw InvalidConfigException.of("model", null, "is required: the model file the bridge loads");
            }
            BridgeStick<I, O> stick = new BridgeStick<>(this);
            stick.lock.lock();
            try {
                stick.running();
            } finally {
                stick.lock.unlock();
            }
            return stick;
        }
    }
}
