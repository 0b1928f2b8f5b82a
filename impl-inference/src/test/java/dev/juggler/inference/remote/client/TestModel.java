package dev.juggler.inference.remote.client;

import dev.juggler.inference.remote.InferRequest;
import dev.juggler.inference.remote.InferResponse;
import dev.juggler.inference.remote.InferTensor;
import dev.juggler.inference.remote.InferenceProtocolException;
import dev.juggler.inference.remote.RequestedOutput;
import java.util.List;

/**
 * The model the client tests call: input {@code x} FP32 [n,4]; outputs {@code y} = x + 1 and {@code rowsum}
 * (the sum of each row of x). Its mapping sends one float[4] per frame and returns y.
 */
final class TestModel implements TensorMapping<float[], float[]> {

    static final String NAME = "adder";
    /** A first value that servers refuse as bad input. */
    static final float POISON = -999f;

    static List<InferTensor> compute(InferTensor x) {
        float[] in = x.asFloats();
        int n = in.length / 4;
        float[] y = new float[in.length];
        float[] sums = new float[n];
        for (int i = 0; i < in.length; i++) {
            y[i] = in[i] + 1;
            sums[i / 4] += in[i];
        }
        return List.of(InferTensor.ofFloats("y", new long[] {n, 4}, y), InferTensor.ofFloats("rowsum", new long[] {n, 1}, sums));
    }

    @Override
    public InferRequest request(List<float[]> batch) {
        float[] flat = new float[batch.size() * 4];
        for (int i = 0; i < batch.size(); i++) {
            System.arraycopy(batch.get(i), 0, flat, 4 * i, 4);
        }
        return InferRequest.of(List.of(InferTensor.ofFloats("x", new long[] {batch.size(), 4}, flat)),
                List.of(RequestedOutput.of("y")));
    }

    @Override
    public List<float[]> outputs(InferResponse response, List<float[]> batch) {
        InferTensor y = response.output("y").orElseThrow(() -> new InferenceProtocolException("no output y"));
        float[] flat = y.asFloats();
        if (flat.length != batch.size() * 4) {
            throw new InferenceProtocolException("y has " + flat.length + " values for " + batch.size() + " rows");
        }
        return java.util.stream.IntStream.range(0, batch.size())
                .mapToObj(i -> java.util.Arrays.copyOfRange(flat, 4 * i, 4 * i + 4)).toList();
    }

    @Override
    public void check(ModelMetadata model) {
        if (model.input("x").isEmpty() || model.output("y").isEmpty()) {
            throw new dev.juggler.InvalidConfigException("model " + model.name() + " is not the adder");
        }
    }
}
