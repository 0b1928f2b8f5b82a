package dev.juggler.inference.remote.client;

import dev.juggler.inference.remote.Datatype;
import dev.juggler.inference.remote.InferTensor;
import dev.juggler.inference.remote.ServedModel;
import dev.juggler.inference.remote.TensorSpec;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** {@link TestModel} as a model that {@code juggler serve}'s server runs; refuses poison rows as bad input. */
final class AdderModel implements ServedModel {

    final AtomicLong poisonCalls = new AtomicLong();

    @Override
    public String name() {
        return TestModel.NAME;
    }

    @Override
    public String platform() {
        return "test";
    }

    @Override
    public List<TensorSpec> inputs() {
        return List.of(new TensorSpec("x", Datatype.FP32, new long[] {-1, 4}));
    }

    @Override
    public List<TensorSpec> outputs() {
        return List.of(new TensorSpec("y", Datatype.FP32, new long[] {-1, 4}), new TensorSpec("rowsum", Datatype.FP32, new long[] {-1, 1}));
    }

    @Override
    public int maxBatchSize() {
        return 64;
    }

    @Override
    public List<InferTensor> run(List<InferTensor> inputs) {
        float[] x = inputs.get(0).asFloats();
        for (int r = 0; r < x.length / 4; r++) {
            if (x[4 * r] == TestModel.POISON) {
                poisonCalls.incrementAndGet();
                throw new IllegalArgumentException("row " + r + " is poison");
            }
        }
        return TestModel.compute(inputs.get(0));
    }

    @Override
    public void close() {
    }
}
