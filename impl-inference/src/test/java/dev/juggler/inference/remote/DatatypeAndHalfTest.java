package dev.juggler.inference.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class DatatypeAndHalfTest {

    @Test
    void wireNamesAndSizesFollowTheProtocolTable() {
        String[] names = {"BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16",
            "FP32", "FP64", "BF16", "BYTES"};
        int[] sizes = {1, 1, 2, 4, 8, 1, 2, 4, 8, 2, 4, 8, 2, -1};
        for (int i = 0; i < names.length; i++) {
            Datatype d = Datatype.fromWireName(names[i]);
            assertEquals(names[i], d.wireName());
            assertEquals(sizes[i] < 0 ? OptionalInt.empty() : OptionalInt.of(sizes[i]), d.elementSize());
        }
        assertEquals(names.length, Datatype.values().length);
    }

    @Test
    void unknownOrWrongCaseNamesArePermanentErrors() {
        for (String bad : new String[] {"fp32", "FLOAT32", "", "TYPE_FP32"}) {
            InferenceProtocolException e = assertThrows(InferenceProtocolException.class, () -> Datatype.fromWireName(bad));
            assertTrue(e.getMessage().contains("unknown datatype \"" + bad + "\""), e.getMessage());
            assertFalse(e.isTransient());
        }
    }

    @Test
    void everyFp16PatternSurvivesFloatAndBack() {
        for (int h = 0; h < 0x10000; h++) {
            float f = HalfFloats.fp16ToFloat((short) h);
            short back = HalfFloats.floatToFp16(f);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(HalfFloats.fp16ToFloat(back)), Integer.toHexString(h));
            } else {
                assertEquals((short) h, back, Integer.toHexString(h));
            }
        }
    }

    @Test
    void fp16KnownValuesAndRounding() {
        assertEquals((short) 0x0000, HalfFloats.floatToFp16(0f));
        assertEquals((short) 0x8000, HalfFloats.floatToFp16(-0f));
        assertEquals((short) 0x0001, HalfFloats.floatToFp16(0x1p-24f)); // smallest subnormal
        assertEquals((short) 0x0000, HalfFloats.floatToFp16(0x1p-25f)); // tie rounds to even zero
        assertEquals((short) 0x0001, HalfFloats.floatToFp16(0x1.8p-25f));
        assertEquals((short) 0x0400, HalfFloats.floatToFp16(0x1p-14f)); // smallest normal
        assertEquals((short) 0x3c00, HalfFloats.floatToFp16(1f));
        assertEquals((short) 0x3c00, HalfFloats.floatToFp16(1f + 0x1p-11f)); // tie to even
        assertEquals((short) 0x3c02, HalfFloats.floatToFp16(1f + 0x3p-11f)); // tie to even, upwards
        assertEquals((short) 0x7bff, HalfFloats.floatToFp16(65504f)); // largest finite
        assertEquals((short) 0x7c00, HalfFloats.floatToFp16(65520f)); // rounds up to infinity
        assertEquals((short) 0xfc00, HalfFloats.floatToFp16(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(HalfFloats.fp16ToFloat(HalfFloats.floatToFp16(Float.NaN))));
        assertEquals(-2f, HalfFloats.fp16ToFloat((short) 0xc000));
    }

    @Test
    void bf16IsTheRoundedUpperHalfOfFp32() {
        assertEquals((short) 0x3f80, HalfFloats.floatToBf16(1f));
        assertEquals((short) 0x3f80, HalfFloats.floatToBf16(Float.intBitsToFloat(0x3f808000))); // tie to even
        assertEquals((short) 0x3f82, HalfFloats.floatToBf16(Float.intBitsToFloat(0x3f818000)));
        assertEquals(1f, HalfFloats.bf16ToFloat((short) 0x3f80));
        assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Float.intBitsToFloat(0x7f800001)))));
    }
}
