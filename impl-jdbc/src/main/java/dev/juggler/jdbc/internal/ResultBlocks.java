package dev.juggler.jdbc.internal;

import dev.juggler.ledger.FrameResult;
import java.util.ArrayList;
import java.util.List;

/**
 * A block of consecutive frames in one results row (schema version 7): tag {@link #BLOCK}, the number of
 * frames, then per frame its stored form ({@link StoredResults}) behind its length. One row per frame costs
 * PostgreSQL about 80 bytes of row header, key and index entry, plus the space four rows of about 2 KB leave
 * free in an 8 KB page; a block pays that once for up to {@link #MAX_FRAMES} frames. Documented in
 * {@code docs/storage.md}. Stateless and thread-safe.
 */
final class ResultBlocks {

    /** Tag: a block of frames. */
    static final byte BLOCK = 32;
    /**
     * The most frames in one block. Readers look this far back for a block that covers a range's first frame,
     * so it is part of the format: it may never grow.
     */
    static final int MAX_FRAMES = 64;

    /**
     * A block's bytes stop growing here: a frame that would take it past this starts the next row. Keeps a
     * row far below PostgreSQL's 1 GB value limit whatever a host's results weigh, and a read of one frame
     * from fetching much more than it needs.
     */
    static final int MAX_BYTES = 1 << 20;

    /** One results row: a frame ({@code frames} 1, its stored form) or a block of {@code frames} frames from {@code frame}. */
    record Row(long trackId, long frame, int frames, byte[] data) {
    }

    /** Receives one frame's stored form, a slice of the block's bytes. */
    @FunctionalInterface
    interface EntryConsumer {
        void accept(int index, byte[] block, int from, int to);
    }

    /** Receives one frame's payload. */
    @FunctionalInterface
    interface PayloadConsumer {
        void accept(int index, String payload);
    }

    private ResultBlocks() {
    }

    /**
     * The rows that store {@code frames} (of one track, in frame order, each once): each run of consecutive
     * frames in blocks of up to {@link #MAX_FRAMES} frames and {@link #MAX_BYTES} bytes, a frame without a
     * neighbour (or too large for a block) in a row of its own. Blocks do not cross a multiple of
     * {@link #MAX_FRAMES}, so that two workers' batches of one track cut the same frames into the same
     * blocks, whatever frame their batches start at. Within a block, an OpenPose document is predicted from
     * the frame before it where that is shorter ({@link StoredResults.SequenceEncoder}).
     */
    static List<Row> rows(long trackId, List<FrameResult> frames) {
        List<Row> rows = new ArrayList<>(frames.size() / MAX_FRAMES + 2);
        List<byte[]> run = new ArrayList<>(MAX_FRAMES);
        StoredResults.SequenceEncoder encoder = new StoredResults.SequenceEncoder();
        long first = 0;
        int runBytes = 0;
        for (FrameResult frame : frames) {
            long at = frame.frame();
            boolean joins = !run.isEmpty() && at == first + run.size() && at % MAX_FRAMES != 0;
            byte[] entry = encoder.next(frame.payload(), !joins);
            if (joins && runBytes + entry.length > MAX_BYTES) {
                joins = false;
                entry = encoder.next(frame.payload(), true);
            }
            if (!joins) {
                flush(trackId, first, run, rows);
                first = at;
                runBytes = 0;
            }
            run.add(entry);
            runBytes += entry.length;
        }
        flush(trackId, first, run, rows);
        return rows;
    }

    private static void flush(long trackId, long first, List<byte[]> run, List<Row> rows) {
        if (run.size() == 1) {
            rows.add(new Row(trackId, first, 1, run.get(0)));
        } else if (run.size() > 1) {
            rows.add(new Row(trackId, first, run.size(), encode(run)));
        }
        run.clear();
    }

    /** The block holding {@code entries} (stored forms, two to {@link #MAX_FRAMES} of them) in frame order. */
    static byte[] encode(List<byte[]> entries) {
        if (entries.size() < 2 || entries.size() > MAX_FRAMES) {
            throw new IllegalArgumentException("a block holds 2 to " + MAX_FRAMES + " frames, not " + entries.size());
        }
        int size = 1 + 1;
        for (byte[] entry : entries) {
            size += 5 + entry.length;
        }
        ByteStream out = new ByteStream(size);
        out.write(BLOCK);
        out.writeVarint(entries.size());
        for (byte[] entry : entries) {
            out.writeVarint(entry.length);
            out.write(entry);
        }
        return out.toArray();
    }

    /**
     * Hands the payloads of the block's frames from index {@code from} on to {@code consumer}, in order. The
     * pose frames before are decoded too, since a later one may be predicted from them.
     *
     * @throws IllegalArgumentException if the block or a frame in it is damaged (or written by a newer
     *     Juggler), with the reason
     */
    static void payloads(byte[] block, int frames, int from, PayloadConsumer consumer) {
        StoredResults.SequenceDecoder decoder = new StoredResults.SequenceDecoder();
        forEach(block, frames, (index, bytes, start, end) -> {
            if (index < from && !StoredResults.isPose(bytes[start])) {
                decoder.skip(); // nothing after it is predicted from it
                return;
            }
            String payload;
            try {
                payload = decoder.next(bytes, start, end);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("frame " + index + " of the block: " + e.getMessage(), e);
            }
            if (index >= from) {
                consumer.accept(index, payload);
            }
        });
    }

    /**
     * Hands each frame's stored form in {@code block} to {@code consumer}, in order.
     *
     * @param frames the number of frames the row declares (its {@code frames} column)
     * @throws IllegalArgumentException if the bytes are not a block of {@code frames} frames (damaged, cut
     *     short, or written by a newer Juggler), with the reason
     */
    static void forEach(byte[] block, int frames, EntryConsumer consumer) {
        if (block.length == 0 || block[0] != BLOCK) {
            throw new IllegalArgumentException("a block of " + frames + " frames has encoding tag "
                    + (block.length == 0 ? "none" : String.valueOf(block[0] & 0xFF)) + ", not " + BLOCK
                    + " (written by a newer Juggler?)");
        }
        try {
            ByteStream.Reader in = new ByteStream.Reader(block, 1, block.length);
            int count = in.readCount(MAX_FRAMES);
            if (count != frames) {
                throw new IllegalStateException("holds " + count + " frames where its row says " + frames);
            }
            for (int i = 0; i < count; i++) {
                int length = in.readCount(block.length);
                int from = in.position();
                in.skip(length);
                consumer.accept(i, block, from, from + length);
            }
            if (!in.atEnd()) {
                throw new IllegalStateException("has bytes after its last frame");
            }
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("block of " + frames + " frames (" + block.length + " bytes) is damaged: it "
                    + e.getMessage(), e);
        }
    }
}
