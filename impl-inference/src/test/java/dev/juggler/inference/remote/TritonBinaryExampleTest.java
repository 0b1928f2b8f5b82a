package dev.juggler.inference.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The request and response of the examples in Triton's binary tensor data extension
 * (docs/protocol/extension_binary_data.md): a [2,2] UINT32 input of 16 bytes and a [3] BOOL input of
 * 3 bytes, 19 binary bytes in all, output0 asked for in binary; the answer a [3,2] FP32 output of 24 bytes.
 * The element values are ours (the document gives only the sizes); the FP32 values are those of KServe's
 * JSON example of the same call. Expected bytes are written out by hand.
 */
class TritonBinaryExampleTest {

    private final InferCodec codec = new InferCodec();

    @Test
    void requestBytesAreExact() {
        InferRequest request = InferRequest.of(
                List.of(InferTensor.ofLongs("input0", Datatype.UINT32, new long[] {2, 2}, new long[] {1, 2, 3, 4}),
                        InferTensor.ofBools("input1", new long[] {3}, new boolean[] {true, false, true})),
                List.of(RequestedOutput.binary("output0", true)));
        InferCodec.Encoded encoded = codec.encodeRequest(request, true);

        String header = "{\"inputs\":[{\"name\":\"input0\",\"shape\":[2,2],\"datatype\":\"UINT32\","
                + "\"parameters\":{\"binary_data_size\":16}},{\"name\":\"input1\",\"shape\":[3],\"datatype\":\"BOOL\","
                + "\"parameters\":{\"binary_data_size\":3}}],\"outputs\":[{\"name\":\"output0\","
                + "\"parameters\":{\"binary_data\":true}}]}";
        byte[] tail = {
            1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, // input0, UINT32 little-endian: 16 bytes
            1, 0, 1 // input1, BOOL one byte each: 3 bytes
        };
        assertEquals(250, header.length());
        assertEquals(OptionalInt.of(250), encoded.headerLength());
        assertEquals(250 + 19, encoded.length()); // the document's Content-Length <xx+19>
        assertEquals(InferCodec.BINARY, encoded.contentType());
        byte[] body = encoded.body();
        assertEquals(header, new String(body, 0, 250, StandardCharsets.US_ASCII));
        assertArrayEquals(tail, Arrays.copyOfRange(body, 250, body.length));

        InferRequest back = codec.decodeRequest(body, encoded.headerLength());
        assertEquals(request, back);
        assertTrue(back.wantsBinary("output0"));
    }

    @Test
    void responseBytesAreExact() {
        InferResponse response = InferResponse.of("mymodel", List.of(
                InferTensor.ofFloats("output0", new long[] {3, 2}, new float[] {1.0f, 1.1f, 2.0f, 2.1f, 3.0f, 3.1f})));
        InferCodec.Encoded encoded = codec.encodeResponse(response, true);
        String header = "{\"model_name\":\"mymodel\",\"outputs\":[{\"name\":\"output0\",\"shape\":[3,2],"
                + "\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":24}}]}";
        byte[] tail = {
            0x00, 0x00, (byte) 0x80, 0x3f, // 1.0f = 0x3f800000
            (byte) 0xcd, (byte) 0xcc, (byte) 0x8c, 0x3f, // 1.1f = 0x3f8ccccd
            0x00, 0x00, 0x00, 0x40, // 2.0f = 0x40000000
            0x66, 0x66, 0x06, 0x40, // 2.1f = 0x40066666
            0x00, 0x00, 0x40, 0x40, // 3.0f = 0x40400000
            0x66, 0x66, 0x46, 0x40 // 3.1f = 0x40466666
        };
        assertEquals(124, header.length());
        assertEquals(OptionalInt.of(124), encoded.headerLength());
        assertEquals(124 + 24, encoded.length()); // <yy+24>
        byte[] body = encoded.body();
        assertEquals(header, new String(body, 0, 124, StandardCharsets.US_ASCII));
        assertArrayEquals(tail, Arrays.copyOfRange(body, 124, body.length));
        assertEquals(response, codec.decodeResponse(body, encoded.headerLength()));
    }

    @Test
    void readsTheDocumentsPrettyPrintedLayout() {
        // the document's request as a server receives it: indented JSON, an extra "model_name" member
        String header = "{\n  \"model_name\" : \"mymodel\",\n  \"inputs\" : [\n    {\n      \"name\" : \"input0\",\n"
                + "      \"shape\" : [ 2, 2 ],\n      \"datatype\" : \"UINT32\",\n      \"parameters\" : {\n"
                + "        \"binary_data_size\" : 16\n      }\n    },\n    {\n      \"name\" : \"input1\",\n"
                + "      \"shape\" : [ 3 ],\n      \"datatype\" : \"BOOL\",\n      \"parameters\" : {\n"
                + "        \"binary_data_size\" : 3\n      }\n    }\n  ],\n  \"outputs\" : [\n    {\n"
                + "      \"name\" : \"output0\",\n      \"parameters\" : {\n        \"binary_data\" : true\n      }\n"
                + "    }\n  ]\n}\n";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(header.getBytes(StandardCharsets.UTF_8));
        body.writeBytes(new byte[] {10, 0, 0, 0, 20, 0, 0, 0, 30, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff,
            (byte) 0xff, 0, 1, 0});
        InferRequest r = codec.decodeRequest(body.toByteArray(), OptionalInt.of(header.length()));
        assertArrayEquals(new long[] {10, 20, 30, 0xffff_ffffL}, r.inputs().get(0).asLongs());
        assertArrayEquals(new long[] {2, 2}, r.inputs().get(0).shape());
        assertArrayEquals(new boolean[] {false, true, false}, r.inputs().get(1).asBools());
        assertTrue(r.inputs().get(1).parameters().isEmpty());
        assertTrue(r.wantsBinary("output0"));
    }
}
