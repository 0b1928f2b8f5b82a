package dev.juggler.inference.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class InferCodecRoundTripTest {

    private final InferCodec codec = new InferCodec();

    static List<InferTensor> everyDatatype() {
        long[] s23 = {2, 3};
        List<InferTensor> all = new ArrayList<>();
        all.add(InferTensor.ofBools("bool", new long[] {4}, new boolean[] {true, false, false, true}));
        all.add(InferTensor.ofLongs("u8", Datatype.UINT8, s23, new long[] {0, 1, 127, 128, 254, 255}));
        all.add(InferTensor.ofLongs("u16", Datatype.UINT16, s23, new long[] {0, 1, 255, 256, 65534, 65535}));
        all.add(InferTensor.ofLongs("u32", Datatype.UINT32, s23, new long[] {0, 1, 65536, 0x7fffffffL, 0x80000000L,
            0xffffffffL}));
        all.add(InferTensor.ofLongs("u64", Datatype.UINT64, s23, new long[] {0, 1, Long.MAX_VALUE, Long.MIN_VALUE, -2, -1}));
        all.add(InferTensor.ofLongs("i8", Datatype.INT8, s23, new long[] {-128, -1, 0, 1, 100, 127}));
        all.add(InferTensor.ofLongs("i16", Datatype.INT16, s23, new long[] {-32768, -1, 0, 1, 1000, 32767}));
        all.add(InferTensor.ofInts("i32", s23, new int[] {Integer.MIN_VALUE, -1, 0, 1, 7, Integer.MAX_VALUE}));
        all.add(InferTensor.ofLongs("i64", s23, new long[] {Long.MIN_VALUE, -1, 0, 1, 1L << 53, Long.MAX_VALUE}));
        all.add(InferTensor.ofFp16("fp16", new long[] {2, 5}, new float[] {0f, -0f, 0x1p-24f, -0x1.ff8p-15f, 1f, -2.5f,
            65504f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN}));
        all.add(InferTensor.ofFloats("fp32", new long[] {8}, new float[] {0f, -0f, Float.MIN_VALUE, 1.1f, -3.4e38f,
            Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NaN}));
        all.add(InferTensor.ofDoubles("fp64", new long[] {7}, new double[] {0d, -0d, Double.MIN_VALUE, 0.1, -1e308,
            Double.NEGATIVE_INFINITY, Double.NaN}));
        all.add(InferTensor.ofBf16("bf16", new long[] {5}, new float[] {0f, -0f, 1f, 3.140625f, Float.POSITIVE_INFINITY}));
        all.add(InferTensor.ofBytes("bytes", new long[] {2, 2}, List.of(new byte[0],
            "ascii".getBytes(StandardCharsets.UTF_8), "Gebärde 手話 🤟".getBytes(StandardCharsets.UTF_8), new byte[0])));
        all.add(InferTensor.ofFloats("scalar", new long[0], new float[] {42f}));
        all.add(InferTensor.ofInts("empty", new long[] {3, 0, 1000}, new int[0]));
        return all;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyDatatypeRoundTripsInRequests(boolean binary) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("priority", 3);
        params.put("ratio", 0.5);
        params.put("tag", "x");
        params.put(InferRequest.BINARY_DATA_OUTPUT, true);
        List<InferTensor> inputs = new ArrayList<>(everyDatatype());
        inputs.set(0, inputs.get(0).withParameters(Map.of("content_type", "np")));
        InferRequest request = new InferRequest(Optional.of("42"), params, inputs,
                List.of(RequestedOutput.of("a"), RequestedOutput.binary("b", false)));
        InferCodec.Encoded e = codec.encodeRequest(request, binary);
        assertEquals(binary, e.headerLength().isPresent());
        assertEquals(binary ? InferCodec.BINARY : InferCodec.JSON, e.contentType());
        InferRequest back = codec.decodeRequest(e.body(), e.headerLength());
        assertEquals(request, back);
        assertTrue(back.wantsBinary("a"));
        assertFalse(back.wantsBinary("b"));
        assertTrue(back.wantsBinary("unlisted"));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyDatatypeRoundTripsInResponses(boolean binary) {
        InferResponse response = new InferResponse("pose", Optional.of("3"), Optional.of("42"), Map.of("seq", true),
                everyDatatype());
        InferCodec.Encoded e = codec.encodeResponse(response, binary);
        assertEquals(response, codec.decodeResponse(e.body(), e.headerLength()));
    }

    @Test
    void binaryAndJsonOutputsMixInOneResponse() {
        InferResponse response = InferResponse.of("m", everyDatatype());
        InferCodec.Encoded e = codec.encodeResponse(response, name -> name.startsWith("u") || name.equals("bytes"));
        String json = new String(e.body(), 0, e.headerLength().getAsInt(), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"name\":\"fp32\",\"shape\":[8],\"datatype\":\"FP32\",\"data\":[0.0,-0.0,1.4E-45,1.1,"),
                json);
        assertTrue(json.contains("\"name\":\"u8\",\"shape\":[2,3],\"datatype\":\"UINT8\",\"parameters\":{\"binary_data_size\":6}}"),
                json);
        assertEquals(response, codec.decodeResponse(e.body(), e.headerLength()));
    }

    @Test
    void fp16BitPatternsAreKeptExactly() {
        InferTensor t = InferTensor.ofWire("h", Datatype.FP16, new long[] {6},
                new byte[] {0, 0, 0, (byte) 0x80, 1, 0, 1, (byte) 0x80, 0, 0x7c, 0, (byte) 0xfc});
        for (boolean binary : new boolean[] {false, true}) {
            InferCodec.Encoded e = codec.encodeResponse(InferResponse.of("m", List.of(t)), binary);
            InferTensor back = codec.decodeResponse(e.body(), e.headerLength()).outputs().get(0);
            assertArrayEquals(t.data(), back.data());
            assertArrayEquals(new float[] {0f, -0f, 0x1p-24f, -0x1p-24f, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY}, back.asFloats());
        }
    }

    @Test
    void jsonReadsNestedDataOfTheShape() {
        String body = "{\"inputs\":[{\"name\":\"m\",\"shape\":[2,3],\"datatype\":\"INT32\",\"data\":[[1,2,3],[4,5,6]]},"
                + "{\"data\":[[[true],[false]]],\"datatype\":\"BOOL\",\"shape\":[1,2,1],\"name\":\"late\"},"
                + "{\"name\":\"e\",\"shape\":[2,0],\"datatype\":\"FP32\",\"data\":[[],[]]},"
                + "{\"name\":\"s\",\"shape\":[2,1],\"datatype\":\"BYTES\",\"data\":[[\"a\"],[\"\u00e9\"]]}]}";
        InferRequest r = codec.decodeRequest(body.getBytes(StandardCharsets.UTF_8), OptionalInt.empty());
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6}, r.inputs().get(0).asInts());
        assertArrayEquals(new boolean[] {true, false}, r.inputs().get(1).asBools());
        assertEquals(0, r.inputs().get(2).elementCount());
        assertEquals(List.of("a", "é"), r.inputs().get(3).asStrings());
    }

    @Test
    void jsonAcceptsPythonStyleNonFiniteTokensAndFp16Numbers() {
        String body = "{\"outputs\":[{\"name\":\"h\",\"shape\":[4],\"datatype\":\"FP16\",\"data\":[NaN,-Infinity,0.1,1]}]}";
        InferResponse r = codec.decodeResponse(body.getBytes(StandardCharsets.UTF_8), OptionalInt.empty());
        float[] f = r.outputs().get(0).asFloats();
        assertTrue(Float.isNaN(f[0]));
        assertEquals(Float.NEGATIVE_INFINITY, f[1]);
        assertEquals(HalfFloats.fp16ToFloat(HalfFloats.floatToFp16(0.1f)), f[2]);
        assertEquals("", r.modelName());
    }

    @Test
    void errorsRoundTrip() {
        String json = codec.encodeError("model \"x\" is not ready");
        assertEquals("{\"error\":\"model \\\"x\\\" is not ready\"}", json);
        assertEquals(Optional.of("model \"x\" is not ready"), codec.decodeError(json.getBytes(StandardCharsets.UTF_8)));
        assertEquals(Optional.empty(), codec.decodeError("{\"outputs\":[]}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Optional.empty(), codec.decodeError(new byte[] {(byte) 0xff, '{'}));
        InferenceProtocolException e = assertThrows(InferenceProtocolException.class,
                () -> codec.decodeResponse(json.getBytes(StandardCharsets.UTF_8), OptionalInt.empty()));
        assertTrue(e.getMessage().contains("error object"), e.getMessage());
    }

    @Test
    void nonUtf8BytesNeedBinary() {
        InferTensor t = InferTensor.ofBytes("raw", new long[] {1}, List.of(new byte[] {(byte) 0xc3, 0x28}));
        InferRequest r = InferRequest.of(List.of(t));
        InferenceProtocolException e = assertThrows(InferenceProtocolException.class, () -> codec.encodeRequest(r, false));
        assertEquals("tensor 'raw': BYTES element 0 is not UTF-8 and cannot travel as a JSON string; encode the "
                + "tensor as binary data", e.getMessage());
        InferCodec.Encoded enc = codec.encodeRequest(r, true);
        assertEquals(r, codec.decodeRequest(enc.body(), enc.headerLength()));
    }

    @Test
    void tensorsAreImmutable() {
        float[] values = {1, 2};
        long[] shape = {2};
        InferTensor t = InferTensor.ofFloats("t", shape, values);
        shape[0] = 7;
        t.shape()[0] = 9;
        t.data()[0] = 5;
        t.asFloats()[0] = 5;
        assertArrayEquals(new long[] {2}, t.shape());
        assertArrayEquals(new float[] {1, 2}, t.asFloats());
        assertThrows(UnsupportedOperationException.class, () -> t.parameters().put("a", 1L));
    }
}
