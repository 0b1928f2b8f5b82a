package dev.juggler.inference.accel;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.accel.ThermalReading;
import dev.juggler.accel.ThermalSensor;
import dev.juggler.inference.accel.internal.NvidiaSmiCsv;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * NVIDIA GPUs as a {@link ThermalSensor}: runs
 * {@code nvidia-smi --query-gpu=index,temperature.gpu,clocks_throttle_reasons.active --format=csv,noheader,nounits}
 * and reports one reading per GPU, named {@code gpu<index>}. A GPU throttles when a thermal or power
 * reason is active (SW power cap, HW slowdown, SW/HW thermal slowdown, HW power brake); being idle or
 * running at application clocks is not throttling. Drivers from 535 on name the field
 * {@code clocks_event_reasons.active}; use {@link #of(List, List, Duration, Clock)} with that name there.
 *
 * <p>Immutable and thread-safe; each {@link #read()} starts one short process (tens of milliseconds), so
 * poll it about once a second, not per frame.
 */
public final class NvidiaSmiSensor implements ThermalSensor {

    /** The fields queried by default, in order. */
    public static final List<String> DEFAULT_FIELDS = List.of("index", "temperature.gpu", "clocks_throttle_reasons.active");
    /** Default time limit for one nvidia-smi run. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final List<String> command;
    private final List<String> fields;
    private final Duration timeout;
    private final Clock clock;

    private NvidiaSmiSensor(List<String> command, List<String> fields, Duration timeout, Clock clock) {
        this.command = List.copyOf(command);
        this.fields = List.copyOf(fields);
        this.timeout = timeout;
        this.clock = clock;
    }

    /** {@code nvidia-smi} from the PATH with the default fields. */
    public static NvidiaSmiSensor standard() {
        return of(List.of("nvidia-smi"), DEFAULT_FIELDS, DEFAULT_TIMEOUT, Clock.systemUTC());
    }

    /**
     * @param executable how to start nvidia-smi (e.g. {@code ["nvidia-smi"]}, or {@code ["ssh", "node7", "nvidia-smi"]});
     *     the query arguments are appended
     * @param fields the fields to query; must contain {@code temperature.gpu}
     * @param timeout the time limit of one run
     * @param clock stamps the readings
     */
    public static NvidiaSmiSensor of(List<String> executable, List<String> fields, Duration timeout, Clock clock) {
        if (executable == null || executable.isEmpty()) {
            throw InvalidConfigException.of("executable", executable, "must name the nvidia-smi command");
        }
        if (fields == null || fields.stream().noneMatch("temperature.gpu"::equals)) {
            throw InvalidConfigException.of("fields", fields, "must contain temperature.gpu");
        }
        InvalidConfigException.requirePositive("timeout", timeout);
        List<String> command = new ArrayList<>(executable);
        command.add("--query-gpu=" + String.join(",", fields));
        command.add("--format=csv,noheader,nounits");
        return new NvidiaSmiSensor(command, fields, timeout, Objects.requireNonNull(clock, "clock"));
    }

    /**
     * A sensor that runs {@code command} exactly as given and parses its output as the CSV of
     * {@code fields}; for tests that replay recorded output (e.g. {@code ["cat", "recorded.csv"]}).
     */
    public static NvidiaSmiSensor replaying(List<String> command, List<String> fields, Clock clock) {
        return new NvidiaSmiSensor(command, fields, DEFAULT_TIMEOUT, clock);
    }

    /** The command line this sensor runs. */
    public List<String> command() {
        return command;
    }

    @Override
    public String name() {
        return "nvidia-smi";
    }

    /**
     * @throws JugglerException transient if nvidia-smi fails or times out (a driver reload), permanent if it
     *     cannot be started or prints something that is not the expected CSV
     */
    @Override
    public List<ThermalReading> read() {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw JugglerException.permanentFailure("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
        try {
            process.getOutputStream().close();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> copy(process.getInputStream(), out), "nvidia-smi-reader");
            reader.setDaemon(true);
            reader.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw JugglerException.transientFailure("nvidia-smi did not answer within " + timeout, null);
            }
            reader.join(timeout.toMillis());
            String text;
            synchronized (out) {
                text = out.toString(StandardCharsets.UTF_8);
            }
            if (process.exitValue() != 0) {
                throw JugglerException.transientFailure("nvidia-smi exited with " + process.exitValue() + ": " + firstLine(text), null);
            }
            return NvidiaSmiCsv.parse(fields, text, clock.instant());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw JugglerException.transientFailure("interrupted while reading nvidia-smi", e);
        } catch (IOException e) {
            throw JugglerException.transientFailure("cannot talk to nvidia-smi: " + e, e);
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] buffer = new byte[8192];
        try (in) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                synchronized (out) {
                    out.write(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            // The process went away; whatever was read is what we have.
        }
    }

    private static String firstLine(String text) {
        String line = text.strip().lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    @Override
    public String toString() {
        return "NvidiaSmiSensor" + command;
    }
}
