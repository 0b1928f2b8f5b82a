package dev.juggler.inference.pose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import dev.juggler.inference.remote.Datatype;
import dev.juggler.inference.remote.InferCodec;
import dev.juggler.inference.remote.InferRequest;
import dev.juggler.inference.remote.InferResponse;
import dev.juggler.inference.remote.InferTensor;
import dev.juggler.inference.remote.InferenceProtocolException;
import dev.juggler.inference.remote.TensorSpec;
import dev.juggler.inference.remote.client.ModelMetadata;
import dev.juggler.inference.testing.Requirements;
import dev.juggler.inference.video.FfmpegFrameSources;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameSource;
import dev.juggler.pipeline.PixelFormat;
import dev.juggler.video.FrameRange;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * BlazePose split between a client ({@link RemoteBlazePose}) and a served model ({@link BlazePoseServedModel}),
 * through the wire codec in binary and JSON, finds the same people as the in-process model.
 */
class RemoteBlazePoseTest {

    @Test
    void theSplitModelFindsExactlyWhatTheInProcessModelFinds() {
        Path video = Requirements.footage(Requirements.VTEST);
        Path model = Requirements.poseModel(PoseModels.Variant.LITE);
        InferCodec codec = new InferCodec();
        int people = 0;
        try (BlazePoseModel local = BlazePoseModel.builder(model).tiles(2, 2).maxBatchSize(4).build();
                BlazePoseServedModel served = BlazePoseServedModel.open("blazepose", model, 1, 1, 64);
                FrameSource frames = FfmpegFrameSources.builder().pixelFormat(PixelFormat.I420).build()
                        .open(video.toString(), FrameRange.of(0, 24))) {
            RemoteBlazePose remote = RemoteBlazePose.of(2, 2, BlazePoseModel.DEFAULT_TILE_OVERLAP, BlazePoseModel.DEFAULT_MIN_POSE_SCORE);
            List<BlazePoseModel.Input> localBatch = new ArrayList<>();
            List<BlazePoseModel.Input> remoteBatch = new ArrayList<>();
            boolean binary = true;
            Frame frame;
            while ((frame = frames.next()) != null) {
                localBatch.add(local.preprocess(frame));
                remoteBatch.add(remote.preprocess(frame));
                frames.recycle(frame);
                if (localBatch.size() == 4) {
                    List<PoseFrame> expected = local.infer(localBatch);
                    List<PoseFrame> actual = overTheWire(codec, remote, served, remoteBatch, binary);
                    binary = !binary;
                    assertEquals(expected, actual);
                    people += expected.stream().mapToInt(p -> p.people().size()).sum();
                    localBatch.clear();
                    remoteBatch.clear();
                }
            }
        }
        assertTrue(people > 20, "vtest.avi has pedestrians in its first frames: " + people);
    }

    private static List<PoseFrame> overTheWire(InferCodec codec, RemoteBlazePose remote, BlazePoseServedModel served,
            List<BlazePoseModel.Input> batch, boolean binary) {
        InferCodec.Encoded request = codec.encodeRequest(remote.request(batch), binary);
        InferRequest received = codec.decodeRequest(request.body(), request.headerLength());
        assertEquals(4 * batch.size(), received.inputs().get(0).shape()[0], "one row per crop");
        InferResponse response = InferResponse.of(served.name(), served.run(received.inputs()));
        InferCodec.Encoded answer = codec.encodeResponse(response, binary);
        return remote.outputs(codec.decodeResponse(answer.body(), answer.headerLength()), batch);
    }

    @Test
    void aResponseThatDoesNotFitTheBatchIsAProtocolError() {
        RemoteBlazePose remote = RemoteBlazePose.of(1, 1, 0f, 0.5f);
        InferResponse wrong = InferResponse.of("blazepose", List.of(
                InferTensor.ofFloats(RemoteBlazePose.LANDMARKS, new long[] {1, 195}, new float[195]),
                InferTensor.ofFloats(RemoteBlazePose.SCORE, new long[] {1, 1}, new float[1])));
        assertThrows(InferenceProtocolException.class, () -> remote.outputs(wrong, List.of()));
        InferResponse missing = InferResponse.of("blazepose", List.of(
                InferTensor.ofFloats(RemoteBlazePose.SCORE, new long[] {0, 1}, new float[0])));
        InferenceProtocolException e = assertThrows(InferenceProtocolException.class, () -> remote.outputs(missing, List.of()));
        assertTrue(e.getMessage().contains(RemoteBlazePose.LANDMARKS), e.getMessage());
    }

    @Test
    void aServerWithOtherTensorsIsRefusedByName() {
        RemoteBlazePose remote = RemoteBlazePose.of(1, 1, 0f, 0.5f);
        ModelMetadata yolo = new ModelMetadata("yolo", List.of("1"), "onnxruntime",
                List.of(new TensorSpec("images", Datatype.FP32, new long[] {-1, 3, 640, 640})),
                List.of(new TensorSpec("output0", Datatype.FP32, new long[] {-1, 84, 8400})));
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> remote.check(yolo));
        assertTrue(e.getMessage().contains("image") && e.getMessage().contains("yolo"), e.getMessage());
        remote.check(new ModelMetadata("blazepose", List.of(), "tflite", List.of(RemoteBlazePose.INPUT_SPEC),
                List.of(RemoteBlazePose.SCORE_SPEC, RemoteBlazePose.LANDMARKS_SPEC)));
    }
}
