package dev.juggler.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FileNameCodecTest {

    @Test
    void encodesUnsafeBytesAndALeadingDotOrDash() {
        assertEquals("abc-1.2_3", FileNameCodec.encode("abc-1.2_3"));
        assertEquals("a%20b%2F..%2Fc", FileNameCodec.encode("a b/../c"));
        assertEquals("%2Drf", FileNameCodec.encode("-rf"));
        assertEquals("%2E.", FileNameCodec.encode(".."));
        assertEquals("%C3%A9%F0%9F%98%80", FileNameCodec.encode("é😀"));
        assertEquals("100%25", FileNameCodec.encode("100%"));
    }

    @Test
    void decodesOnlyCanonicalNames() {
        assertEquals(Optional.of("a b/../c"), FileNameCodec.decode("a%20b%2F..%2Fc"));
        assertEquals(Optional.of("-rf"), FileNameCodec.decode("%2Drf"));
        for (String foreign : new String[] {"", "-rf", ".hidden", "%41", "%2f", "%", "%2", "%zz", "a b", "%C3", "é"}) {
            assertEquals(Optional.empty(), FileNameCodec.decode(foreign), foreign);
        }
    }

    @Test
    void roundTripsRandomText() {
        long seed = Long.getLong("juggler.test.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int i = 0; i < 2_000; i++) {
            StringBuilder id = new StringBuilder();
            int length = 1 + random.nextInt(10);
            for (int j = 0; j < length; j++) {
                int cp;
                do {
                    cp = random.nextInt(4) == 0 ? random.nextInt(0x80) : random.nextInt(0x110000);
                } while (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE);
                id.appendCodePoint(cp);
            }
            String s = id.toString();
            assertEquals(Optional.of(s), FileNameCodec.decode(FileNameCodec.encode(s)), "seed " + seed + ", id " + s);
        }
    }

    @Test
    void refusesIdsThatUtf8CannotCarry() {
        assertThrows(IllegalArgumentException.class, () -> FileNameCodec.encode(""));
        assertThrows(IllegalArgumentException.class, () -> FileNameCodec.encode("x\uDC00"));
    }
}
