/**
 * Batch systems: {@link dev.juggler.cluster.ClusterBackend}, job specs and portable job states, and
 * {@link dev.juggler.cluster.LocalClusterBackend}, the embedded default that runs worker jobs as local
 * processes.
 */
package dev.juggler.cluster;
