package dev.juggler.sim;

import dev.juggler.InvalidConfigException;

/**
 * How videos reach the workspace. Immutable and thread-safe.
 *
 * @param bytesPerSecond the speed of one transfer (each of the juggler's parallel transfers gets it)
 * @param failureShare share of transfers that fail part-way (transient: the juggler tries again later)
 */
public record StagerModel(double bytesPerSecond, double failureShare) {
    public StagerModel {
        InvalidConfigException.requireInRange("stager.bytesPerSecond", bytesPerSecond, 1, 1e15);
        InvalidConfigException.requireInRange("stager.failureShare", failureShare, 0, 0.99);
    }
}
