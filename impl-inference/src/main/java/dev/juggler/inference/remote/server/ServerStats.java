package dev.juggler.inference.remote.server;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToLongFunction;

/**
 * The running totals of an inference server, per model: requests that succeeded and failed, rows inferred,
 * model executions, and the time requests spent queued, concatenating inputs, in the model and splitting
 * and encoding outputs. Rendered as Triton's statistics JSON ({@code /v2/models/stats}, times in ns) and as
 * Prometheus text ({@code /metrics}, times in µs).
 *
 * <p>Thread-safe: every counter is a {@link LongAdder} that request and batch threads add to without a
 * lock. A rendering reads each counter once, so a snapshot taken while requests finish may be off by those
 * requests, never torn within one counter.
 */
final class ServerStats {

    /** The Content-Type of {@link #prometheus()}: the text exposition format 0.0.4. */
    static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final List<ModelStats> models = new CopyOnWriteArrayList<>();

    /** Starts the totals of a model; called once per model while the server is built. */
    ModelStats add(String name, String version) {
        ModelStats m = new ModelStats(name, version);
        models.add(m);
        return m;
    }

    /** Every model's totals, in the order they were added. */
    List<ModelStats> models() {
        return List.copyOf(models);
    }

    /** The time one request spent in each stage after it was queued. */
    record Timings(long queueNs, long inputNs, long inferNs, long outputNs) {
        static final Timings NONE = new Timings(0, 0, 0, 0);

        Timings plusOutput(long ns) {
            return new Timings(queueNs, inputNs, inferNs, outputNs + ns);
        }
    }

    /** The totals of one model. Thread-safe; see {@link ServerStats}. */
    static final class ModelStats {
        final String name;
        final String version;
        final LongAdder success = new LongAdder();
        final LongAdder successNs = new LongAdder();
        final LongAdder fail = new LongAdder();
        final LongAdder failNs = new LongAdder();
        final LongAdder queueNs = new LongAdder();
        final LongAdder inputNs = new LongAdder();
        final LongAdder inferNs = new LongAdder();
        final LongAdder outputNs = new LongAdder();
        final LongAdder inferences = new LongAdder();
        final LongAdder executions = new LongAdder();
        /** Rows waiting in the batcher's queue now; the batcher keeps it current. */
        final AtomicLong queueRows = new AtomicLong();

        private ModelStats(String name, String version) {
            this.name = name;
            this.version = version;
        }

        /** A request answered with its outputs, {@code totalNs} after it arrived. */
        void recordSuccess(long totalNs, Timings t) {
            success.increment();
            successNs.add(totalNs);
            queueNs.add(t.queueNs());
            inputNs.add(t.inputNs());
            inferNs.add(t.inferNs());
            outputNs.add(t.outputNs());
        }

        /** A request answered with an error, {@code totalNs} after it arrived. */
        void recordFailure(long totalNs) {
            fail.increment();
            failNs.add(totalNs);
        }

        /** One model run over {@code rows} rows. */
        void recordExecution(int rows) {
            executions.increment();
            inferences.add(rows);
        }
    }

    /**
     * Writes Triton's {@code {"model_stats":[...]}} for {@code which}.
     *
     * @throws IOException only from {@code g}
     */
    static void writeJson(JsonGenerator g, List<ModelStats> which) throws IOException {
        g.writeStartObject();
        g.writeArrayFieldStart("model_stats");
        for (ModelStats m : which) {
            long ok = m.success.sum();
            g.writeStartObject();
            g.writeStringField("name", m.name);
            g.writeStringField("version", m.version);
            g.writeNumberField("inference_count", m.inferences.sum());
            g.writeNumberField("execution_count", m.executions.sum());
            g.writeObjectFieldStart("inference_stats");
            duration(g, "success", ok, m.successNs.sum());
            duration(g, "fail", m.fail.sum(), m.failNs.sum());
            // Triton counts each stage once per successful request
            duration(g, "queue", ok, m.queueNs.sum());
            duration(g, "compute_input", ok, m.inputNs.sum());
            duration(g, "compute_infer", ok, m.inferNs.sum());
            duration(g, "compute_output", ok, m.outputNs.sum());
            g.writeEndObject();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void duration(JsonGenerator g, String field, long count, long ns) throws IOException {
        g.writeObjectFieldStart(field);
        g.writeNumberField("count", count);
        g.writeNumberField("ns", ns);
        g.writeEndObject();
    }

    /** The Prometheus text exposition (format 0.0.4) of every model's totals. */
    String prometheus() {
        List<ModelStats> all = models();
        StringBuilder out = new StringBuilder(2048);
        counter(out, all, "juggler_inference_request_success", "Inference requests answered with outputs.",
                m -> m.success.sum());
        counter(out, all, "juggler_inference_request_failure", "Inference requests answered with an error.",
                m -> m.fail.sum());
        counter(out, all, "juggler_inference_count", "Rows inferred (a batch of n rows counts n).",
                m -> m.inferences.sum());
        counter(out, all, "juggler_inference_exec_count", "Model executions (a batch counts once).",
                m -> m.executions.sum());
        counter(out, all, "juggler_inference_request_duration_us",
                "Cumulative time of successful requests from arrival to answer, in microseconds.",
                m -> micros(m.successNs.sum()));
        counter(out, all, "juggler_inference_queue_duration_us",
                "Cumulative time successful requests waited in the batch queue, in microseconds.",
                m -> micros(m.queueNs.sum()));
        counter(out, all, "juggler_inference_compute_input_duration_us",
                "Cumulative time spent concatenating inputs into batches, in microseconds.",
                m -> micros(m.inputNs.sum()));
        counter(out, all, "juggler_inference_compute_infer_duration_us",
                "Cumulative time in the model, per request (a batch's time counts for each of its requests), in "
                        + "microseconds.",
                m -> micros(m.inferNs.sum()));
        counter(out, all, "juggler_inference_compute_output_duration_us",
                "Cumulative time spent splitting and encoding outputs, in microseconds.",
                m -> micros(m.outputNs.sum()));
        header(out, "juggler_inference_queue_rows", "Rows waiting in the batch queue now.", "gauge");
        for (ModelStats m : all) {
            sample(out, "juggler_inference_queue_rows", m, m.queueRows.get());
        }
        return out.toString();
    }

    private static void counter(StringBuilder out, List<ModelStats> all, String metric, String help,
            ToLongFunction<ModelStats> value) {
        header(out, metric, help, "counter");
        for (ModelStats m : all) {
            sample(out, metric, m, value.applyAsLong(m));
        }
    }

    private static void header(StringBuilder out, String metric, String help, String type) {
        out.append("# HELP ").append(metric).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(metric).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String metric, ModelStats m, long value) {
        out.append(metric).append("{model=\"").append(escapeLabel(m.name)).append("\",version=\"")
                .append(escapeLabel(m.version)).append("\"} ").append(value).append('\n');
    }

    private static long micros(long ns) {
        return TimeUnit.NANOSECONDS.toMicros(ns);
    }

    /** A label value as the exposition format writes it: backslash, double quote and newline escaped. */
    static String escapeLabel(String value) {
        StringBuilder b = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
