/**
 * <b>Simulation support for tests and benchmarks; not production API.</b> Nothing in Juggler's
 * production code uses this package, and a host's production code should not either: it may change
 * between releases without notice. It lives in the api jar (rather than the test-jar) so that tests and
 * benchmarks of other modules and of hosts can simulate thermal behaviour without a device.
 *
 * <ul>
 *   <li>{@link dev.juggler.accel.sim.SimulatedDevice}: a device that heats, cools and throttles like an
 *       inference stick;</li>
 *   <li>{@link dev.juggler.accel.sim.VirtualTime}: a clock that jumps to the next wake-up as soon as every
 *       simulated thread sleeps, so an hour of device time runs in seconds;</li>
 *   <li>{@link dev.juggler.accel.sim.Sleeper}: how a simulated device waits, in real or virtual time.</li>
 * </ul>
 */
package dev.juggler.accel.sim;
