/**
 * Implementation details of juggler-slurm (state mapping, batch scripts, squeue/sacct/sbatch output parsing,
 * the gate every controller call passes); not for use outside the module.
 */
package dev.juggler.slurm.internal;
