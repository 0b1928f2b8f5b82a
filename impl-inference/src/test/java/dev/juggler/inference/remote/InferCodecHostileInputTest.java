package dev.juggler.inference.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class InferCodecHostileInputTest {

    private final InferCodec codec = new InferCodec(1_000_000);

    private String requestError(String json) {
        return requestError(json.getBytes(StandardCharsets.UTF_8), OptionalInt.empty());
    }

    private String requestError(byte[] body, OptionalInt headerLength) {
        InferenceProtocolException e = assertThrows(InferenceProtocolException.class,
                () -> codec.decodeRequest(body, headerLength));
        assertFalse(e.isTransient());
        return e.getMessage();
    }

    private static String input(String name, String shape, String datatype, String rest) {
        return "{\"inputs\":[{\"name\":\"" + name + "\",\"shape\":" + shape + ",\"datatype\":\"" + datatype + "\"," + rest
                + "}]}";
    }

    private static byte[] withBinary(String header, byte... tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(tail);
        return out.toByteArray();
    }

    private static byte[] withInts(String header, int... tail) {
        byte[] bytes = new byte[tail.length];
        for (int i = 0; i < tail.length; i++) {
            bytes[i] = (byte) tail[i];
        }
        return withBinary(header, bytes);
    }

    @Test
    void unknownDatatype() {
        assertEquals("tensor 'x' (inputs[0]): unknown datatype \"FLOAT32\"; the protocol knows BOOL, UINT8, UINT16, "
                + "UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BF16 and BYTES",
                requestError(input("x", "[1]", "FLOAT32", "\"data\":[1]")));
    }

    @Test
    void dataLengthNotMatchingTheShape() {
        assertEquals("tensor 'x' (inputs[0]): shape [2, 2] needs 4 elements but \"data\" holds 3",
                requestError(input("x", "[2,2]", "INT32", "\"data\":[1, 2,  3]")));
        assertEquals("tensor 'x' (inputs[0]): \"data\" holds more than the 2 elements of shape [2]",
                requestError(input("x", "[2]", "INT32", "\"data\":[1,2,3]")));
        assertEquals("tensor 'x' (inputs[0]): shape [1000] needs 1000 elements but \"data\" is only 5 bytes of JSON",
                requestError(input("x", "[1000]", "INT32", "\"data\":[1,2]")));
    }

    @Test
    void nestedArraysOfTheWrongSize() {
        assertEquals("tensor 'x' (inputs[0]): a nested \"data\" array at depth 2 has 2 elements where shape [2, 3] "
                + "needs 3", requestError(input("x", "[2,3]", "INT32", "\"data\":[[1,2],[3,4,5,6]]")));
        assertEquals("tensor 'x' (inputs[0]): \"data\" is nested deeper than shape [2, 2] or mixes arrays and values",
                requestError(input("x", "[2,2]", "INT32", "\"data\":[[[1],[2]],[3,4]]")));
        assertEquals("tensor 'x' (inputs[0]): \"data\" is nested deeper than shape [4] or mixes arrays and values",
                requestError(input("x", "[4]", "INT32", "\"data\":[[1,2],[3,4]]")));
        assertEquals("tensor 'x' (inputs[0]): \"data\" is nested deeper than shape [2, 2] or mixes arrays and values",
                requestError(input("x", "[2,2]", "INT32", "\"data\":[1,2,[3,4]]")));
        assertEquals("tensor 'x' (inputs[0]): \"data\" has a value at depth 2 where shape [1, 2, 2] needs an array",
                requestError(input("x", "[1,2,2]", "INT32", "\"data\":[[1,2,3,4]]")));
    }

    @Test
    void nonNumbersAndOutOfRangeValues() {
        assertEquals("tensor 'x' (inputs[0]): element 1 of FP32 \"data\" is the string \"abc\", not a number (or "
                + "\"NaN\", \"Infinity\", \"-Infinity\")", requestError(input("x", "[2]", "FP32", "\"data\":[1,\"abc\"]")));
        assertEquals("tensor 'x' (inputs[0]): element 0 of INT32 \"data\" is 1.5, not an integer",
                requestError(input("x", "[1]", "INT32", "\"data\":[1.5]")));
        assertEquals("tensor 'x' (inputs[0]): element 0 of UINT8 \"data\" is 256, not a value in the range of UINT8",
                requestError(input("x", "[1]", "UINT8", "\"data\":[256]")));
        assertEquals("tensor 'x' (inputs[0]): element 0 of UINT64 \"data\" is -1, not a value in the range of UINT64",
                requestError(input("x", "[1]", "UINT64", "\"data\":[-1]")));
        assertEquals("tensor 'x' (inputs[0]): element 0 of UINT64 \"data\" is 18446744073709551616, not a value in the "
                + "range of UINT64", requestError(input("x", "[1]", "UINT64", "\"data\":[18446744073709551616]")));
        assertEquals("tensor 'x' (inputs[0]): element 1 of BOOL \"data\" is 1, not true or false",
                requestError(input("x", "[2]", "BOOL", "\"data\":[true,1]")));
        assertEquals("tensor 'x' (inputs[0]): element 0 of BYTES \"data\" is null, not a string",
                requestError(input("x", "[1]", "BYTES", "\"data\":[null]")));
        assertEquals("tensor 'x' (inputs[0]): \"data\" is the string \"1,2\", not an array",
                requestError(input("x", "[2]", "INT32", "\"data\":\"1,2\"")));
    }

    @Test
    void badShapes() {
        assertEquals("tensor 'x': dimension 1 of shape [2, -3] is negative",
                requestError(input("x", "[2,-3]", "INT32", "\"data\":[]")));
        assertEquals("tensor 'x': the element count of shape [4294967296, 4294967296] overflows a 64-bit integer",
                requestError(input("x", "[4294967296,4294967296]", "INT8", "\"data\":[1]")));
        assertEquals("tensor 'x' (inputs[0]): shape [1000, 1001] has 1001000 elements, more than the limit of 1000000",
                requestError(input("x", "[1000,1001]", "INT8", "\"data\":[1]")));
        assertEquals("tensor 'x' (inputs[0]): dimension 0 of \"shape\" is 1.0, not a 64-bit integer",
                requestError(input("x", "[1.0]", "INT8", "\"data\":[1]")));
        assertEquals("tensor 'x' (inputs[0]): dimension 0 of \"shape\" is 99999999999999999999, not a 64-bit integer",
                requestError(input("x", "[99999999999999999999]", "INT8", "\"data\":[1]")));
    }

    @Test
    void binarySizesThatDoNotFitTheBody() {
        String h = input("x", "[4]", "INT32", "\"parameters\":{\"binary_data_size\":16}");
        assertEquals("tensor 'x' (inputs[0]): binary_data_size 16 runs past the end of the body (8 bytes left after byte "
                + h.length() + ")", requestError(withBinary(h, new byte[8]), OptionalInt.of(h.length())));
        String wrong = input("x", "[4]", "INT32", "\"parameters\":{\"binary_data_size\":12}");
        assertEquals("tensor 'x' (inputs[0]): binary_data_size is 12 but shape [4] of INT32 needs 16 bytes",
                requestError(withBinary(wrong, new byte[12]), OptionalInt.of(wrong.length())));
        String negative = input("x", "[4]", "INT32", "\"parameters\":{\"binary_data_size\":-16}");
        assertEquals("tensor 'x' (inputs[0]): binary_data_size is -16, not a non-negative integer",
                requestError(withBinary(negative, new byte[16]), OptionalInt.of(negative.length())));
        String huge = input("x", "[4]", "INT32", "\"parameters\":{\"binary_data_size\":9223372036854775807}");
        assertTrue(requestError(withBinary(huge, new byte[16]), OptionalInt.of(huge.length()))
                .contains("binary_data_size 9223372036854775807 runs past the end of the body"));
        assertEquals("4 bytes after the JSON object and the binary tensor data belong to no tensor",
                requestError(withBinary(h, new byte[20]), OptionalInt.of(h.length())));
    }

    @Test
    void headerLengthsThatDoNotFitTheBody() {
        byte[] body = withBinary(input("x", "[1]", "INT8", "\"data\":[1]"));
        assertEquals("Inference-Header-Content-Length is " + (body.length + 1) + " but the body has " + body.length
                + " bytes", requestError(body, OptionalInt.of(body.length + 1)));
        assertEquals("Inference-Header-Content-Length is -1 but the body has " + body.length + " bytes",
                requestError(body, OptionalInt.of(-1)));
        assertTrue(requestError(body, OptionalInt.of(10)).startsWith("the inference body is not valid JSON"));
        String h = input("x", "[1]", "INT8", "\"parameters\":{\"binary_data_size\":1}");
        assertEquals("content follows the JSON object at byte " + h.length() + "; binary tensor data need the "
                + "Inference-Header-Content-Length header", requestError(withBinary(h, (byte) '7'), OptionalInt.empty()));
    }

    @Test
    void bytesLengthPrefixesRunningPastTheEnd() {
        String h = input("s", "[2]", "BYTES", "\"parameters\":{\"binary_data_size\":10}");
        assertEquals("tensor 's': BYTES element 1 claims 100 bytes but only 1 remain",
                requestError(withInts(h, 1, 0, 0, 0, 'a', 100, 0, 0, 0, 'b'), OptionalInt.of(h.length())));
        assertEquals("tensor 's': BYTES element 0 claims 4294967295 bytes but only 6 remain",
                requestError(withInts(h, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0), OptionalInt.of(h.length())));
        String cut = input("s", "[1]", "BYTES", "\"parameters\":{\"binary_data_size\":6}");
        assertEquals("tensor 's': BYTES element 1 has a truncated length prefix (1 of 4 bytes)",
                requestError(withInts(cut, 1, 0, 0, 0, 'a', 0), OptionalInt.of(cut.length())));
        String many = input("s", "[1000000]", "BYTES", "\"parameters\":{\"binary_data_size\":8}");
        assertEquals("tensor 's' (inputs[0]): shape [1000000] needs 1000000 BYTES elements but binary_data_size 8 "
                + "cannot hold their length prefixes", requestError(withBinary(many, new byte[8]), OptionalInt.of(many.length())));
        String few = input("s", "[3]", "BYTES", "\"parameters\":{\"binary_data_size\":16}");
        assertEquals("tensor 's': shape [3] needs 3 BYTES elements but the data hold 2",
                requestError(withInts(few, 4, 0, 0, 0, 'a', 'b', 'c', 'd', 4, 0, 0, 0, 'e', 'f', 'g', 'h'),
                        OptionalInt.of(few.length())));
    }

    @Test
    void structuralDefects() {
        assertEquals("the request has no \"inputs\"", requestError("{\"outputs\":[]}"));
        assertEquals("the request body is an array, not a JSON object", requestError("[1]"));
        assertEquals("inputs[0] has no \"name\"", requestError("{\"inputs\":[{\"shape\":[1],\"datatype\":\"FP32\"}]}"));
        assertEquals("tensor 'x' (inputs[0]) has no \"shape\"",
                requestError("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"data\":[1]}]}"));
        assertEquals("tensor 'x' (inputs[0]) has neither \"data\" nor binary_data_size",
                requestError(input("x", "[1]", "FP32", "\"parameters\":{}")));
        assertEquals("request: input 'x' appears twice", requestError(
                "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"INT8\",\"data\":[1]},"
                        + "{\"name\":\"x\",\"shape\":[1],\"datatype\":\"INT8\",\"data\":[1]}]}"));
        assertTrue(requestError("{\"inputs\":[").startsWith("the inference body is not valid JSON"));
        assertTrue(requestError("").startsWith("the inference body is not valid JSON")
                || requestError("").equals("the request body is missing, not a JSON object"));
        assertTrue(requestError(new byte[] {(byte) 0xfe, (byte) 0xff, 0, 0}, OptionalInt.empty())
                .startsWith("the inference body"));
        String deep = input("x", "[1]", "INT8", "\"data\":" + "[".repeat(5000) + "]".repeat(5000));
        assertTrue(requestError(deep).startsWith("the inference body is not valid JSON"), requestError(deep));
        assertEquals("inputs[0] is 7, not a tensor object", requestError("{\"inputs\":[7]}"));
    }

    @Test
    void hugeShapeOverTheLimitIsRejectedBeforeAllocating() {
        InferCodec big = new InferCodec(Long.MAX_VALUE);
        String h = input("x", "[1073741824,4]", "FP64", "\"parameters\":{\"binary_data_size\":8}");
        byte[] body = withBinary(h, new byte[8]);
        InferenceProtocolException e = assertThrows(InferenceProtocolException.class,
                () -> big.decodeRequest(body, OptionalInt.of(h.length())));
        assertEquals("tensor 'x' (inputs[0]): shape [1073741824, 4] of FP64 needs more bytes than one array can hold",
                e.getMessage());
        String j = input("x", "[100000000]", "FP64", "\"data\":[1,2,3]");
        e = assertThrows(InferenceProtocolException.class,
                () -> big.decodeRequest(j.getBytes(StandardCharsets.UTF_8), OptionalInt.empty()));
        assertEquals("tensor 'x' (inputs[0]): shape [100000000] needs 100000000 elements but \"data\" is only 7 bytes "
                + "of JSON", e.getMessage());
    }
}
