/**
 * Thermal sensors and accelerators for real hardware: {@link dev.juggler.inference.accel.LinuxThermalZones}
 * (the kernel's {@code /sys/class/thermal}), {@link dev.juggler.inference.accel.NvidiaSmiSensor} (GPU
 * temperature and throttle reasons from {@code nvidia-smi}), {@link dev.juggler.inference.accel.BridgeStick}
 * (an inference stick driven by a bridge process over a line protocol, see {@code docs/stick-bridge-protocol.md})
 * and {@link dev.juggler.inference.accel.SensorAccelerators} (gives any accelerator the health a sensor reads).
 */
package dev.juggler.inference.accel;
