package dev.juggler.inference.remote;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON side of tensors: writing a tensor object, and reading one in two passes. The first pass
 * ({@link #readHeader}) takes name, datatype, shape and parameters and only notes where {@code "data"}
 * is, because JSON members come in any order and the data cannot be typed or sized before the datatype and
 * shape are known. The second pass ({@link #readData}) parses that byte range straight into a wire-layout
 * buffer whose size has been checked first. Stateless and thread-safe.
 */
final class TensorJson {
    private TensorJson() {
    }

    /** A tensor object as read in the first pass; {@code dataStart < 0} when it has no "data". */
    record Header(String where, String name, String datatypeName, long[] shape, Map<String, Object> parameters,
            long binarySize, int dataStart, int dataEnd) {
        String label() {
            return name == null ? where : "tensor '" + InferTensor.clip(name) + "' (" + where + ")";
        }
    }

    static void writeTensor(JsonGenerator g, InferTensor t, boolean binary) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", t.name());
        g.writeArrayFieldStart("shape");
        for (long d : t.shape()) {
            g.writeNumber(d);
        }
        g.writeEndArray();
        g.writeStringField("datatype", t.datatype().wireName());
        Map<String, Object> params = t.parameters();
        if (binary) {
            params = new LinkedHashMap<>(params);
            params.put(InferTensor.BINARY_DATA_SIZE, (long) t.byteSize());
        }
        if (!params.isEmpty()) {
            g.writeFieldName("parameters");
            writeParams(g, params);
        }
        if (!binary) {
            g.writeArrayFieldStart("data");
            writeElements(g, t);
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    static void writeParams(JsonGenerator g, Map<String, Object> params) throws IOException {
        g.writeStartObject();
        for (Map.Entry<String, Object> e : params.entrySet()) {
            g.writeFieldName(e.getKey());
            Object v = e.getValue();
            if (v instanceof String s) {
                g.writeString(s);
            } else if (v instanceof Boolean b) {
                g.writeBoolean(b);
            } else if (v instanceof Long l) {
                g.writeNumber(l);
            } else {
                g.writeNumber((Double) v);
            }
        }
        g.writeEndObject();
    }

    private static void writeElements(JsonGenerator g, InferTensor t) throws IOException {
        ByteBuffer b = t.dataBuffer();
        int n = (int) t.elementCount();
        Datatype type = t.datatype();
        for (int i = 0; i < n; i++) {
            switch (type) {
                case BOOL -> g.writeBoolean(b.get(i) != 0);
                case UINT64 -> g.writeNumber(Long.toUnsignedString(b.getLong(8 * i)));
                case FP16 -> writeFloat(g, HalfFloats.fp16ToFloat(b.getShort(2 * i)));
                case BF16 -> writeFloat(g, HalfFloats.bf16ToFloat(b.getShort(2 * i)));
                case FP32 -> writeFloat(g, b.getFloat(4 * i));
                case FP64 -> writeDouble(g, b.getDouble(8 * i));
                case BYTES -> {
                    byte[] e = new byte[b.getInt()];
                    b.get(e);
                    g.writeString(utf8(e, t.name(), i));
                }
                default -> g.writeNumber(IntegerRange.get(b, type, i));
            }
        }
    }

    // JSON has no non-finite numbers; they go as the strings Python and Jackson both understand
    private static void writeFloat(JsonGenerator g, float f) throws IOException {
        if (Float.isFinite(f)) {
            g.writeNumber(f);
        } else {
            g.writeString(Float.toString(f));
        }
    }

    private static void writeDouble(JsonGenerator g, double d) throws IOException {
        if (Double.isFinite(d)) {
            g.writeNumber(d);
        } else {
            g.writeString(Double.toString(d));
        }
    }

    private static String utf8(byte[] bytes, String tensor, int index) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new InferenceProtocolException("tensor '" + InferTensor.clip(tensor) + "': BYTES element " + index
                    + " is not UTF-8 and cannot travel as a JSON string; encode the tensor as binary data", e);
        }
    }

    /** Reads a tensor object; the parser is on its START_OBJECT and ends on its END_OBJECT. */
    static Header readHeader(JsonParser p, String where) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new InferenceProtocolException(where + " is " + describe(p) + ", not a tensor object");
        }
        String name = null;
        String datatype = null;
        long[] shape = null;
        Map<String, Object> params = Map.of();
        int dataStart = -1;
        int dataEnd = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            String label = name == null ? where : "tensor '" + InferTensor.clip(name) + "' (" + where + ")";
            switch (field) {
                case "name" -> name = string(p, label, "name");
                case "datatype" -> datatype = string(p, label, "datatype");
                case "shape" -> shape = readShape(p, label);
                case "parameters" -> params = readParams(p, label);
                case "data" -> {
                    if (value != JsonToken.START_ARRAY) {
                        throw new InferenceProtocolException(label + ": \"data\" is " + describe(p) + ", not an array");
                    }
                    dataStart = (int) p.currentTokenLocation().getByteOffset();
                    p.skipChildren();
                    dataEnd = (int) p.currentLocation().getByteOffset();
                }
                default -> p.skipChildren();
            }
        }
        Header partial = new Header(where, name, datatype, shape, params, -1, dataStart, dataEnd);
        if (name == null) {
            throw new InferenceProtocolException(where + " has no \"name\"");
        }
        if (datatype == null || shape == null) {
            throw new InferenceProtocolException(partial.label() + " has no \"" + (datatype == null ? "datatype" : "shape")
                    + "\"");
        }
        long binarySize = -1;
        if (params.containsKey(InferTensor.BINARY_DATA_SIZE)) {
            Object size = params.get(InferTensor.BINARY_DATA_SIZE);
            if (!(size instanceof Long) || (Long) size < 0) {
                throw new InferenceProtocolException(partial.label() + ": " + InferTensor.BINARY_DATA_SIZE + " is "
                        + size + ", not a non-negative integer");
            }
            binarySize = (Long) size;
            params = new LinkedHashMap<>(params);
            params.remove(InferTensor.BINARY_DATA_SIZE);
        }
        return new Header(where, name, datatype, shape, params, binarySize, dataStart, dataEnd);
    }

    private static long[] readShape(JsonParser p, String label) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new InferenceProtocolException(label + ": \"shape\" is " + describe(p) + ", not an array");
        }
        long[] dims = new long[4];
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw new InferenceProtocolException(label + ": dimension " + n + " of \"shape\" is " + describe(p)
                        + ", not a 64-bit integer");
            }
            if (n == dims.length) {
                dims = Arrays.copyOf(dims, n * 2);
            }
            dims[n++] = p.getLongValue();
        }
        return Arrays.copyOf(dims, n);
    }

    /** Reads a parameters object; values the protocol does not allow (objects, arrays, null) are skipped. */
    static Map<String, Object> readParams(JsonParser p, String label) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new InferenceProtocolException(label + ": \"parameters\" is " + describe(p) + ", not an object");
        }
        Map<String, Object> params = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            switch (p.nextToken()) {
                case VALUE_STRING -> params.put(key, p.getText());
                case VALUE_TRUE, VALUE_FALSE -> params.put(key, p.getBooleanValue());
                case VALUE_NUMBER_INT -> {
                    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        throw new InferenceProtocolException(label + ": parameter \"" + InferTensor.clip(key)
                                + "\" = " + InferTensor.clip(p.getText()) + " does not fit a 64-bit integer");
                    }
                    params.put(key, p.getLongValue());
                }
                case VALUE_NUMBER_FLOAT -> {
                    double d = p.getDoubleValue();
                    if (!Double.isFinite(d)) {
                        throw new InferenceProtocolException(label + ": parameter \"" + InferTensor.clip(key)
                                + "\" is not a finite number");
                    }
                    params.put(key, d);
                }
                // some servers put objects there (MLServer's "headers"); the protocol has no place for them
                default -> p.skipChildren();
            }
        }
        return params;
    }

    /**
     * Parses the "data" array of {@code h} into wire layout. {@code count} has been checked against the
     * element limit; here it is checked against the size of the data text before anything is allocated.
     */
    static byte[] readData(JsonFactory factory, byte[] body, Header h, Datatype type, long count) throws IOException {
        int length = h.dataEnd() - h.dataStart();
        // "[a,b,c]": n elements take at least 2n+1 bytes, nested arrays more
        if (count > (length - 1) / 2 && count > 0) {
            throw new InferenceProtocolException(h.label() + ": shape " + InferTensor.shapeText(h.shape()) + " needs "
                    + count + " elements but \"data\" is only " + length + " bytes of JSON");
        }
        boolean bytes = type == Datatype.BYTES;
        ByteBuffer out = bytes ? null : ByteBuffer.allocate((int) count * type.size()).order(ByteOrder.LITTLE_ENDIAN);
        ByteArrayOutputStream strings = bytes ? new ByteArrayOutputStream() : null;
        long[] shape = h.shape();
        int rank = shape.length;
        long[] children = new long[rank + 2];
        try (JsonParser p = factory.createParser(body, h.dataStart(), length)) {
            p.nextToken();
            int depth = 1;
            long index = 0;
            Boolean nested = null;
            while (depth > 0) {
                JsonToken t = p.nextToken();
                if (t == null) {
                    throw new InferenceProtocolException(h.label() + ": \"data\" ends early");
                }
                if (nested == null) {
                    nested = t == JsonToken.START_ARRAY;
                }
                if (t == JsonToken.END_ARRAY) {
                    if (nested && children[depth] != shape[depth - 1]) {
                        throw new InferenceProtocolException(h.label() + ": a nested \"data\" array at depth " + depth
                                + " has " + children[depth] + " elements where shape " + InferTensor.shapeText(shape)
                                + " needs " + shape[depth - 1]);
                    }
                    depth--;
                    continue;
                }
                children[depth]++;
                if (t == JsonToken.START_ARRAY) {
                    if (!nested || depth >= rank) {
                        throw new InferenceProtocolException(h.label() + ": \"data\" is nested deeper than shape "
                                + InferTensor.shapeText(shape) + " or mixes arrays and values");
                    }
                    children[++depth] = 0;
                    continue;
                }
                if (nested && depth != rank) {
                    throw new InferenceProtocolException(h.label() + ": \"data\" has a value at depth " + depth
                            + " where shape " + InferTensor.shapeText(shape) + " needs an array");
                }
                if (index >= count) {
                    throw new InferenceProtocolException(h.label() + ": \"data\" holds more than the " + count
                            + " elements of shape " + InferTensor.shapeText(shape));
                }
                if (bytes) {
                    if (t != JsonToken.VALUE_STRING) {
                        throw element(h, type, index, p, "a string");
                    }
                    byte[] e = p.getText().getBytes(StandardCharsets.UTF_8);
                    strings.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(e.length).array());
                    strings.write(e);
                } else {
                    putElement(out, p, h, type, index);
                }
                index++;
            }
            if (index != count) {
                throw new InferenceProtocolException(h.label() + ": shape " + InferTensor.shapeText(shape) + " needs "
                        + count + " elements but \"data\" holds " + index);
            }
        }
        return bytes ? strings.toByteArray() : out.array();
    }

    private static void putElement(ByteBuffer out, JsonParser p, Header h, Datatype type, long index) throws IOException {
        JsonToken t = p.currentToken();
        if (type == Datatype.BOOL) {
            if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
                throw element(h, type, index, p, "true or false");
            }
            out.put((byte) (t == JsonToken.VALUE_TRUE ? 1 : 0));
        } else if (type.isInteger()) {
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw element(h, type, index, p, "an integer");
            }
            long v;
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                BigInteger big = p.getBigIntegerValue();
                if (type != Datatype.UINT64 || big.signum() < 0 || big.bitLength() > 64) {
                    throw element(h, type, index, p, "a value in the range of " + type);
                }
                v = big.longValue();
            } else {
                v = p.getLongValue();
                if (!IntegerRange.fits(type, v) || (type == Datatype.UINT64 && v < 0)) {
                    throw element(h, type, index, p, "a value in the range of " + type);
                }
            }
            IntegerRange.put(out, type, v);
        } else {
            boolean text = t == JsonToken.VALUE_STRING;
            if (!text && t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                throw element(h, type, index, p, "a number");
            }
            String s = p.getText();
            if (text && !(s.equals("NaN") || s.equals("Infinity") || s.equals("-Infinity"))) {
                throw element(h, type, index, p, "a number (or \"NaN\", \"Infinity\", \"-Infinity\")");
            }
            // parse the decimal text once in the target precision: no double rounding for FP32
            switch (type) {
                case FP64 -> out.putDouble(Double.parseDouble(s));
                case FP32 -> out.putFloat(Float.parseFloat(s));
                case FP16 -> out.putShort(HalfFloats.floatToFp16(Float.parseFloat(s)));
                default -> out.putShort(HalfFloats.floatToBf16(Float.parseFloat(s)));
            }
        }
    }

    private static InferenceProtocolException element(Header h, Datatype type, long index, JsonParser p, String wanted)
            throws IOException {
        return new InferenceProtocolException(h.label() + ": element " + index + " of " + type + " \"data\" is "
                + describe(p) + ", not " + wanted);
    }

    private static String string(JsonParser p, String label, String field) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw new InferenceProtocolException(label + ": \"" + field + "\" is " + describe(p) + ", not a string");
        }
        return p.getText();
    }

    static String describe(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null) {
            return "missing";
        }
        return switch (t) {
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "the string \"" + InferTensor.clip(p.getText()) + "\"";
            case VALUE_NULL -> "null";
            default -> InferTensor.clip(p.getText());
        };
    }
}
