/**
 * The cluster workspace: {@link dev.juggler.stage.VideoStager}, the one
 * {@link dev.juggler.stage.StagingProtocol} (reserve, resume, verify, atomic rename, budget, names,
 * reconciliation) over a small {@link dev.juggler.stage.StagingTransport}, and the embedded default
 * {@link dev.juggler.stage.LocalVideoStager} (a local directory with a byte budget).
 */
package dev.juggler.stage;
