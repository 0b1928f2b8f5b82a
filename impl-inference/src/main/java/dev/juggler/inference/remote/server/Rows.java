package dev.juggler.inference.remote.server;

import dev.juggler.inference.remote.Datatype;
import dev.juggler.inference.remote.InferTensor;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts tensors into rows along the batch dimension and glues rows of several tensors together. The data
 * are in the binary extension's wire layout, so for fixed-size types a row is a fixed run of bytes; a
 * BYTES row is as many length-prefixed elements as one row holds, found by walking the prefixes.
 * Stateless and thread-safe.
 */
final class Rows {

    private Rows() {
    }

    /** The rows of a tensor: its first dimension. Callers have checked that the rank is at least 1. */
    static int count(InferTensor t) {
        return (int) t.shape()[0];
    }

    /**
     * Where each row starts in {@code t}'s data, plus the end: {@code rows + 1} offsets.
     *
     * @throws IllegalArgumentException if the data do not split into the rows (only a model's output can)
     */
    static int[] offsets(InferTensor t) {
        long[] shape = t.shape();
        if (shape.length == 0) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' is a scalar; it has no batch dimension");
        }
        int rows = (int) shape[0];
        int[] at = new int[rows + 1];
        int size = t.byteSize();
        if (t.datatype() != Datatype.BYTES) {
            if (rows > 0 && size % rows != 0) {
                throw new IllegalArgumentException("tensor '" + t.name() + "': " + size + " bytes do not split into "
                        + rows + " rows");
            }
            int rowBytes = rows == 0 ? 0 : size / rows;
            for (int r = 0; r <= rows; r++) {
                at[r] = r * rowBytes;
            }
            return at;
        }
        long perRow = rows == 0 ? 0 : t.elementCount() / rows;
        ByteBuffer b = t.dataBuffer();
        for (int r = 0; r < rows; r++) {
            at[r] = b.position();
            for (long e = 0; e < perRow; e++) {
                int len = b.getInt();
                b.position(b.position() + len);
            }
        }
        at[rows] = b.position();
        return at;
    }

    /** Rows {@code [from, from + count)} of {@code t}, given its {@link #offsets}; without parameters. */
    static InferTensor slice(InferTensor t, int[] offsets, int from, int count) {
        long[] shape = t.shape();
        shape[0] = count;
        byte[] data = new byte[offsets[from + count] - offsets[from]];
        t.dataBuffer().position(offsets[from]).get(data);
        return InferTensor.ofWire(t.name(), t.datatype(), shape, data);
    }

    /**
     * The rows of {@code parts} one after the other. All parts have the same name, datatype and dimensions
     * after the first; the caller has checked that.
     */
    static InferTensor concat(List<InferTensor> parts) {
        InferTensor first = parts.get(0);
        if (parts.size() == 1) {
            return first;
        }
        long rows = 0;
        long bytes = 0;
        for (InferTensor p : parts) {
            rows += p.shape()[0];
            bytes += p.byteSize();
        }
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor '" + first.name() + "': " + bytes
                    + " bytes in one batch exceed a Java array; lower the maximum batch size");
        }
        byte[] data = new byte[(int) bytes];
        int at = 0;
        for (InferTensor p : parts) {
            int n = p.byteSize();
            p.dataBuffer().get(data, at, n);
            at += n;
        }
        long[] shape = first.shape();
        shape[0] = rows;
        return InferTensor.ofWire(first.name(), first.datatype(), shape, data);
    }

    /** The dimensions after the batch dimension: requests batch together only when these agree. */
    static String innerDims(List<InferTensor> inputs) {
        StringBuilder key = new StringBuilder();
        for (InferTensor t : inputs) {
            long[] s = t.shape();
            key.append(Arrays.toString(Arrays.copyOfRange(s, 1, s.length)));
        }
        return key.toString();
    }
}
