package dev.juggler.inference.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CNumbersTest {
    // Expected values are what printf("%g", (double) f) prints for these floats.
    @ParameterizedTest
    @CsvSource({
        "0, 0", "-0.0, -0", "1, 1", "-3, -3", "320, 320", "999999, 999999", "1000000, 1e+06",
        "0.5, 0.5", "0.1, 0.1", "352.974, 352.974", "0.897848, 0.897848", "123.456789, 123.457",
        "0.0001, 0.0001", "0.00001234, 1.234e-05", "1234567, 1.23457e+06", "12345678901, 1.23457e+10",
        "-0.25, -0.25", "2.5e-20, 2.5e-20", "100.5, 100.5", "99999.95, 100000", "99999.94, 99999.9", "0.000123456789, 0.000123457"
    })
    void formatsLikePrintfG(float value, String expected) {
        assertEquals(expected, CNumbers.format(value));
    }
}
