package dev.juggler.accel;

import java.util.Arrays;
import java.util.List;

/**
 * A {@link RotationPolicy.Devices} of plain values for testing schedules without a pool: names,
 * temperatures ({@code NaN} for none), throttling and whether each device can work. Not thread-safe.
 */
final class FakeDevices implements RotationPolicy.Devices {
    final String[] names;
    final double[] temperatures;
    final boolean[] throttling;
    final boolean[] canWork;

    FakeDevices(int n) {
        names = new String[n];
        temperatures = new double[n];
        throttling = new boolean[n];
        canWork = new boolean[n];
        for (int i = 0; i < n; i++) {
            names[i] = "d" + i;
        }
        Arrays.fill(temperatures, 30);
        Arrays.fill(canWork, true);
    }

    FakeDevices temperatures(double... celsius) {
        System.arraycopy(celsius, 0, temperatures, 0, celsius.length);
        return this;
    }

    List<String> nameList() {
        return List.of(names);
    }

    @Override
    public int size() {
        return names.length;
    }

    @Override
    public String name(int position) {
        return names[position];
    }

    @Override
    public double temperature(int position) {
        return temperatures[position];
    }

    @Override
    public boolean throttling(int position) {
        return throttling[position];
    }

    @Override
    public boolean canWork(int position) {
        return canWork[position];
    }
}
