package dev.juggler.accel;

import java.time.Duration;
import java.time.Instant;

/**
 * The health of one device of a pool, as a small circuit breaker:
 * <ul>
 *   <li>{@link State#CLOSED}: in service. {@code failureThreshold} device failures in a row open it.</li>
 *   <li>{@link State#OPEN}: out of service until {@code probeAfter} has passed; then the next batch handed
 *       to it is its trial batch, and it becomes half-open.</li>
 *   <li>{@link State#HALF_OPEN}: the trial batch runs; no other batch is handed to it. Success closes the
 *       circuit, a device failure opens it for another {@code probeAfter}, and an outcome that says
 *       nothing about the device (the batch's own fault) makes it open and due again at once.</li>
 * </ul>
 * Only the trial batch's outcome brings a device back: batches that were already running when it was
 * taken out may still finish or fail, which resets or counts its failures but changes nothing else (a
 * failure may extend the time out). Time comes in as arguments.
 *
 * <p>Not thread-safe: the pool calls it under its lock.
 */
final class DeviceCircuit {

    /** The three states of the breaker. */
    enum State { CLOSED, OPEN, HALF_OPEN }

    private final int failureThreshold;
    private final Duration probeAfter;
    private int consecutiveFailures;
    private Instant outUntil;
    private boolean probing;

    DeviceCircuit(int failureThreshold, Duration probeAfter) {
        this.failureThreshold = failureThreshold;
        this.probeAfter = probeAfter;
    }

    State state() {
        return probing ? State.HALF_OPEN : outUntil == null ? State.CLOSED : State.OPEN;
    }

    /** Whether a batch may be handed to the device now. */
    boolean canTake(Instant now) {
        return outUntil == null || (!probing && !now.isBefore(outUntil));
    }

    /**
     * A batch is handed to the device (after {@link #canTake} said yes).
     *
     * @return {@code true} if it is the trial batch
     */
    boolean onAcquire() {
        if (outUntil != null) {
            probing = true;
            return true;
        }
        return false;
    }

    /**
     * A batch succeeded on the device.
     *
     * @return {@code true} if it was the trial batch and the device is back in service
     */
    boolean onSuccess(boolean trial) {
        consecutiveFailures = 0;
        if (trial) {
            outUntil = null;
            probing = false;
            return true;
        }
        return false;
    }

    /**
     * A batch failed because of the device.
     *
     * @return until when the device is now out of service, or {@code null} if it stays as it was
     */
    Instant onDeviceFailure(boolean trial, Instant now) {
        consecutiveFailures++;
        if (trial || consecutiveFailures >= failureThreshold) {
            if (trial) {
                probing = false;
            }
            outUntil = now.plus(probeAfter);
            return outUntil;
        }
        return null;
    }

    /** A batch failed through its own fault: a trial proved nothing, so another batch may probe. */
    void onInconclusive(boolean trial) {
        if (trial) {
            probing = false;
        }
    }

    /** {@code in service}, {@code probing} or {@code out until <instant>}. */
    String describe() {
        return outUntil == null ? "in service" : probing ? "probing" : "out until " + outUntil;
    }
}
