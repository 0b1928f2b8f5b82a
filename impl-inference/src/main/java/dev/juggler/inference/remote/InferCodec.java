package dev.juggler.inference.remote;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.juggler.JugglerException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Predicate;

/**
 * Encodes and decodes the HTTP bodies of the Open Inference Protocol's infer call, in plain JSON or with
 * Triton's binary tensor data extension. With binary data the body is the JSON object followed by the
 * raw bytes of each tensor that carries {@code "parameters":{"binary_data_size":N}}, in the order the
 * tensors appear; the JSON's length travels in the {@value #HEADER_LENGTH} HTTP header, which
 * {@link Encoded#headerLength()} gives and the decoders take.
 *
 * <p>In JSON, tensor data are flat row-major arrays (nested arrays matching the shape are accepted on
 * read); FP16 and BF16 travel as numbers; non-finite floats as the strings {@code "NaN"},
 * {@code "Infinity"}, {@code "-Infinity"} (bare Python-style tokens are accepted on read); BYTES elements as
 * strings, so a BYTES element that is not UTF-8 can only be encoded in binary.
 *
 * <p>Decoding treats the body as hostile: every defect is an {@link InferenceProtocolException} naming the
 * tensor, no other exception escapes, and nothing is allocated before its size is checked against the body
 * and {@link #maxElements()}. Unknown members are ignored, as are parameter values that are objects or
 * arrays. Immutable and thread-safe.
 */
public final class InferCodec {

    /** Default upper bound on the elements of one decoded tensor. */
    public static final long DEFAULT_MAX_ELEMENTS = 1L << 28;
    /** The HTTP header that carries the length of the JSON part of a body with binary data. */
    public static final String HEADER_LENGTH = "Inference-Header-Content-Length";
    /** Content type of a body that is JSON only. */
    public static final String JSON = "application/json";
    /** Content type of a body with binary tensor data, as Triton sends it. */
    public static final String BINARY = "application/octet-stream";

    private final long maxElements;
    private final JsonFactory factory;

    /** A codec with {@link #DEFAULT_MAX_ELEMENTS}. */
    public InferCodec() {
        this(DEFAULT_MAX_ELEMENTS);
    }

    /**
     * @param maxElements the most elements one decoded tensor may have, {@code >= 1}
     */
    public InferCodec(long maxElements) {
        if (maxElements < 1) {
            throw new IllegalArgumentException("maxElements must be >= 1, was " + maxElements);
        }
        this.maxElements = maxElements;
        // a BYTES element in JSON may be as long as the body; the body's size is the caller's limit
        this.factory = JsonFactory.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(InferTensor.MAX_ARRAY).build())
                .build();
    }

    /** The most elements one decoded tensor may have. */
    public long maxElements() {
        return maxElements;
    }

    /**
     * An encoded body.
     *
     * @param body the HTTP body (copied in and out; use {@link #writeTo} to avoid the copy)
     * @param headerLength the value of the {@value InferCodec#HEADER_LENGTH} header; empty for JSON only
     * @param contentType the value of the Content-Type header
     */
    public record Encoded(byte[] body, OptionalInt headerLength, String contentType) {
        public Encoded {
            body = body.clone();
            Objects.requireNonNull(headerLength, "headerLength");
            Objects.requireNonNull(contentType, "contentType");
        }

        @Override
        public byte[] body() {
            return body.clone();
        }

        /** Writes the body to {@code out} without copying it. */
        public void writeTo(OutputStream out) throws IOException {
            out.write(body);
        }

        /** The body's length: the Content-Length header. */
        public int length() {
            return body.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Encoded e && Arrays.equals(body, e.body) && headerLength.equals(e.headerLength)
                    && contentType.equals(e.contentType);
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.hashCode(body), headerLength, contentType);
        }

        @Override
        public String toString() {
            return "Encoded[" + body.length + " bytes, headerLength=" + headerLength + ", " + contentType + "]";
        }
    }

    /** The body of {@code request}, with every input as binary data if {@code binary}. */
    public Encoded encodeRequest(InferRequest request, boolean binary) {
        Objects.requireNonNull(request, "request");
        return encode(request.inputs(), t -> binary, g -> {
            if (request.id().isPresent()) {
                g.writeStringField("id", request.id().get());
            }
            writeParams(g, request.parameters());
            g.writeArrayFieldStart("inputs");
        }, g -> {
            g.writeEndArray();
            if (!request.outputs().isEmpty()) {
                g.writeArrayFieldStart("outputs");
                for (RequestedOutput o : request.outputs()) {
                    g.writeStartObject();
                    g.writeStringField("name", o.name());
                    writeParams(g, o.parameters());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
        });
    }

    /** The body of {@code response}, with every output as binary data if {@code binary}. */
    public Encoded encodeResponse(InferResponse response, boolean binary) {
        return encodeResponse(response, name -> binary);
    }

    /**
     * The body of {@code response}, with the outputs whose names {@code binaryOutput} accepts as binary
     * data; a server passes {@code request::wantsBinary}.
     */
    public Encoded encodeResponse(InferResponse response, Predicate<String> binaryOutput) {
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(binaryOutput, "binaryOutput");
        return encode(response.outputs(), t -> binaryOutput.test(t.name()), g -> {
            g.writeStringField("model_name", response.modelName());
            if (response.modelVersion().isPresent()) {
                g.writeStringField("model_version", response.modelVersion().get());
            }
            if (response.id().isPresent()) {
                g.writeStringField("id", response.id().get());
            }
            writeParams(g, response.parameters());
            g.writeArrayFieldStart("outputs");
        }, JsonGenerator::writeEndArray);
    }

    /** The JSON error object {@code {"error":message}} that a failed call returns. */
    public String encodeError(String message) {
        Objects.requireNonNull(message, "message");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("error", message);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * The message of an error object ({@code {"error":"..."}}), or empty if {@code body} is not one.
     * Never throws for a malformed body.
     */
    public Optional<String> decodeError(byte[] body) {
        Objects.requireNonNull(body, "body");
        try (JsonParser p = factory.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                if (p.currentName().equals("error") && p.nextToken() == JsonToken.VALUE_STRING) {
                    return Optional.of(p.getText());
                }
                p.nextToken();
                p.skipChildren();
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * Reads a request body.
     *
     * @param headerLength the {@value #HEADER_LENGTH} header, empty if absent
     * @throws InferenceProtocolException if the body is not a valid request, naming the tensor and the defect
     */
    public InferRequest decodeRequest(byte[] body, OptionalInt headerLength) {
        return guard(() -> BodyReader.request(this, factory, body, checkHeaderLength(body, headerLength)));
    }

    /**
     * Reads a response body.
     *
     * @param headerLength the {@value #HEADER_LENGTH} header, empty if absent
     * @throws InferenceProtocolException if the body is not a valid response, naming the tensor and the defect
     */
    public InferResponse decodeResponse(byte[] body, OptionalInt headerLength) {
        return guard(() -> BodyReader.response(this, factory, body, checkHeaderLength(body, headerLength)));
    }

    private static int checkHeaderLength(byte[] body, OptionalInt headerLength) {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(headerLength, "headerLength");
        if (headerLength.isEmpty()) {
            return body.length;
        }
        int h = headerLength.getAsInt();
        if (h < 0 || h > body.length) {
            throw new InferenceProtocolException(HEADER_LENGTH + " is " + h + " but the body has " + body.length
                    + " bytes");
        }
        return h;
    }

    private interface Reading<T> {
        T read() throws IOException;
    }

    private static <T> T guard(Reading<T> reading) {
        try {
            return reading.read();
        } catch (JugglerException e) {
            throw e;
        } catch (JsonProcessingException e) {
            long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
            throw new InferenceProtocolException("the inference body is not valid JSON"
                    + (at >= 0 ? " at byte " + at : "") + ": " + e.getOriginalMessage(), e);
        } catch (IOException | RuntimeException e) {
            // a defect this codec did not foresee must still be the caller's bad input, not a crash
            throw new InferenceProtocolException("the inference body could not be read: " + e, e);
        }
    }

    private interface Part {
        void write(JsonGenerator g) throws IOException;
    }

    private Encoded encode(List<InferTensor> tensors, Predicate<InferTensor> binary, Part head, Part tail) {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        List<InferTensor> binaries = new ArrayList<>();
        long total = 0;
        try (JsonGenerator g = factory.createGenerator(json)) {
            g.writeStartObject();
            head.write(g);
            for (InferTensor t : tensors) {
                boolean b = binary.test(t);
                if (b) {
                    binaries.add(t);
                    total += t.byteSize();
                }
                TensorJson.writeTensor(g, t, b);
            }
            tail.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (binaries.isEmpty()) {
            return new Encoded(json.toByteArray(), OptionalInt.empty(), JSON);
        }
        int headerLength = json.size();
        if (headerLength + total > InferTensor.MAX_ARRAY) {
            throw new InferenceProtocolException("the body would be " + (headerLength + total)
                    + " bytes, more than one array can hold; split the call");
        }
        byte[] body = Arrays.copyOf(json.toByteArray(), (int) (headerLength + total));
        int at = headerLength;
        for (InferTensor t : binaries) {
            t.dataBuffer().get(body, at, t.byteSize());
            at += t.byteSize();
        }
        return new Encoded(body, OptionalInt.of(headerLength), BINARY);
    }

    private static void writeParams(JsonGenerator g, Map<String, Object> params) throws IOException {
        if (!params.isEmpty()) {
            g.writeFieldName("parameters");
            TensorJson.writeParams(g, params);
        }
    }
}
