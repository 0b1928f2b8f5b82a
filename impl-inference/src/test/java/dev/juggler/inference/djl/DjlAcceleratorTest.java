package dev.juggler.inference.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.pipeline.BoundedFramePipeline;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.PipelineReport;
import dev.juggler.pipeline.PipelineRequest;
import dev.juggler.video.FrameRange;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;

/** DJL + ONNX Runtime on a tiny model the test builds itself: y = x · W + b, with exact numbers. */
class DjlAcceleratorTest {

    @TempDir
    static Path dir;
    static Path model;

    /** W is 3x2, row-major. */
    static final float[] W = {1, 2, 3, 4, 5, 6};
    static final float[] B = {0.5f, -1f};

    @BeforeAll
    static void buildModel() throws Exception {
        model = writeAffineModel(dir.resolve("affine.onnx"));
    }

    /** Writes the ONNX model y = x · W + b to {@code file} and returns it; shared with the contract test. */
    static Path writeAffineModel(Path file) throws Exception {
        ONNXContext ctx = new ONNXContext();
        ONNXPlaceholder x = ctx.floatInput("x", 3);
        ONNXPlaceholder y = ctx.floatOutput("y", 2);
        ONNXNode product = x.apply(ONNXOperators.GEMM, ctx.floatTensor("w", List.of(3, 2), buf -> buf.put(W)));
        product.apply(ONNXOperators.ADD, ctx.array("b", B)).assignTo(y);
        OnnxMl.ModelProto proto = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(13).build())
                .setProducerName("juggler-test")
                .setGraph(ctx.buildGraph())
                .build();
        try (OutputStream out = Files.newOutputStream(file)) {
            proto.writeTo(out);
        }
        return file;
    }

    static float[] expected(float[] x) {
        return new float[] {
            x[0] * W[0] + x[1] * W[2] + x[2] * W[4] + B[0],
            x[0] * W[1] + x[1] * W[3] + x[2] * W[5] + B[1]};
    }

    @Test
    void runsBatchesWithExactNumbers() {
        try (DjlAccelerator<float[], float[]> acc = DjlAccelerator.builder(model, DjlAccelerator.floatVectors(3))
                .device("cpu").maxBatchSize(4).build()) {
            assertEquals(4, acc.maxBatchSize());
            assertTrue(acc.name().contains("onnxruntime"), acc.name());
            List<float[]> out = acc.infer(List.of(new float[] {1, 0, 2}, new float[] {0, 0, 0}, new float[] {-1, 2, 0.25f}));
            assertArrayEquals(new float[] {11.5f, 13f}, out.get(0));
            assertArrayEquals(new float[] {0.5f, -1f}, out.get(1));
            assertArrayEquals(expected(new float[] {-1, 2, 0.25f}), out.get(2));
            assertArrayEquals(new float[] {4.5f, 5f}, acc.infer(List.of(new float[] {1, 1, 0})).get(0));
            JugglerException bad = assertThrows(JugglerException.class, () -> acc.infer(List.of(new float[] {1, 2})));
            assertTrue(bad.getMessage().contains("3"), bad.getMessage());
            assertThrows(IllegalArgumentException.class, () -> acc.infer(List.of(new float[3], new float[3], new float[3],
                    new float[3], new float[3])));
        }
    }

    @Test
    void runsInsideTheFramePipelineOnSeveralThreads() {
        // Each frame's input is (index, 1, 0): the output must match it in frame order.
        try (DjlAccelerator<float[], float[]> acc = DjlAccelerator.builder(model, DjlAccelerator.floatVectors(3))
                .predictors(2).build();
             BoundedFramePipeline<float[], float[]> pipeline = BoundedFramePipeline.builder(
                             (location, range) -> new CountingSource(range),
                             (Frame f) -> new float[] {f.index(), 1, 0}, acc,
                             (info, y) -> y[0] + "," + y[1])
                     .inferenceThreads(2).maxBatchSize(4).build()) {
            List<String> results = new ArrayList<>();
            PipelineReport report = pipeline.run(PipelineRequest.simple(7, "counting", FrameRange.of(10, 60),
                    r -> results.add(r.frame() + ":" + r.payload())));
            assertTrue(report.isComplete(), report.toString());
            for (int i = 0; i < 50; i++) {
                float[] y = expected(new float[] {10 + i, 1, 0});
                assertEquals((10 + i) + ":" + y[0] + "," + y[1], results.get(i));
            }
        }
    }

    @Test
    void missingModelAndBadSettingsAreClearErrors() {
        JugglerException e = assertThrows(JugglerException.class,
                () -> DjlAccelerator.builder(dir.resolve("absent.onnx"), DjlAccelerator.floatVectors(3)).build());
        assertTrue(e.getMessage().contains("absent.onnx"), e.getMessage());
        assertThrows(InvalidConfigException.class,
                () -> DjlAccelerator.builder(model, DjlAccelerator.floatVectors(3)).device("tpu"));
        JugglerException gpu = assertThrows(JugglerException.class,
                () -> DjlAccelerator.builder(model, DjlAccelerator.floatVectors(3)).device("gpu7").build());
        assertTrue(gpu.getMessage().contains("gpu7"), gpu.getMessage());
    }

    /** A frame source of tiny blank frames, for tests that need none of the pixels. */
    static final class CountingSource implements dev.juggler.pipeline.FrameSource {
        private long next;
        private final long to;

        CountingSource(FrameRange range) {
            this.next = range.from();
            this.to = range.to();
        }

        @Override
        public Frame next() {
            if (next >= to) {
                return null;
            }
            long i = next++;
            return new Frame(new dev.juggler.pipeline.FrameInfo(i, i / 25.0, 2, 2), new byte[12], 6);
        }

        @Override
        public void close() {
        }
    }
}
