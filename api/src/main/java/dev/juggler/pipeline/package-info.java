/**
 * The frame pipeline: decode, preprocess, infer, postprocess and deliver, joined by bounded queues.
 * {@link dev.juggler.pipeline.BoundedFramePipeline} is the portable engine.
 */
package dev.juggler.pipeline;
