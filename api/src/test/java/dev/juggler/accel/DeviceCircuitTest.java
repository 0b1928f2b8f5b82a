package dev.juggler.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DeviceCircuitTest {

    private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
    private static final Duration PROBE_AFTER = Duration.ofSeconds(30);

    @Test
    void opensAfterTheThresholdOfConsecutiveFailuresOnly() {
        DeviceCircuit circuit = new DeviceCircuit(3, PROBE_AFTER);
        assertNull(circuit.onDeviceFailure(false, T0));
        assertNull(circuit.onDeviceFailure(false, T0));
        circuit.onSuccess(false);
        assertNull(circuit.onDeviceFailure(false, T0), "a success resets the count");
        assertNull(circuit.onDeviceFailure(false, T0));
        assertEquals(DeviceCircuit.State.CLOSED, circuit.state());
        assertEquals(T0.plus(PROBE_AFTER), circuit.onDeviceFailure(false, T0));
        assertEquals(DeviceCircuit.State.OPEN, circuit.state());
        assertEquals("out until " + T0.plus(PROBE_AFTER), circuit.describe());
    }

    @Test
    void openTakesNothingUntilProbeAfterThenExactlyOneTrial() {
        DeviceCircuit circuit = new DeviceCircuit(1, PROBE_AFTER);
        circuit.onDeviceFailure(false, T0);
        assertFalse(circuit.canTake(T0.plusSeconds(29)));
        assertTrue(circuit.canTake(T0.plusSeconds(30)));
        assertTrue(circuit.onAcquire(), "the first batch after probeAfter is the trial");
        assertEquals(DeviceCircuit.State.HALF_OPEN, circuit.state());
        assertEquals("probing", circuit.describe());
        assertFalse(circuit.canTake(T0.plusSeconds(31)), "half-open takes no second batch");
        assertTrue(circuit.onSuccess(true));
        assertEquals(DeviceCircuit.State.CLOSED, circuit.state());
        assertTrue(circuit.canTake(T0.plusSeconds(31)));
        assertFalse(circuit.onAcquire(), "a closed circuit hands out ordinary batches");
        assertEquals("in service", circuit.describe());
    }

    @Test
    void failedTrialOpensForAnotherPeriod() {
        DeviceCircuit circuit = new DeviceCircuit(5, PROBE_AFTER);
        for (int i = 0; i < 5; i++) {
            circuit.onDeviceFailure(false, T0);
        }
        Instant due = T0.plus(PROBE_AFTER);
        assertTrue(circuit.onAcquire());
        assertEquals(due.plus(PROBE_AFTER), circuit.onDeviceFailure(true, due), "a failed trial opens at once");
        assertEquals(DeviceCircuit.State.OPEN, circuit.state());
        assertFalse(circuit.canTake(due.plusSeconds(1)));
    }

    @Test
    void stragglersNeitherBringTheDeviceBackNorEndATrial() {
        DeviceCircuit circuit = new DeviceCircuit(1, PROBE_AFTER);
        circuit.onDeviceFailure(false, T0);
        assertFalse(circuit.onSuccess(false), "a batch that ran before the device was taken out proves nothing");
        assertEquals(DeviceCircuit.State.OPEN, circuit.state());
        Instant due = T0.plus(PROBE_AFTER);
        assertTrue(circuit.onAcquire());
        circuit.onDeviceFailure(false, due);
        assertEquals(DeviceCircuit.State.HALF_OPEN, circuit.state(), "only the trial's outcome ends the trial");
        assertTrue(circuit.onSuccess(true));
        assertEquals(DeviceCircuit.State.CLOSED, circuit.state());
    }

    @Test
    void inconclusiveTrialLetsAnotherBatchProbeAtOnce() {
        DeviceCircuit circuit = new DeviceCircuit(1, PROBE_AFTER);
        circuit.onDeviceFailure(false, T0);
        Instant due = T0.plus(PROBE_AFTER);
        assertTrue(circuit.onAcquire());
        circuit.onInconclusive(true);
        assertEquals(DeviceCircuit.State.OPEN, circuit.state());
        assertTrue(circuit.canTake(due));
        assertTrue(circuit.onAcquire());
        circuit.onInconclusive(false);
        assertEquals(DeviceCircuit.State.HALF_OPEN, circuit.state(), "an ordinary batch's fault changes nothing");
    }
}
