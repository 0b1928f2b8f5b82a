package dev.juggler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class InvalidConfigExceptionTest {

    @Test
    void namesTheFieldTheValueAndTheRule() {
        InvalidConfigException e = InvalidConfigException.of("slots", -2, "must be >= 1");
        assertEquals("slots = -2: must be >= 1", e.getMessage());
        assertFalse(e.isTransient());
    }

    @Test
    void requirePositiveAcceptsPositiveDurationsAndRejectsTheRest() {
        assertEquals(Duration.ofSeconds(3), InvalidConfigException.requirePositive("timeout", Duration.ofSeconds(3)));
        assertEquals("timeout = PT0S: must be a positive duration (e.g. PT30S)",
                assertThrows(InvalidConfigException.class,
                        () -> InvalidConfigException.requirePositive("timeout", Duration.ZERO)).getMessage());
        assertThrows(InvalidConfigException.class, () -> InvalidConfigException.requirePositive("timeout", Duration.ofMillis(-1)));
        assertEquals("timeout = null: must be a positive duration (e.g. PT30S)",
                assertThrows(InvalidConfigException.class, () -> InvalidConfigException.requirePositive("timeout", null))
                        .getMessage());
    }
}
