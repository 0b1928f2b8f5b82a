package dev.juggler.jdbc.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The stored form of a frame result (the {@code data} column of the results table since schema version 6,
 * or one frame of a {@link ResultBlocks block} since version 7): one tag byte naming the encoding, then its
 * body. Documented in {@code docs/storage.md}.
 *
 * <ul>
 *   <li>{@link #POSE_PREDICTED}: an OpenPose document as Juggler writes it, in {@link CompactPose}'s sequence
 *       form (since schema version 7);</li>
 *   <li>{@link #POSE}: the same in the plain form (rows of version 6);</li>
 *   <li>{@link #TEXT}: any other payload (a host's own analysis, another writer's JSON), its UTF-8 bytes;</li>
 *   <li>{@link #TEXT_DEFLATE}: the same, raw DEFLATE, from 2 KB, where that is at least an eighth smaller.</li>
 * </ul>
 *
 * Decoding gives back exactly the stored string in every case: the compact form takes a document only if
 * its layout is exactly the writer's and every number is written exactly as the decoder writes it back
 * (the randomized tests hold encoder and decoder to that). Tags are never reused: a later encoding
 * gets a new tag, and an unknown tag is an error naming it (a ledger written by a newer Juggler).
 * Stateless and thread-safe (per-thread codecs).
 */
public final class StoredResults {

    /** Tag: UTF-8 text. */
    public static final byte TEXT = 1;
    /** Tag: raw-DEFLATE-compressed UTF-8 text. */
    public static final byte TEXT_DEFLATE = 2;
    /** Tag: a compact OpenPose document. */
    public static final byte POSE = 16;
    /**
     * Tag: a compact OpenPose document in the sequence form, predicted from the frame before it in its block
     * ({@link ResultBlocks}), whose numbers it needs; from nothing in a row of its own, at a block's start and
     * after a frame of another kind.
     */
    public static final byte POSE_PREDICTED = 17;

    /**
     * Text shorter than this is stored as it is. PostgreSQL keeps a row below about 2 KB inline and
     * uncompressed too (its TOAST threshold), so short text costs what the VARCHAR column cost before
     * schema 6; DEFLATE there costs about as much CPU per row as the insert itself, which halved the bulk
     * ingest of other writers' JSON (docs/storage.md).
     */
    static final int DEFLATE_FROM = 2048;
    /** The largest text a stored value may inflate to, against decompression bombs in a damaged row. */
    static final int MAX_TEXT_BYTES = 1 << 28;

    private static final ThreadLocal<CompactPose> POSES = ThreadLocal.withInitial(CompactPose::new);
    // One zlib state per thread, reset between values: creating one per value allocates its window each time.
    private static final ThreadLocal<Deflater> DEFLATERS = ThreadLocal.withInitial(() -> new Deflater(Deflater.BEST_SPEED, true));
    private static final ThreadLocal<Inflater> INFLATERS = ThreadLocal.withInitial(() -> new Inflater(true));

    private StoredResults() {
    }

    /** The stored form of {@code payload}: compact for an OpenPose document in Juggler's form, text otherwise. */
    public static byte[] encode(String payload) {
        Objects.requireNonNull(payload, "payload");
        if (payload.startsWith(CompactPose.HEAD)) {
            byte[] pose = POSES.get().encode(payload, 1, POSE);
            if (pose != null) {
                return pose;
            }
        }
        return encodeText(payload);
    }

    private static byte[] encodeText(String payload) {
        byte[] text = payload.getBytes(StandardCharsets.UTF_8);
        if (text.length >= DEFLATE_FROM) {
            byte[] deflated = deflate(text);
            if (deflated.length <= text.length - text.length / 8) {
                return deflated;
            }
        }
        byte[] stored = new byte[text.length + 1];
        stored[0] = TEXT;
        System.arraycopy(text, 0, stored, 1, text.length);
        return stored;
    }

    /**
     * The payload that {@link #encode} stored.
     *
     * @throws IllegalArgumentException if the bytes are not a stored result (damaged, or a tag this
     *     version does not know), with the reason
     */
    public static String decode(byte[] stored) {
        Objects.requireNonNull(stored, "stored");
        return decode(stored, 0, stored.length);
    }

    /** {@link #decode(byte[])} of the stored form in {@code bytes[from, to)}. */
    static String decode(byte[] bytes, int from, int to) {
        return decode(bytes, from, to, PoseNumbers.NONE);
    }

    /** The same, a {@link #POSE_PREDICTED} document predicted from {@code previous}. */
    private static String decode(byte[] bytes, int from, int to, PoseNumbers previous) {
        if (to <= from) {
            throw new IllegalArgumentException("stored result is empty (no encoding tag)");
        }
        byte tag = bytes[from];
        try {
            switch (tag) {
                case TEXT:
                    return new String(bytes, from + 1, to - from - 1, StandardCharsets.UTF_8);
                case TEXT_DEFLATE:
                    return inflate(bytes, from + 1, to);
                case POSE:
                    return POSES.get().decode(bytes, from + 1, to);
                case POSE_PREDICTED:
                    return POSES.get().decode(bytes, from + 1, to, previous);
                default:
                    throw new IllegalArgumentException("stored result has encoding tag " + (tag & 0xFF)
                            + ", which this version does not know (written by a newer Juggler?)");
            }
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("stored result (encoding tag " + (tag & 0xFF) + ", " + (to - from)
                    + " bytes) is damaged: it " + e.getMessage(), e);
        }
    }

    /**
     * Encodes the consecutive frames of a block in order: an OpenPose document in Juggler's form as
     * {@link #POSE_PREDICTED}, from the frame before where that is one too, anything else as {@link #encode} does.
     * Not thread-safe: one per block being built (the codec it uses is the thread's).
     */
    static final class SequenceEncoder {
        private PoseNumbers previous = PoseNumbers.NONE;

        /** The stored form of the next frame; {@code first} for a block's first frame, which is predicted from nothing. */
        byte[] next(String payload, boolean first) {
            if (first) {
                previous = PoseNumbers.NONE;
            }
            if (payload.startsWith(CompactPose.HEAD)) {
                CompactPose pose = POSES.get();
                byte[] encoded = pose.encode(payload, 1, POSE_PREDICTED, previous);
                if (encoded != null) {
                    previous = pose.numbers();
                    return encoded;
                }
            }
            previous = PoseNumbers.NONE;
            return encodeText(payload);
        }
    }

    /**
     * Decodes the frames of a block in order, keeping what a {@link #POSE_PREDICTED} frame needs of the frame
     * before it. Not thread-safe: one per block being read.
     */
    static final class SequenceDecoder {
        private PoseNumbers previous = PoseNumbers.NONE;

        /**
         * The payload of the block's next frame, stored in {@code bytes[from, to)}.
         *
         * @throws IllegalArgumentException as {@link StoredResults#decode(byte[])} does
         */
        String next(byte[] bytes, int from, int to) {
            String text = decode(bytes, from, to, previous);
            previous = isPose(bytes[from]) ? POSES.get().numbers() : PoseNumbers.NONE;
            return text;
        }

        /** Passes over a frame that is not a pose document without decoding it. */
        void skip() {
            previous = PoseNumbers.NONE;
        }
    }

    /** Whether {@code tag} names a compact OpenPose document, whose numbers a following frame may be predicted from. */
    static boolean isPose(byte tag) {
        return tag == POSE || tag == POSE_PREDICTED;
    }

    private static byte[] deflate(byte[] text) {
        Deflater deflater = DEFLATERS.get();
        deflater.reset();
        try {
            deflater.setInput(text);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(text.length / 2 + 16);
            out.write(TEXT_DEFLATE);
            byte[] buffer = new byte[Math.min(1 << 16, text.length + 64)];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.reset();
        }
    }

    private static String inflate(byte[] bytes, int from, int to) {
        Inflater inflater = INFLATERS.get();
        inflater.reset();
        try {
            inflater.setInput(bytes, from, to - from);
            ByteArrayOutputStream out = new ByteArrayOutputStream((to - from) * 4);
            byte[] buffer = new byte[1 << 14];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new IllegalStateException("ends inside its compressed text");
                }
                if (out.size() + n > MAX_TEXT_BYTES) {
                    throw new IllegalStateException("inflates past " + MAX_TEXT_BYTES + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (DataFormatException e) {
            throw new IllegalStateException("holds invalid compressed text (" + e.getMessage() + ")", e);
        } finally {
            inflater.reset();
        }
    }
}
