package dev.juggler.inference.remote;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Checks and copies a protocol {@code parameters} map. The protocol allows only string, number and
 * boolean values; integers are kept as {@link Long} and other numbers as {@link Double} so that a map
 * compares equal after a trip over the wire. Insertion order is kept so encodings are deterministic.
 * Stateless and thread-safe.
 */
final class Params {
    private Params() {
    }

    static Map<String, Object> copy(Map<String, ?> parameters, String where) {
        Objects.requireNonNull(parameters, "parameters");
        if (parameters.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : parameters.entrySet()) {
            String key = e.getKey();
            if (key == null) {
                throw new InferenceProtocolException(where + ": a parameter has a null name");
            }
            copy.put(key, normalize(e.getValue(), where, key));
        }
        return Collections.unmodifiableMap(copy);
    }

    private static Object normalize(Object value, String where, String key) {
        if (value instanceof String || value instanceof Boolean || value instanceof Long) {
            return value;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (!Double.isFinite(d)) {
                // JSON has no spelling for it that every server reads
                throw new InferenceProtocolException(where + ": parameter \"" + InferTensor.clip(key)
                        + "\" is " + d + "; parameters must be finite numbers");
            }
            return d;
        }
        throw new InferenceProtocolException(where + ": parameter \"" + InferTensor.clip(key) + "\" is "
                + (value == null ? "null" : "a " + value.getClass().getSimpleName())
                + "; the protocol allows only strings, numbers and booleans");
    }
}
