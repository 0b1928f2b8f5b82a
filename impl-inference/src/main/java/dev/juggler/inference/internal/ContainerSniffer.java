package dev.juggler.inference.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * Looks at a container's own structure to tell a truncated video from bytes that were never a video.
 *
 * <p>Why: FFmpeg reports both the same way ("could not open input"), but the difference matters to an
 * operator (re-copy the file vs. remove it from the corpus). MP4/QuickTime and RIFF/AVI declare their
 * sizes up front, so a cut is visible without decoding. Stateless and thread-safe.
 */
public final class ContainerSniffer {

    /** What the header says about the file. */
    public enum Verdict {
        /** A known container whose declared sizes run past the end of the file, or whose index is missing. */
        TRUNCATED,
        /** A known container whose declared sizes fit the file. */
        COMPLETE,
        /** Not a container this class knows. */
        UNKNOWN
    }

    private static final Set<String> ISO_TOP_LEVEL = Set.of(
            "ftyp", "moov", "mdat", "free", "skip", "wide", "pnot", "uuid", "styp", "sidx", "moof", "mfra", "meta");

    private ContainerSniffer() {
    }

    /** Whether {@code file} starts like an AVI (RIFF, form type "AVI "); false if it cannot be read. */
    public static boolean isAvi(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = read(ch, 0, 12);
            return head != null && "RIFF".equals(ascii(head, 0)) && "AVI ".equals(ascii(head, 8));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Inspects {@code file}; I/O errors yield {@link Verdict#UNKNOWN} (the caller already has a better error). */
    public static Verdict inspect(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer head = read(ch, 0, 12);
            if (head == null) {
                return Verdict.UNKNOWN;
            }
            String fourCc = ascii(head, 4);
            if (ISO_TOP_LEVEL.contains(fourCc)) {
                return inspectIso(ch, size);
            }
            if ("RIFF".equals(ascii(head, 0))) {
                long declared = head.order(ByteOrder.LITTLE_ENDIAN).getInt(4) & 0xFFFFFFFFL;
                return 8 + declared > size ? Verdict.TRUNCATED : Verdict.COMPLETE;
            }
            return Verdict.UNKNOWN;
        } catch (IOException | RuntimeException e) {
            return Verdict.UNKNOWN;
        }
    }

    // Walks the top-level boxes: a box that claims more bytes than remain means the copy was cut, and
    // an MP4 without 'moov' has lost its index (ffmpeg writes it last unless asked for faststart).
    private static Verdict inspectIso(FileChannel ch, long size) throws IOException {
        long pos = 0;
        boolean sawMoov = false;
        int boxes = 0;
        while (pos + 8 <= size && boxes++ < 100_000) {
            ByteBuffer b = read(ch, pos, 16);
            if (b == null) {
                b = read(ch, pos, 8);
            }
            if (b == null) {
                return Verdict.TRUNCATED;
            }
            long boxSize = b.getInt(0) & 0xFFFFFFFFL;
            String type = ascii(b, 4);
            if ("moov".equals(type)) {
                sawMoov = true;
            }
            if (boxSize == 1) {
                if (b.limit() < 16) {
                    return Verdict.TRUNCATED;
                }
                boxSize = b.getLong(8);
            } else if (boxSize == 0) {
                // "extends to the end of the file": complete by definition.
                return sawMoov ? Verdict.COMPLETE : Verdict.TRUNCATED;
            }
            if (boxSize < 8) {
                return Verdict.UNKNOWN; // corrupt box header: not a cut, just garbage
            }
            if (pos + boxSize > size) {
                return Verdict.TRUNCATED;
            }
            pos += boxSize;
        }
        if (pos < size && pos + 8 > size) {
            return Verdict.TRUNCATED; // a few stray bytes of a box header at the end
        }
        return sawMoov ? Verdict.COMPLETE : Verdict.TRUNCATED;
    }

    private static ByteBuffer read(FileChannel ch, long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                return null;
            }
        }
        return b.flip();
    }

    private static String ascii(ByteBuffer b, int at) {
        byte[] four = new byte[4];
        for (int i = 0; i < 4; i++) {
            four[i] = b.get(at + i);
        }
        return new String(four, StandardCharsets.ISO_8859_1);
    }
}
