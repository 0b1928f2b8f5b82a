package dev.juggler.inference.accel.internal;

import dev.juggler.JugglerException;
import dev.juggler.accel.ThermalReading;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses the output of {@code nvidia-smi --query-gpu=<fields> --format=csv,noheader,nounits}: one line per
 * GPU, values in the order of the queried fields, separated by {@code ", "}. Columns are found by field
 * name, so extra fields are fine. Values nvidia-smi cannot give ({@code [N/A]}, {@code [Not Supported]})
 * leave a GPU without a temperature, and such a GPU is left out. Internal; stateless and thread-safe.
 */
public final class NvidiaSmiCsv {

    /**
     * Throttle reasons that mean the GPU is slower than it could be because of heat or power:
     * SW power cap 0x4, HW slowdown 0x8, SW thermal slowdown 0x20, HW thermal slowdown 0x40,
     * HW power brake 0x80. Idle (0x1), application clocks (0x2), sync boost (0x10) and display clock
     * (0x100) are not throttling in this sense.
     */
    public static final long THROTTLING_MASK = 0x4L | 0x8L | 0x20L | 0x40L | 0x80L;

    private NvidiaSmiCsv() {
    }

    /**
     * @param fields the queried field names in order, e.g. {@code index, temperature.gpu, clocks_throttle_reasons.active}
     * @param output what nvidia-smi printed
     * @param at the instant of the query
     * @throws JugglerException (permanent) if a line does not have one value per field or a number is malformed
     */
    public static List<ThermalReading> parse(List<String> fields, String output, Instant at) {
        int index = column(fields, "index");
        int temperature = column(fields, "temperature.gpu");
        int reasons = column(fields, "clocks_throttle_reasons.active");
        if (reasons < 0) {
            reasons = column(fields, "clocks_event_reasons.active");
        }
        if (temperature < 0) {
            throw new JugglerException("nvidia-smi query must include temperature.gpu; fields were " + fields);
        }
        List<ThermalReading> readings = new ArrayList<>();
        int lineNo = 0;
        for (String raw : output.split("\\R")) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] values = line.split("\\s*,\\s*", -1);
            if (values.length != fields.size()) {
                throw new JugglerException("nvidia-smi line " + lineNo + " has " + values.length + " values, expected "
                        + fields.size() + " for " + fields + ": '" + line + "'");
            }
            String id = index >= 0 ? "gpu" + values[index] : "gpu" + (readings.size());
            if (missing(values[temperature])) {
                continue;
            }
            double celsius;
            try {
                celsius = Double.parseDouble(values[temperature]);
            } catch (NumberFormatException e) {
                throw JugglerException.permanentFailure("nvidia-smi line " + lineNo + ": temperature '" + values[temperature]
                        + "' is not a number", e);
            }
            boolean throttling = false;
            if (reasons >= 0 && !missing(values[reasons])) {
                throttling = (parseMask(values[reasons], lineNo) & THROTTLING_MASK) != 0;
            }
            readings.add(new ThermalReading(id, celsius, throttling, at));
        }
        return readings;
    }

    private static long parseMask(String value, int lineNo) {
        String v = value.toLowerCase(Locale.ROOT);
        try {
            return v.startsWith("0x") ? Long.parseUnsignedLong(v.substring(2), 16) : Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw JugglerException.permanentFailure("nvidia-smi line " + lineNo + ": throttle reasons '" + value
                    + "' is not a bit mask", e);
        }
    }

    private static boolean missing(String value) {
        return value.isEmpty() || value.startsWith("[") || value.equalsIgnoreCase("N/A");
    }

    private static int column(List<String> fields, String name) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).strip().equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }
}
