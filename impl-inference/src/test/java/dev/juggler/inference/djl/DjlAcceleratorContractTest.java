package dev.juggler.inference.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.juggler.accel.Accelerator;
import dev.juggler.accel.AcceleratorContract;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** {@link AcceleratorContract} on a {@link DjlAccelerator} (ONNX Runtime, CPU) with the test's affine model. */
class DjlAcceleratorContractTest extends AcceleratorContract<float[], float[]> {

    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void buildModel() throws Exception {
        model = DjlAcceleratorTest.writeAffineModel(dir.resolve("affine.onnx"));
    }

    @Override
    protected Accelerator<float[], float[]> newAccelerator() {
        return DjlAccelerator.builder(model, DjlAccelerator.floatVectors(3)).device("cpu").predictors(2)
                .maxBatchSize(4).name("djl-contract").build();
    }

    @Override
    protected float[] input(int index) {
        return new float[] {index, 1, 0.5f};
    }

    @Override
    protected void assertOutput(int index, float[] output) {
        assertArrayEquals(DjlAcceleratorTest.expected(input(index)), output, 1e-3f, "output of input " + index);
    }

    /** Two values where the model takes three: the translator refuses it, a permanent failure. */
    @Override
    protected Optional<float[]> failingInput() {
        return Optional.of(new float[2]);
    }
}
