/**
 * Devices that run models: {@link dev.juggler.accel.Accelerator} and what they report about their health,
 * and {@link dev.juggler.accel.AcceleratorPool}, several devices behind one, whose
 * {@link dev.juggler.accel.RotationPolicy} decides which of them work: all
 * ({@link dev.juggler.accel.RotationPolicy#none()}), fixed groups in turn
 * ({@link dev.juggler.accel.FixedGroupRotation}) or every device duty-cycled below a temperature
 * ({@link dev.juggler.accel.ThermalBudgetRotation}).
 */
package dev.juggler.accel;
