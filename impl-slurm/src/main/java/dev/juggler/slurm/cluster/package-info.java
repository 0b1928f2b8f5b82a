/** The SLURM {@link dev.juggler.cluster.ClusterBackend}: sbatch/squeue/sacct/scancel over SSH. */
package dev.juggler.slurm.cluster;
