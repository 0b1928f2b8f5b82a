/**
 * Simulated accelerators for tests and benchmarks: {@link dev.juggler.accel.sim.SimulatedDevice} (a
 * device that heats, cools and throttles like an inference stick) and {@link dev.juggler.accel.sim.VirtualTime}
 * (a clock that jumps to the next wake-up as soon as every simulated thread sleeps, so an hour of
 * device time runs in seconds).
 */
package dev.juggler.accel.sim;
