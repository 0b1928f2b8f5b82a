/**
 * The SFTP {@link dev.juggler.stage.VideoStager}: the {@link dev.juggler.stage.StagingProtocol} over a
 * cluster directory reached over SSH, with the bytes moved by SFTP or rsync.
 */
package dev.juggler.slurm.stage;
