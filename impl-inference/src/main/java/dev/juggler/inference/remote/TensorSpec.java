package dev.juggler.inference.remote;

import java.util.Arrays;
import java.util.Objects;

/**
 * The name, datatype and shape of one model input or output, as the model metadata call reports it. A
 * dimension of {@code -1} takes any size; the first dimension of a batching model's tensors is its batch
 * dimension and is always {@code -1}.
 *
 * <p>Immutable and thread-safe (the shape is copied in and out).
 *
 * @param name the tensor's name, non-blank
 * @param datatype its element type
 * @param shape its dimensions, each {@code -1} or {@code >= 0}
 */
public record TensorSpec(String name, Datatype datatype, long[] shape) {

    /** Checks the values and copies the shape. */
    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(datatype, "datatype");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a tensor name must not be blank");
        }
        shape = Objects.requireNonNull(shape, "shape").clone();
        for (long d : shape) {
            if (d < -1) {
                throw new IllegalArgumentException("tensor " + name + ": dimension " + d + " is neither -1 nor >= 0");
            }
        }
    }

    /** The dimensions; {@code -1} where any size is taken. A copy. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** {@code true} if {@code concrete} has this spec's rank and agrees with every fixed dimension. */
    public boolean accepts(long[] concrete) {
        if (concrete.length != shape.length) {
            return false;
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] != -1 && shape[i] != concrete[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && name.equals(t.name) && datatype == t.datatype && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, datatype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return name + " " + datatype.wireName() + Arrays.toString(shape);
    }
}
