/** Devices that run models: {@link dev.juggler.accel.Accelerator} and what they report about their health. */
package dev.juggler.accel;
