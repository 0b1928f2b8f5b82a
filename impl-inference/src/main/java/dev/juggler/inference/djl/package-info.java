/**
 * Accelerators backed by DJL (Deep Java Library), ONNX Runtime engine by default: any model DJL's engines
 * load, on CPU or on a GPU where the engine finds one.
 */
package dev.juggler.inference.djl;
