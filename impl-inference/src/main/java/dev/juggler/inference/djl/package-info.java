/**
 * Accelerators backed by DJL (Deep Java Library), ONNX Runtime engine by default: any model DJL's engines
 * load, on CPU or on a GPU where the engine finds one; and {@link dev.juggler.inference.djl.OnnxServedModel},
 * which serves any ONNX model over the inference protocol with its own inputs and outputs.
 */
package dev.juggler.inference.djl;
