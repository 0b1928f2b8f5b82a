package dev.juggler.inference.pose;

import dev.juggler.pipeline.Frame;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Letterboxes frames into BlazePose landmark inputs, one per tile crop, in pooled direct buffers: the
 * preprocessing that {@link BlazePoseModel} (in process) and {@link RemoteBlazePose} (on a server) share.
 *
 * <p>Thread-safe: the layout of the last frame size is cached in a volatile field (threads that race
 * build equal layouts) and the buffer pool is a concurrent queue.
 */
final class LetterboxInputs {

    /** How many spare input buffers are kept for reuse; more than any sane pipeline has in flight. */
    private static final int BUFFER_POOL = 128;

    private final int tileColumns;
    private final int tileRows;
    private final float tileOverlap;
    private final BlockingQueue<ByteBuffer> freeBuffers = new ArrayBlockingQueue<>(BUFFER_POOL);
    private volatile Letterbox.Layout layout; // of the last frame size seen; frames of one video share it

    LetterboxInputs(int tileColumns, int tileRows, float tileOverlap) {
        this.tileColumns = tileColumns;
        this.tileRows = tileRows;
        this.tileOverlap = tileOverlap;
    }

    /** Letterboxes each tile crop of {@code frame}; the frame's pixels are read, not kept. */
    BlazePoseModel.Input preprocess(Frame frame) {
        int w = frame.width();
        int h = frame.height();
        Letterbox.Layout current = this.layout;
        if (current == null || current.width != w || current.height != h) {
            current = new Letterbox.Layout(w, h, Letterbox.crops(w, h, tileColumns, tileRows, tileOverlap));
            this.layout = current;
        }
        ByteBuffer[] buffers = new ByteBuffer[current.crops.length];
        float[] row = new float[Letterbox.SIZE * 3];
        for (int i = 0; i < current.crops.length; i++) {
            ByteBuffer buffer = freeBuffers.poll();
            if (buffer == null) {
                buffer = ByteBuffer.allocateDirect(Letterbox.FLOATS * Float.BYTES).order(ByteOrder.nativeOrder());
            }
            buffer.clear();
            current.fill(frame, i, row, buffer.asFloatBuffer());
            buffers[i] = buffer;
        }
        return new BlazePoseModel.Input(buffers, current.crops, w, h);
    }

    /**
     * Marks {@code input} consumed and takes its buffers back. Only a fully processed input is recycled: a
     * failed one stays intact, so that the pipeline can retry it on its own.
     *
     * @throws IllegalArgumentException if it was consumed before
     */
    void recycle(BlazePoseModel.Input input) {
        input.consume();
        for (int t = 0; t < input.pixels.length; t++) {
            freeBuffers.offer(input.pixels[t]);
            input.pixels[t] = null;
        }
    }

    /** Drops the spare buffers. */
    void clear() {
        freeBuffers.clear();
    }
}
