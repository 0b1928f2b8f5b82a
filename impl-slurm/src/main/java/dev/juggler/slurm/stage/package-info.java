/** The SFTP {@link dev.juggler.stage.VideoStager}: resumable, verified, atomic, within a byte budget. */
package dev.juggler.slurm.stage;
