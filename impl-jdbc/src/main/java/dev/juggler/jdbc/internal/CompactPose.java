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
 * Only a document in exactly that form is encoded; {@link #encode} returns {@code null} for anything
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

    private static final int BLOCK = 16;
    /** Column modes: integers at the column's scale as they are, or as differences, or each at its own scale. */
    private static final int RAW = 0;
    private static final int DELTAS = 1;
    private static final int OWN_SCALES = 2;

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

    /** The document's compact body, or {@code null} if it is not in the exact form this encodes. */
    byte[] encode(String text, int prefix, byte tag) {
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
        for (int f = 0; f < FIELD_HEADS.length; f++) {
            if (!text.startsWith(FIELD_HEADS[f], at)) {
                return -1;
            }
            at = array(text, at + FIELD_HEADS[f].length(), f < 4 ? 3 : 4);
            if (at < 0) {
                return -1;
            }
        }
        return at < text.length() && text.charAt(at) == '}' ? at + 1 : -1;
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
        try {
            writeArray(count, group);
        } catch (ArithmeticException e) {
            return -1; // numbers too far apart in scale for one column of longs: such a document stays text
        }
        return at + 1;
    }

    private void writeArray(int count, int group) {
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
            int ownBytes = packedBytes(offsets, present) + packedBytes(own, present);
            int rawBytes = commonScaleFits ? packedBytes(column, present) : Integer.MAX_VALUE;
            int deltaBytes = commonScaleFits ? packedBytes(deltas, present) : Integer.MAX_VALUE;
            int mode = deltaBytes < rawBytes && deltaBytes < ownBytes ? DELTAS : rawBytes <= ownBytes ? RAW : OWN_SCALES;
            out.writeVarint(zigzag(scale) << 2 | mode);
            if (mode == OWN_SCALES) {
                pack(offsets, present);
                pack(own, present);
            } else {
                pack(mode == DELTAS ? deltas : column, present);
            }
        }
    }

    private static long zigzag(long value) {
        return (value << 1) ^ (value >> 63);
    }

    private static int width(long[] values, int from, int to) {
        long bits = 0;
        for (int i = from; i < to; i++) {
            bits |= zigzag(values[i]);
        }
        return 64 - Long.numberOfLeadingZeros(bits);
    }

    private static int packedBytes(long[] values, int count) {
        int bytes = 0;
        for (int from = 0; from < count; from += BLOCK) {
            int to = Math.min(count, from + BLOCK);
            bytes += 1 + (width(values, from, to) * (to - from) + 7) / 8;
        }
        return bytes;
    }

    private void pack(long[] values, int count) {
        for (int from = 0; from < count; from += BLOCK) {
            int to = Math.min(count, from + BLOCK);
            int width = width(values, from, to);
            out.write(width);
            int current = 0;
            int used = 0;
            for (int i = from; i < to; i++) {
                long rest = zigzag(values[i]);
                int left = width;
                while (left > 0) {
                    int take = Math.min(8 - used, left);
                    current |= (int) (rest & ((1L << take) - 1)) << used;
                    used += take;
                    rest >>>= take;
                    left -= take;
                    if (used == 8) {
                        out.write(current);
                        current = 0;
                        used = 0;
                    }
                }
            }
            if (used > 0) {
                out.write(current);
            }
        }
    }

    private boolean present(int first, int group) {
        for (int i = first; i < first + group; i++) {
            if (arrayMantissas[i] != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * The document's text from its compact body in {@code bytes[from, to)}.
     *
     * @throws IllegalStateException if the bytes are not a compact body (damaged or cut short)
     */
    String decode(byte[] bytes, int from, int to) {
        ByteStream.Reader in = new ByteStream.Reader(bytes, from, to);
        int people = in.readCount(MAX_PEOPLE);
        AsciiText text = new AsciiText(64 + Math.min(1 << 20, (to - from) * 4));
        text.add(HEAD_BYTES);
        for (int p = 0; p < people; p++) {
            if (p > 0) {
                text.add(',');
            }
            text.add(PERSON_HEAD_BYTES).add(in.readSigned()).add(']');
            for (int f = 0; f < FIELDS.size(); f++) {
                text.add(FIELD_HEAD_BYTES[f]);
                decodeArray(in, f < 4 ? 3 : 4, text);
                text.add(']');
            }
            text.add('}');
        }
        if (!in.atEnd()) {
            throw new IllegalStateException("has bytes after its last number");
        }
        return text.add(']').add('}').toString();
    }

    private void decodeArray(ByteStream.Reader in, int group, AsciiText text) {
        int count = in.readCount(MAX_VALUES);
        if (count % group != 0) {
            throw new IllegalStateException("declares an array of " + count + " numbers, not groups of " + group);
        }
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
            long scale = (header >>> 2 >>> 1) ^ -((header >>> 2) & 1);
            if (mode > OWN_SCALES || scale < DecimalText.MIN_SCALE || scale > DecimalText.MAX_SCALE) {
                throw new IllegalStateException("declares column mode " + mode + " at scale " + scale);
            }
            scales[c] = (int) scale;
            modes[c] = mode;
            if (columns[c].length < present) {
                columns[c] = new long[present * 2];
                columnOffsets[c] = new long[present * 2];
            }
            if (mode == OWN_SCALES) {
                unpack(in, columnOffsets[c], present, false);
            }
            unpack(in, columns[c], present, mode == DELTAS);
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
            }
            if (found) {
                k++;
            }
        }
    }

    private static void unpack(ByteStream.Reader in, long[] values, int count, boolean deltas) {
        for (int from = 0; from < count; from += BLOCK) {
            int to = Math.min(count, from + BLOCK);
            int width = in.read();
            if (width > 64) {
                throw new IllegalStateException("declares a bit width of " + width);
            }
            int current = 0;
            int available = 0;
            for (int i = from; i < to; i++) {
                long raw = 0;
                int got = 0;
                while (got < width) {
                    if (available == 0) {
                        current = in.read();
                        available = 8;
                    }
                    int take = Math.min(width - got, available);
                    raw |= (long) ((current >>> (8 - available)) & ((1 << take) - 1)) << got;
                    got += take;
                    available -= take;
                }
                long value = (raw >>> 1) ^ -(raw & 1);
                values[i] = deltas && i > 0 ? values[i - 1] + value : value;
            }
        }
    }
}
