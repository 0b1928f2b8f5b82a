/**
 * Implementation details of the accelerator and sensor types: parsers and the bridge process. Nothing
 * outside this module may use these types; they change without notice.
 */
package dev.juggler.inference.accel.internal;
