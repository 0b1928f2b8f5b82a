/** Implementation details of juggler-slurm (state mapping, batch scripts); not for use outside the module. */
package dev.juggler.slurm.internal;
