/**
 * {@code juggler simulate}: the real juggler, workers and ledger in simulated time against models of the cluster,
 * the workers, the stager and the corpus, to prove a run of months before it starts. {@link dev.juggler.sim.Simulation}
 * is the entry point; {@link dev.juggler.sim.SimulationConfig} holds the models and the run's settings.
 */
package dev.juggler.sim;
