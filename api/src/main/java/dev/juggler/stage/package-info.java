/**
 * The cluster workspace: {@link dev.juggler.stage.VideoStager} and the embedded default
 * {@link dev.juggler.stage.LocalVideoStager} (a local directory with a byte budget).
 */
package dev.juggler.stage;
