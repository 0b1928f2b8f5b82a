package dev.juggler.inference.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What an image file's own structure says, read without decoding a pixel: the format (from the magic
 * bytes, never from the name), the size, and whether the file is whole. A few hundred bytes at the start
 * and up to {@value #TAIL_BYTES} at the end are read, so thousands of files are checked in well under a
 * second once they are in the page cache.
 *
 * <p>"Whole" means what each format allows to see cheaply: a JPEG has its end-of-image marker near the
 * end, a PNG its {@code IEND} chunk, a BMP at least the bytes its header promises, a WebP at least the
 * bytes its RIFF header declares. Damage inside the compressed data is left to the decoder.
 *
 * <p>Immutable and thread-safe.
 *
 * @param format the format its magic bytes name
 * @param width width in pixels, at least 1
 * @param height height in pixels, at least 1
 */
public record ImageHeader(Format format, int width, int height) {

    /** How far from the end a JPEG's end marker or a PNG's {@code IEND} may be (trailing padding is common). */
    static final int TAIL_BYTES = 4096;

    /** The largest width or height accepted: decoders refuse more, and a header that claims more is garbage. */
    static final int MAX_SIDE = 1 << 15;

    private static final int HEAD_BYTES = 64 * 1024;

    /** The still-image formats a folder may hold; FFmpeg decodes each of them. */
    public enum Format {
        /** JPEG/JFIF/EXIF. */
        JPEG(List.of("jpg", "jpeg", "jpe")),
        /** PNG. */
        PNG(List.of("png")),
        /** Windows bitmap. */
        BMP(List.of("bmp", "dib")),
        /** WebP, a still picture (lossy or lossless; not animated). */
        WEBP(List.of("webp"));

        private final List<String> extensions;

        Format(List<String> extensions) {
            this.extensions = extensions;
        }

        /** The file name extensions (lower case, without the dot) that mark files of this format. */
        public List<String> extensions() {
            return extensions;
        }

        /** The format an extension marks (any case), or {@code null}. */
        public static Format byExtension(String extension) {
            String e = extension.toLowerCase(Locale.ROOT);
            for (Format f : values()) {
                if (f.extensions.contains(e)) {
                    return f;
                }
            }
            return null;
        }
    }

    /** Why a file cannot be a frame; the message says what was found, for a person. */
    public static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreadable(String reason, Throwable cause) {
            super(reason, cause, false, false);
        }

        Unreadable(String reason) {
            this(reason, null);
        }
    }

    public ImageHeader {
        Objects.requireNonNull(format, "format");
    }

    /**
     * Reads the header and checks the end of {@code file}.
     *
     * @throws Unreadable if the file is missing, unreadable, empty, of no supported format, or visibly cut
     */
    public static ImageHeader read(Path file) throws Unreadable {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) {
                throw new Unreadable("empty file (0 bytes)");
            }
            ByteBuffer head = readAt(ch, 0, (int) Math.min(size, HEAD_BYTES));
            return parse(ch, head, size);
        } catch (NoSuchFileException e) {
            throw new Unreadable("no such file (removed since the folder was listed?)", e);
        } catch (AccessDeniedException e) {
            throw new Unreadable("not readable by this process (permission denied)", e);
        } catch (IOException e) {
            throw new Unreadable("cannot be read: " + e, e);
        }
    }

    /** Checks bytes already in memory (the whole file), as {@link #read(Path)} checks a file. */
    public static ImageHeader parse(byte[] whole) throws Unreadable {
        if (whole.length == 0) {
            throw new Unreadable("empty file (0 bytes)");
        }
        try {
            return parse(null, ByteBuffer.wrap(whole), whole.length);
        } catch (IOException e) {
            throw new Unreadable("cannot be read: " + e, e); // not reached: no channel is read
        }
    }

    // ch == null: head holds the whole file.
    private static ImageHeader parse(FileChannel ch, ByteBuffer head, long size) throws IOException, Unreadable {
        int n = head.limit();
        if (n >= 3 && u8(head, 0) == 0xFF && u8(head, 1) == 0xD8 && u8(head, 2) == 0xFF) {
            return jpeg(ch, head, size);
        }
        if (n >= 8 && head.getLong(0) == 0x89504E470D0A1A0AL) {
            return png(ch, head, size);
        }
        if (n >= 2 && u8(head, 0) == 'B' && u8(head, 1) == 'M') {
            return bmp(head, size);
        }
        if (n >= 12 && "RIFF".equals(ascii(head, 0, 4)) && "WEBP".equals(ascii(head, 8, 4))) {
            return webp(head, size);
        }
        throw new Unreadable("not a JPEG, PNG, BMP or WebP image (it starts with " + describeStart(head) + ")");
    }

    // Walks the marker segments to the first start-of-frame; their lengths let it skip EXIF blocks unread.
    private static ImageHeader jpeg(FileChannel ch, ByteBuffer head, long size) throws IOException, Unreadable {
        long pos = 2;
        for (int segments = 0; segments < 10_000; segments++) {
            ByteBuffer b = window(ch, head, pos, 9, size);
            if (b == null) {
                throw new Unreadable("JPEG cut short: the file ends in its header (" + size + " bytes)");
            }
            if (u8(b, 0) != 0xFF) {
                throw new Unreadable("JPEG header damaged: no marker at byte " + pos);
            }
            int marker = u8(b, 1);
            if (marker == 0xFF) {
                pos++; // fill byte
                continue;
            }
            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                pos += 2; // markers without a length
                continue;
            }
            if (marker == 0xD9 || marker == 0xDA) {
                throw new Unreadable("JPEG without a frame header (no SOF marker before the image data)");
            }
            int length = b.order(ByteOrder.BIG_ENDIAN).getShort(2) & 0xFFFF;
            if (length < 2) {
                throw new Unreadable("JPEG header damaged: segment length " + length + " at byte " + pos);
            }
            boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (sof) {
                int height = b.getShort(5) & 0xFFFF;
                int width = b.getShort(7) & 0xFFFF;
                ImageHeader h = sized(Format.JPEG, width, height);
                if (!tailContains(ch, head, size, new byte[] {(byte) 0xFF, (byte) 0xD9})) {
                    throw new Unreadable("JPEG cut short: no end-of-image marker in its last " + Math.min(size, TAIL_BYTES)
                            + " bytes (" + size + " bytes in all)");
                }
                return h;
            }
            pos += 2 + length;
        }
        throw new Unreadable("JPEG header damaged: too many segments before the frame header");
    }

    private static ImageHeader png(FileChannel ch, ByteBuffer head, long size) throws IOException, Unreadable {
        if (head.limit() < 24 || !"IHDR".equals(ascii(head, 12, 4))) {
            throw new Unreadable(head.limit() < 24 ? "PNG cut short: the file ends in its header (" + size + " bytes)"
                    : "PNG header damaged: the first chunk is not IHDR");
        }
        ImageHeader h = sized(Format.PNG, head.getInt(16), head.getInt(20));
        if (!tailContains(ch, head, size, "IEND".getBytes(StandardCharsets.US_ASCII))) {
            throw new Unreadable("PNG cut short: no IEND chunk at its end (" + size + " bytes)");
        }
        return h;
    }

    private static ImageHeader bmp(ByteBuffer head, long size) throws Unreadable {
        if (head.limit() < 26) {
            throw new Unreadable("BMP cut short: the file ends in its header (" + size + " bytes)");
        }
        ByteBuffer b = head.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long declared = b.getInt(2) & 0xFFFFFFFFL;
        long pixelOffset = b.getInt(10) & 0xFFFFFFFFL;
        int dibSize = b.getInt(14);
        int width;
        int height;
        if (dibSize == 12) { // OS/2 BITMAPCOREHEADER: 16-bit sides
            width = b.getShort(18) & 0xFFFF;
            height = b.getShort(20) & 0xFFFF;
        } else if (dibSize >= 40 && head.limit() >= 34) {
            width = b.getInt(18);
            height = Math.abs(b.getInt(22)); // negative: rows stored top-down
        } else {
            throw new Unreadable("BMP header damaged: unknown header size " + dibSize);
        }
        ImageHeader h = sized(Format.BMP, width, height);
        long needed = Math.max(declared, pixelOffset);
        if (dibSize >= 40 && b.getInt(30) == 0) { // BI_RGB: the pixel bytes follow from the size exactly
            int bits = b.getShort(28) & 0xFFFF;
            long stride = ((long) width * bits + 31) / 32 * 4;
            needed = Math.max(pixelOffset + stride * height, pixelOffset + 1);
        }
        if (size < needed) {
            throw new Unreadable("BMP cut short: " + size + " bytes, its header promises " + needed);
        }
        return h;
    }

    private static ImageHeader webp(ByteBuffer head, long size) throws Unreadable {
        ByteBuffer b = head.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long declared = 8 + (b.getInt(4) & 0xFFFFFFFFL);
        if (size < declared) {
            throw new Unreadable("WebP cut short: " + size + " bytes, its RIFF header declares " + declared);
        }
        if (head.limit() < 30) {
            throw new Unreadable("WebP cut short: the file ends in its header (" + size + " bytes)");
        }
        String chunk = ascii(head, 12, 4);
        switch (chunk) {
            case "VP8 " -> {
                if (u8(head, 23) != 0x9D || u8(head, 24) != 0x01 || u8(head, 25) != 0x2A) {
                    throw new Unreadable("WebP header damaged: no VP8 key-frame start code");
                }
                return sized(Format.WEBP, b.getShort(26) & 0x3FFF, b.getShort(28) & 0x3FFF);
            }
            case "VP8L" -> {
                if (u8(head, 20) != 0x2F) {
                    throw new Unreadable("WebP header damaged: no VP8L signature");
                }
                int bits = b.getInt(21);
                return sized(Format.WEBP, (bits & 0x3FFF) + 1, ((bits >>> 14) & 0x3FFF) + 1);
            }
            case "VP8X" -> {
                if ((u8(head, 20) & 0x02) != 0) {
                    throw new Unreadable("an animated WebP; a frame folder needs still pictures (one frame per file)");
                }
                int width = (u8(head, 24) | u8(head, 25) << 8 | u8(head, 26) << 16) + 1;
                int height = (u8(head, 27) | u8(head, 28) << 8 | u8(head, 29) << 16) + 1;
                return sized(Format.WEBP, width, height);
            }
            default -> throw new Unreadable("WebP header damaged: unknown first chunk " + printable(chunk));
        }
    }

    private static ImageHeader sized(Format format, int width, int height) throws Unreadable {
        if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
            throw new Unreadable(format + " header damaged: size " + Integer.toUnsignedString(width) + "x"
                    + Integer.toUnsignedString(height) + " is outside 1.." + MAX_SIDE);
        }
        return new ImageHeader(format, width, height);
    }

    private static boolean tailContains(FileChannel ch, ByteBuffer head, long size, byte[] needle) throws IOException {
        int n = (int) Math.min(size, TAIL_BYTES);
        ByteBuffer tail = window(ch, head, size - n, n, size);
        for (int i = n - needle.length; i >= 0; i--) {
            boolean match = true;
            for (int k = 0; k < needle.length && match; k++) {
                match = tail.get(i + k) == needle[k];
            }
            if (match) {
                return true;
            }
        }
        return false;
    }

    // n bytes at pos, from the head when it holds them, else from the channel; null past the end.
    private static ByteBuffer window(FileChannel ch, ByteBuffer head, long pos, int n, long size) throws IOException {
        if (pos < 0 || pos + n > size) {
            return null;
        }
        if (pos + n <= head.limit()) {
            return head.duplicate().position((int) pos).limit((int) pos + n).slice();
        }
        return ch == null ? null : readAt(ch, pos, n);
    }

    private static ByteBuffer readAt(FileChannel ch, long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                break;
            }
        }
        return b.flip();
    }

    private static int u8(ByteBuffer b, int at) {
        return b.get(at) & 0xFF;
    }

    private static String ascii(ByteBuffer b, int at, int n) {
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) {
            bytes[i] = b.get(at + i);
        }
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    // The first bytes as hex, and as text when they are printable (a text file with an image's name).
    private static String describeStart(ByteBuffer head) {
        int n = Math.min(8, head.limit());
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < n; i++) {
            hex.append(i == 0 ? "" : " ").append(String.format("%02x", u8(head, i)));
        }
        String text = ascii(head, 0, n);
        return text.chars().allMatch(c -> c >= 0x20 && c < 0x7F) ? hex + ", text \"" + text + "\"" : hex.toString();
    }

    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            out.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return out.toString();
    }
}
