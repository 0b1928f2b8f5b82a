package dev.juggler.jdbc.internal;

import java.util.Arrays;
import java.util.List;

/**
 * The compact form of one OpenPose JSON document as Juggler writes it ({@code OpenPoseJson} in
 * impl-inference: version 1.3, one line, the eight keypoint arrays of each person, numbers as
 * {@code %g}). See {@code docs/storage.md} for the layout; in short:
 *
 * <ol>
 *   <li>the number of people; per person its zigzag id, then per keypoint array:
 *   <li>its length and a bitmap of which keypoints are not all zero (a missing keypoint is {@code 0,0,0});
 *   <li>per column of the keypoints found (x, y, confidence, and z for 3D): a varint holding the
 *       column's decimal scale {@code q} (its finest) and a mode, whichever is shortest: every number as the
 *       integer {@code n} with value {@code n × 10^q} (raw), or those integers as differences from their
 *       predecessor, or every number at its own scale (first the scale offsets, then the integers); each
 *       sequence zigzag-mapped and bit-packed in blocks of 16, each block with a byte giving its bit width.
 * </ol>
 *
 * The sequence form (tag 17, in blocks of frames) adds after each person's id the person of the frame
 * before it is predicted from ({@link PoseNumbers}), a mode that takes differences from that person's
 * numbers, and a choice per column between that bit packing and Rice codes ({@link BitPacking}).
 *
 * <p>Only a document in exactly that form is encoded; {@link #encode} returns {@code null} for anything
 * else, and the caller stores the text. So {@link #decode} always gives back the exact text.
 * Instances are not thread-safe (they reuse buffers): one per thread.
 */
final class CompactPose {

    /** OpenPose 1.3's person arrays, in the order Juggler writes them (checked against impl-inference by a test). */
    static final List<String> FIELDS = List.of("pose_keypoints_2d", "face_keypoints_2d", "hand_left_keypoints_2d",
            "hand_right_keypoints_2d", "pose_keypoints_3d", "face_keypoints_3d", "hand_left_keypoints_3d",
            "hand_right_keypoints_3d");

    static final String HEAD = "{\"version\":1.3,\"people\":[";
    private static final String TAIL = "]}";
    private static final String PERSON_HEAD = "{\"person_id\":[";
    private static final String[] FIELD_HEADS = new String[FIELDS.size()];
    private static final byte[][] FIELD_HEAD_BYTES = new byte[FIELDS.size()][];
    private static final byte[] HEAD_BYTES = AsciiText.ascii(HEAD);
    private static final byte[] PERSON_HEAD_BYTES = AsciiText.ascii(PERSON_HEAD);
    private static final int MAX_PEOPLE = 1 << 16;
    private static final int MAX_VALUES = 1 << 20;

    static {
        for (int f = 0; f < FIELD_HEADS.length; f++) {
            FIELD_HEADS[f] = ",\"" + FIELDS.get(f) + "\":[";
            FIELD_HEAD_BYTES[f] = AsciiText.ascii(FIELD_HEADS[f]);
        }
    }

    /**
     * Column modes: integers at the column's scale as they are, or as differences, or each at its own scale,
     * or (in a frame predicted from the one before it) as differences from the matched person's keypoints.
     */
    private static final int RAW = 0;
    private static final int DELTAS = 1;
    private static final int OWN_SCALES = 2;
    private static final int PREVIOUS_FRAME = 3;

    private final DecimalText number = new DecimalText();
    private final ByteStream out = new ByteStream(1024);
    private long[] arrayMantissas = new long[512];
    private int[] arrayScales = new int[512];
    private long[] column = new long[128];
    private long[] deltas = new long[128];
    private long[] own = new long[128];
    private long[] offsets = new long[128];
    private final long[][] columnOffsets = new long[4][128];
    private byte[] bitmap = new byte[64];
    private final long[][] columns = new long[4][128];
    private long[] predicted = new long[128];
    /** The frame being predicted from, or null: the plain form (tag 16); set, the sequence form (tag 17). */
    private PoseNumbers reference;
    /** The numbers of the document being encoded or decoded. */
    private PoseNumbers current;
    private int parsedCount;

    /** The document's compact body, or {@code null} if it is not in the exact form this encodes. */
    byte[] encode(String text, int prefix, byte tag) {
        return encode(text, prefix, tag, null);
    }

    /**
     * The document's compact body, predicted from {@code previous} (the numbers of the frame before it, see
     * {@link #numbers()}) when that is given: each person then names the person of that frame it is
     * predicted from, and a column may hold differences from that person's numbers. {@code null} if the
     * document is not in the exact form this encodes.
     */
    byte[] encode(String text, int prefix, byte tag, PoseNumbers previous) {
        reference = previous;
        current = new PoseNumbers();
        out.clear();
        for (int i = 0; i < prefix; i++) {
            out.write(tag); // the caller's tag byte(s) first: the result is then one array, copied once
        }
        if (!text.startsWith(HEAD)) {
            return null;
        }
        int declared = countPeople(text);
        out.writeVarint(declared);
        int at = HEAD.length();
        int people = 0;
        while (at < text.length() && text.charAt(at) != ']') {
            if (people > 0) {
                if (text.charAt(at) != ',') {
                    return null;
                }
                at++;
            }
            at = person(text, at);
            if (at < 0 || ++people > MAX_PEOPLE) {
                return null;
            }
        }
        if (people != declared || !text.startsWith(TAIL, at) || at + TAIL.length() != text.length()) {
            return null;
        }
        return out.toArray();
    }

    /** How many people the text declares (counted before they are written, since the count comes first). */
    private static int countPeople(String text) {
        int count = 0;
        for (int at = text.indexOf(PERSON_HEAD); at >= 0; at = text.indexOf(PERSON_HEAD, at + PERSON_HEAD.length())) {
            count++;
        }
        return count;
    }

    private int person(String text, int from) {
        if (!text.startsWith(PERSON_HEAD, from)) {
            return -1;
        }
        int at = integer(text, from + PERSON_HEAD.length());
        if (at < 0 || at >= text.length() || text.charAt(at) != ']') {
            return -1;
        }
        at++;
        long[][] mantissas = new long[FIELDS.size()][];
        int[][] scales = new int[FIELDS.size()][];
        int match = -1;
        for (int f = 0; f < FIELD_HEADS.length; f++) {
            if (!text.startsWith(FIELD_HEADS[f], at)) {
                return -1;
            }
            int group = f < 4 ? 3 : 4;
            at = array(text, at + FIELD_HEADS[f].length(), group);
            if (at < 0) {
                return -1;
            }
            if (f == 0 && reference != null) {
                match = reference.closestTo(arrayMantissas, arrayScales, parsedCount);
                out.writeVarint(match + 1);
            }
            long[] referenceMantissas = match < 0 ? null : reference.mantissas(match, f);
            boolean comparable = referenceMantissas != null && referenceMantissas.length == parsedCount;
            try {
                writeArray(parsedCount, group, comparable ? referenceMantissas : null,
                        comparable ? reference.scales(match, f) : null);
            } catch (ArithmeticException e) {
                return -1; // numbers too far apart in scale for one column of longs: such a document stays text
            }
            mantissas[f] = Arrays.copyOf(arrayMantissas, parsedCount);
            scales[f] = Arrays.copyOf(arrayScales, parsedCount);
        }
        current.add(mantissas, scales);
        return at < text.length() && text.charAt(at) == '}' ? at + 1 : -1;
    }

    /** The numbers of the document last encoded or decoded. */
    PoseNumbers numbers() {
        return current;
    }

    /** Reads a person id as Jackson writes an integer ({@code -?(0|[1-9][0-9]*)}) into the structure. */
    private int integer(String text, int from) {
        int at = from;
        boolean negative = at < text.length() && text.charAt(at) == '-';
        if (negative) {
            at++;
        }
        int digitsFrom = at;
        long value = 0;
        while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9' && at - digitsFrom < 18) {
            value = value * 10 + (text.charAt(at++) - '0');
        }
        int digits = at - digitsFrom;
        if (digits == 0 || (digits > 1 && text.charAt(digitsFrom) == '0') || (negative && value == 0)
                || (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9')) {
            return -1;
        }
        out.writeSigned(negative ? -value : value);
        return at;
    }

    /** Reads one keypoint array up to and past its {@code ']'}; -1 if it is not in the exact form. */
    private int array(String text, int from, int group) {
        int at = from;
        int count = 0;
        if (at < text.length() && text.charAt(at) != ']') {
            while (true) {
                at = number.parse(text, at);
                if (at < 0 || count == MAX_VALUES) {
                    return -1;
                }
                if (count == arrayMantissas.length) {
                    arrayMantissas = Arrays.copyOf(arrayMantissas, count * 2);
                    arrayScales = Arrays.copyOf(arrayScales, count * 2);
                }
                arrayMantissas[count] = number.mantissa;
                arrayScales[count++] = number.scale;
                if (at < text.length() && text.charAt(at) == ',') {
                    at++;
                } else {
                    break;
                }
            }
        }
        if (at >= text.length() || text.charAt(at) != ']' || count % group != 0) {
            return -1;
        }
        parsedCount = count;
        return at + 1;
    }

    /**
     * Writes the parsed array of {@code count} numbers; {@code referenceMantissas} and
     * {@code referenceScales} are the matched person's same array (of the same length) or null.
     */
    private void writeArray(int count, int group, long[] referenceMantissas, int[] referenceScales) {
        out.writeVarint(count);
        int groups = count / group;
        int present = 0;
        for (int byteStart = 0; byteStart < groups; byteStart += 8) {
            int bits = 0;
            for (int g = byteStart; g < Math.min(groups, byteStart + 8); g++) {
                if (present(g * group, group)) {
                    bits |= 1 << (g - byteStart);
                    present++;
                }
            }
            out.write(bits);
        }
        if (present == 0) {
            return;
        }
        if (column.length < present) {
            column = new long[present * 2];
            deltas = new long[present * 2];
            own = new long[present * 2];
            offsets = new long[present * 2];
            predicted = new long[present * 2];
        }
        for (int c = 0; c < group; c++) {
            int scale = Integer.MAX_VALUE;
            for (int g = 0; g < groups; g++) {
                int index = g * group + c;
                if (arrayMantissas[index] != 0 && present(g * group, group)) {
                    scale = Math.min(scale, arrayScales[index]);
                }
            }
            scale = scale == Integer.MAX_VALUE ? 0 : scale;
            int k = 0;
            boolean commonScaleFits = true;
            for (int g = 0; g < groups; g++) {
                if (present(g * group, group)) {
                    int index = g * group + c;
                    own[k] = arrayMantissas[index];
                    offsets[k] = own[k] == 0 ? 0 : arrayScales[index] - scale;
                    if (commonScaleFits) {
                        try {
                            column[k] = DecimalText.scaleUp(own[k], (int) offsets[k]);
                            deltas[k] = k == 0 ? column[0] : Math.subtractExact(column[k], column[k - 1]);
                        } catch (ArithmeticException e) {
                            commonScaleFits = false; // magnitudes too far apart for one scale: each keeps its own
                        }
                    }
                    k++;
                }
            }
            boolean predictable = referenceMantissas != null && commonScaleFits
                    && differences(groups, group, c, scale, referenceMantissas, referenceScales, present);
            if (reference == null) {
                int ownBytes = BitPacking.packedBytes(offsets, present) + BitPacking.packedBytes(own, present);
                int rawBytes = commonScaleFits ? BitPacking.packedBytes(column, present) : Integer.MAX_VALUE;
                int deltaBytes = commonScaleFits ? BitPacking.packedBytes(deltas, present) : Integer.MAX_VALUE;
                int mode = deltaBytes < rawBytes && deltaBytes < ownBytes ? DELTAS : rawBytes <= ownBytes ? RAW : OWN_SCALES;
                out.writeVarint(BitPacking.zigzag(scale) << 2 | mode);
                writeColumn(mode, false, present);
                continue;
            }
            // The mode whose numbers are smallest in sum (each size costs a pass or several, so only the
            // likeliest mode is sized), against each number at its own scale; then the shorter packing.
            int bestMode = OWN_SCALES;
            if (commonScaleFits) {
                double raw = magnitude(column, present);
                double differences = magnitude(deltas, present);
                double previous = predictable ? magnitude(predicted, present) : Double.MAX_VALUE;
                bestMode = previous <= differences && previous <= raw ? PREVIOUS_FRAME : differences <= raw ? DELTAS : RAW;
                if (BitPacking.packedBytes(offsets, present) + BitPacking.packedBytes(own, present)
                        < BitPacking.packedBytes(values(bestMode), present)) {
                    bestMode = OWN_SCALES;
                }
            }
            int fixed = bestMode == OWN_SCALES ? BitPacking.packedBytes(offsets, present) + BitPacking.packedBytes(own, present)
                    : BitPacking.packedBytes(values(bestMode), present);
            int rice = bestMode == OWN_SCALES ? BitPacking.riceBytes(offsets, present) + BitPacking.riceBytes(own, present)
                    : BitPacking.riceBytes(values(bestMode), present);
            boolean bestRice = rice < fixed;
            out.writeVarint(BitPacking.zigzag(scale) << 3 | (bestRice ? 4 : 0) | bestMode);
            writeColumn(bestMode, bestRice, present);
        }
    }

    /** The sum of the first {@code count} values' magnitudes, as a double (no overflow). */
    private static double magnitude(long[] values, int count) {
        double sum = 0;
        for (int i = 0; i < count; i++) {
            sum += Math.abs((double) values[i]);
        }
        return sum;
    }

    private long[] values(int mode) {
        return mode == DELTAS ? deltas : mode == PREVIOUS_FRAME ? predicted : column;
    }

    private void writeColumn(int mode, boolean rice, int present) {
        if (mode == OWN_SCALES) {
            pack(offsets, present, rice);
            pack(own, present, rice);
        } else {
            pack(values(mode), present, rice);
        }
    }

    private void pack(long[] values, int count, boolean rice) {
        if (rice) {
            BitPacking.packRice(out, values, count);
        } else {
            BitPacking.pack(out, values, count);
        }
    }

    /** Fills {@code predicted} with column {@code c}'s differences from their predictions; false if one overflows. */
    private boolean differences(int groups, int group, int c, int scale, long[] referenceMantissas, int[] referenceScales,
            int present) {
        int k = 0;
        try {
            for (int g = 0; g < groups && k < present; g++) {
                if (present(g * group, group)) {
                    long previous = k == 0 ? 0 : column[k - 1];
                    predicted[k] = Math.subtractExact(column[k],
                            PoseNumbers.prediction(referenceMantissas, referenceScales, g, group, c, scale, previous));
                    k++;
                }
            }
            return true;
        } catch (ArithmeticException e) {
            return false;
        }
    }

    private static void unpack(ByteStream.Reader in, long[] values, int count, boolean deltas, boolean rice) {
        if (rice) {
            BitPacking.unpackRice(in, values, count, deltas);
        } else {
            BitPacking.unpack(in, values, count, deltas);
        }
    }

    /** Turns a {@link #PREVIOUS_FRAME} column's differences back into its numbers, in order. */
    private void undoPrediction(long[] values, int present, int groups, int group, int c, int scale, long[] referenceMantissas,
            int[] referenceScales) {
        int k = 0;
        try {
            for (int g = 0; g < groups && k < present; g++) {
                if ((bitmap[g / 8] & (1 << (g % 8))) != 0) {
                    long previous = k == 0 ? 0 : values[k - 1];
                    values[k] = Math.addExact(values[k],
                            PoseNumbers.prediction(referenceMantissas, referenceScales, g, group, c, scale, previous));
                    k++;
                }
            }
        } catch (ArithmeticException e) {
            throw new IllegalStateException("holds a number past the range of a long", e);
        }
    }

    private boolean present(int first, int group) {
        return PoseNumbers.found(arrayMantissas, first, group);
    }

    /**
     * The document's text from its compact body in {@code bytes[from, to)}.
     *
     * @throws IllegalStateException if the bytes are not a compact body (damaged or cut short)
     */
    String decode(byte[] bytes, int from, int to) {
        return decode(bytes, from, to, null);
    }

    /**
     * The document's text from its compact body in {@code bytes[from, to)}, predicted from {@code previous}
     * (the {@link #numbers()} of the frame before it) if that is given, as {@link #encode(String, int, byte,
     * PoseNumbers)} wrote it.
     *
     * @throws IllegalStateException if the bytes are not such a body (damaged or cut short)
     */
    String decode(byte[] bytes, int from, int to, PoseNumbers previous) {
        reference = previous;
        current = new PoseNumbers();
        ByteStream.Reader in = new ByteStream.Reader(bytes, from, to);
        int people = in.readCount(MAX_PEOPLE);
        AsciiText text = new AsciiText(64 + Math.min(1 << 20, (to - from) * 4));
        text.add(HEAD_BYTES);
        for (int p = 0; p < people; p++) {
            if (p > 0) {
                text.add(',');
            }
            text.add(PERSON_HEAD_BYTES).add(in.readSigned()).add(']');
            int match = previous == null ? -1 : in.readCount(previous.people()) - 1;
            long[][] mantissas = new long[FIELDS.size()][];
            int[][] scales = new int[FIELDS.size()][];
            for (int f = 0; f < FIELDS.size(); f++) {
                text.add(FIELD_HEAD_BYTES[f]);
                long[] referenceMantissas = match < 0 ? null : previous.mantissas(match, f);
                int[] referenceScales = match < 0 ? null : previous.scales(match, f);
                decodeArray(in, f < 4 ? 3 : 4, text, referenceMantissas, referenceScales);
                mantissas[f] = Arrays.copyOf(arrayMantissas, parsedCount);
                scales[f] = Arrays.copyOf(arrayScales, parsedCount);
                text.add(']');
            }
            current.add(mantissas, scales);
            text.add('}');
        }
        if (!in.atEnd()) {
            throw new IllegalStateException("has bytes after its last number");
        }
        return text.add(']').add('}').toString();
    }

    /** Decodes one array into {@code text}, and its numbers into {@code arrayMantissas} and {@code arrayScales}. */
    private void decodeArray(ByteStream.Reader in, int group, AsciiText text, long[] referenceMantissas, int[] referenceScales) {
        int count = in.readCount(MAX_VALUES);
        if (count % group != 0) {
            throw new IllegalStateException("declares an array of " + count + " numbers, not groups of " + group);
        }
        if (arrayMantissas.length < count) {
            arrayMantissas = new long[count];
            arrayScales = new int[count];
        }
        parsedCount = count;
        boolean comparable = referenceMantissas != null && referenceMantissas.length == count;
        int groups = count / group;
        int bitmapBytes = (groups + 7) / 8;
        if (bitmap.length < bitmapBytes) {
            bitmap = new byte[bitmapBytes * 2];
        }
        int present = 0;
        for (int b = 0; b < bitmapBytes; b++) {
            int bits = in.read();
            if (b == bitmapBytes - 1 && groups % 8 != 0) {
                bits &= (1 << (groups % 8)) - 1;
            }
            bitmap[b] = (byte) bits;
            present += Integer.bitCount(bits);
        }
        int[] scales = new int[group];
        int[] modes = new int[group];
        for (int c = 0; present > 0 && c < group; c++) {
            long header = in.readVarint();
            int mode = (int) (header & 3);
            boolean rice = reference != null && (header & 4) != 0;
            long zigzagScale = header >>> (reference != null ? 3 : 2);
            long scale = (zigzagScale >>> 1) ^ -(zigzagScale & 1);
            if ((mode == PREVIOUS_FRAME && !comparable) || scale < DecimalText.MIN_SCALE || scale > DecimalText.MAX_SCALE) {
                throw new IllegalStateException("declares column mode " + mode + " at scale " + scale
                        + (comparable ? "" : " without a matching person in the frame before"));
            }
            scales[c] = (int) scale;
            modes[c] = mode;
            if (columns[c].length < present) {
                columns[c] = new long[present * 2];
                columnOffsets[c] = new long[present * 2];
            }
            if (mode == OWN_SCALES) {
                unpack(in, columnOffsets[c], present, false, rice);
            }
            unpack(in, columns[c], present, mode == DELTAS, rice);
            if (mode == PREVIOUS_FRAME) {
                undoPrediction(columns[c], present, groups, group, c, (int) scale, referenceMantissas, referenceScales);
            }
        }
        int k = 0;
        for (int g = 0; g < groups; g++) {
            boolean found = (bitmap[g / 8] & (1 << (g % 8))) != 0;
            for (int c = 0; c < group; c++) {
                if (g > 0 || c > 0) {
                    text.add(',');
                }
                if (!found) {
                    text.add('0');
                    arrayMantissas[g * group + c] = 0;
                    arrayScales[g * group + c] = 0;
                    continue;
                }
                long n = columns[c][k];
                long q = scales[c] + (modes[c] == OWN_SCALES ? columnOffsets[c][k] : 0);
                if (q < DecimalText.MIN_SCALE || q > DecimalText.MAX_SCALE) {
                    throw new IllegalStateException("declares a scale of " + q);
                }
                while (n != 0 && n % 10 == 0) {
                    n /= 10;
                    q++;
                }
                DecimalText.append(text, n, (int) q);
                arrayMantissas[g * group + c] = n;
                arrayScales[g * group + c] = (int) q;
            }
            if (found) {
                k++;
            }
        }
    }
}
