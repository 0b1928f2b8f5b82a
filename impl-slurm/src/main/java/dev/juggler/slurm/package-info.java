/**
 * Juggler on a SLURM cluster reached over SSH: {@link dev.juggler.slurm.cluster.SlurmClusterBackend}
 * (a {@link dev.juggler.cluster.ClusterBackend}) and {@link dev.juggler.slurm.stage.SftpVideoStager}
 * (a {@link dev.juggler.stage.VideoStager}), both over one {@link dev.juggler.slurm.ssh.SshClient}.
 * See docs/slurm.md.
 */
package dev.juggler.slurm;
