package dev.juggler.pipeline;

/**
 * Receives a pipeline's progress while it runs, for dashboards and metrics libraries. Called on the
 * thread that runs the pipeline (the delivering thread), so it must return quickly; one that throws is
 * logged and ignored. When no listener is registered no progress is built.
 */
@FunctionalInterface
public interface PipelineListener {

    /** A periodic snapshot, and a last one when the run ends. */
    void onProgress(PipelineProgress progress);
}
