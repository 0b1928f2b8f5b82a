package dev.juggler.inference.remote;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads request and response bodies: the JSON object in {@code body[0, headerLength)}, then the binary
 * tensor data after it. Every size from the wire is checked against the bytes actually present and the
 * codec's element limit before it is used to allocate. Stateless and thread-safe.
 */
final class BodyReader {
    private BodyReader() {
    }

    static InferRequest request(InferCodec codec, JsonFactory factory, byte[] body, int headerLength) throws IOException {
        Optional<String> id = Optional.empty();
        Map<String, Object> params = Map.of();
        List<TensorJson.Header> inputs = null;
        List<RequestedOutput> outputs = List.of();
        try (JsonParser p = open(factory, body, headerLength, "request")) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "id" -> id = Optional.of(string(p, "request", "id"));
                    case "parameters" -> params = TensorJson.readParams(p, "request");
                    case "inputs" -> inputs = tensors(p, "inputs");
                    case "outputs" -> outputs = requestedOutputs(p);
                    default -> p.skipChildren();
                }
            }
            expectEnd(p, headerLength, body.length);
        }
        if (inputs == null) {
            throw new InferenceProtocolException("the request has no \"inputs\"");
        }
        return new InferRequest(id, params, resolve(codec, factory, body, headerLength, inputs), outputs);
    }

    static InferResponse response(InferCodec codec, JsonFactory factory, byte[] body, int headerLength) throws IOException {
        String modelName = "";
        Optional<String> version = Optional.empty();
        Optional<String> id = Optional.empty();
        Map<String, Object> params = Map.of();
        List<TensorJson.Header> outputs = null;
        String error = null;
        try (JsonParser p = open(factory, body, headerLength, "response")) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "model_name" -> modelName = string(p, "response", "model_name");
                    case "model_version" -> version = Optional.of(string(p, "response", "model_version"));
                    case "id" -> id = Optional.of(string(p, "response", "id"));
                    case "parameters" -> params = TensorJson.readParams(p, "response");
                    case "outputs" -> outputs = tensors(p, "outputs");
                    case "error" -> error = p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : "?";
                    default -> p.skipChildren();
                }
            }
            expectEnd(p, headerLength, body.length);
        }
        if (outputs == null) {
            throw new InferenceProtocolException(error != null
                    ? "the body is an error object, not a response: " + InferTensor.clip(error)
                    : "the response has no \"outputs\"");
        }
        return new InferResponse(modelName, version, id, params, resolve(codec, factory, body, headerLength, outputs));
    }

    private static JsonParser open(JsonFactory factory, byte[] body, int headerLength, String what) throws IOException {
        JsonParser p = factory.createParser(body, 0, headerLength);
        if (p.nextToken() != JsonToken.START_OBJECT) {
            String found = TensorJson.describe(p);
            p.close();
            throw new InferenceProtocolException("the " + what + " body is " + found + ", not a JSON object");
        }
        return p;
    }

    private static void expectEnd(JsonParser p, int headerLength, int bodyLength) throws IOException {
        if (p.nextToken() != null) {
            long at = p.currentTokenLocation().getByteOffset();
            throw new InferenceProtocolException("content follows the JSON object at byte " + at
                    + (headerLength == bodyLength ? "; binary tensor data need the " + InferCodec.HEADER_LENGTH
                            + " header" : ""));
        }
    }

    private static String string(JsonParser p, String where, String field) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw new InferenceProtocolException(where + ": \"" + field + "\" is " + TensorJson.describe(p)
                    + ", not a string");
        }
        return p.getText();
    }

    private static List<TensorJson.Header> tensors(JsonParser p, String field) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new InferenceProtocolException("\"" + field + "\" is " + TensorJson.describe(p) + ", not an array");
        }
        List<TensorJson.Header> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            out.add(TensorJson.readHeader(p, field + "[" + out.size() + "]"));
        }
        return out;
    }

    private static List<RequestedOutput> requestedOutputs(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new InferenceProtocolException("\"outputs\" is " + TensorJson.describe(p) + ", not an array");
        }
        List<RequestedOutput> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            String where = "outputs[" + out.size() + "]";
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw new InferenceProtocolException(where + " is " + TensorJson.describe(p) + ", not an object");
            }
            String name = null;
            Map<String, Object> params = Map.of();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "name" -> name = string(p, where, "name");
                    case "parameters" -> params = TensorJson.readParams(p, where);
                    default -> p.skipChildren();
                }
            }
            if (name == null) {
                throw new InferenceProtocolException(where + " has no \"name\"");
            }
            out.add(new RequestedOutput(name, params));
        }
        return out;
    }

    /** Gives each tensor its data: from its JSON "data", or the next slice of the binary section. */
    private static List<InferTensor> resolve(InferCodec codec, JsonFactory factory, byte[] body, int headerLength,
            List<TensorJson.Header> headers) throws IOException {
        List<InferTensor> out = new ArrayList<>(headers.size());
        long cursor = headerLength;
        for (TensorJson.Header h : headers) {
            Datatype type;
            try {
                type = Datatype.fromWireName(h.datatypeName());
            } catch (InferenceProtocolException e) {
                throw new InferenceProtocolException(h.label() + ": " + e.getMessage());
            }
            long count = InferTensor.elementCount(h.name(), h.shape());
            if (count > codec.maxElements()) {
                throw new InferenceProtocolException(h.label() + ": shape " + InferTensor.shapeText(h.shape()) + " has "
                        + count + " elements, more than the limit of " + codec.maxElements());
            }
            if (type != Datatype.BYTES && count > InferTensor.MAX_ARRAY / type.size()) {
                throw new InferenceProtocolException(h.label() + ": shape " + InferTensor.shapeText(h.shape()) + " of "
                        + type + " needs more bytes than one array can hold");
            }
            byte[] data;
            if (h.binarySize() >= 0) {
                if (h.dataStart() >= 0) {
                    throw new InferenceProtocolException(h.label() + " has both \"data\" and "
                            + InferTensor.BINARY_DATA_SIZE);
                }
                data = binarySlice(body, cursor, h, type, count);
                cursor += h.binarySize();
            } else if (h.dataStart() >= 0) {
                data = TensorJson.readData(factory, body, h, type, count);
            } else {
                throw new InferenceProtocolException(h.label() + " has neither \"data\" nor "
                        + InferTensor.BINARY_DATA_SIZE);
            }
            out.add(new InferTensor(h.name(), type, h.shape(), data, h.parameters()));
        }
        if (cursor != body.length) {
            throw new InferenceProtocolException((body.length - cursor) + " bytes after the JSON object"
                    + (cursor > headerLength ? " and the binary tensor data" : "")
                    + " belong to no tensor");
        }
        return out;
    }

    private static byte[] binarySlice(byte[] body, long cursor, TensorJson.Header h, Datatype type, long count) {
        long size = h.binarySize();
        long left = body.length - cursor;
        if (size > left) {
            throw new InferenceProtocolException(h.label() + ": " + InferTensor.BINARY_DATA_SIZE + " " + size
                    + " runs past the end of the body (" + left + " bytes left after byte " + cursor + ")");
        }
        if (type != Datatype.BYTES && size != count * type.size()) {
            throw new InferenceProtocolException(h.label() + ": " + InferTensor.BINARY_DATA_SIZE + " is " + size
                    + " but shape " + InferTensor.shapeText(h.shape()) + " of " + type + " needs " + count * type.size()
                    + " bytes");
        }
        if (type == Datatype.BYTES && count > size / 4) {
            // each element has a 4-byte prefix, so the slice bounds the count before the walk
            throw new InferenceProtocolException(h.label() + ": shape " + InferTensor.shapeText(h.shape()) + " needs "
                    + count + " BYTES elements but " + InferTensor.BINARY_DATA_SIZE + " " + size
                    + " cannot hold their length prefixes");
        }
        return Arrays.copyOfRange(body, (int) cursor, (int) (cursor + size));
    }
}
