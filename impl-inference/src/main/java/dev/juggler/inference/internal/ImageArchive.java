package dev.juggler.inference.internal;

import dev.juggler.stage.ImageFolderArchive;
import dev.juggler.video.VideoException;
import dev.juggler.video.VideoException.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The index of a staged image folder ({@link ImageFolderArchive}, a tar file): its frames in the same natural
 * order as the folder's ({@link ImageFolderListing#isFrameName}, {@link ImageOrder}), where each one's bytes lie,
 * and the rate in its {@value ImageFolderListing#FPS_FILE} member. Reads only the headers (one 512-byte block per
 * member). Members in sub-folders, links and other entry types are not frames, as in a folder. Immutable and
 * thread-safe; {@link #read} opens and closes the file itself.
 */
public final class ImageArchive {

    private static final int BLOCK = 512;

    private final List<String> names;
    private final long[] offsets;
    private final long[] sizes;
    private final OptionalDouble fps;

    private ImageArchive(List<String> names, long[] offsets, long[] sizes, OptionalDouble fps) {
        this.names = names;
        this.offsets = offsets;
        this.sizes = sizes;
        this.fps = fps;
    }

    /**
     * Reads the index of {@code file}.
     *
     * @throws VideoException {@code UNREADABLE} if it cannot be read, {@code NOT_A_VIDEO} if it is not a tar
     *     archive (or a header is damaged or cut off) or its {@code fps} member holds no rate, {@code EMPTY} if it
     *     holds no frame
     */
    public static ImageArchive read(String location, Path file) {
        VideoFiles.checkFile(location, file);
        Map<String, long[]> frames = new HashMap<>();
        String fpsText = null;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long position = 0;
            Map<String, String> pax = Map.of();
            while (true) {
                if (position + BLOCK > size) {
                    throw notTar(location, "cut off: no end blocks after byte " + position);
                }
                byte[] h = block(ch, position);
                if (isZero(h)) {
                    break;
                }
                if (!checksumOk(h) || !new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
                    throw notTar(location, "no valid tar header at byte " + position);
                }
                long length = pax.containsKey("size") ? Long.parseLong(pax.get("size")) : octal(h, 124, 12);
                long data = position + BLOCK;
                if (length < 0 || data + length > size) {
                    throw notTar(location, "member at byte " + position + " runs past the end of the file");
                }
                byte type = h[156];
                if (type == 'x') {
                    pax = paxRecords(ch, data, length, location);
                } else {
                    String name = pax.containsKey("path") ? pax.get("path") : name(h);
                    name = name.startsWith("./") ? name.substring(2) : name; // as `tar cf x.imgtar -C folder .` writes
                    pax = Map.of();
                    if (type == '0' || type == 0) {
                        if (name.equals(ImageFolderListing.FPS_FILE)) {
                            fpsText = text(ch, data, (int) Math.min(length, 100));
                        } else if (!name.contains("/") && ImageFolderListing.isFrameName(name)) {
                            frames.put(name, new long[] {data, length});
                        }
                    }
                }
                position = data + (length + BLOCK - 1) / BLOCK * BLOCK;
            }
        } catch (IOException | NumberFormatException e) {
            throw new VideoException(location, Kind.UNREADABLE, -1, "the image archive cannot be read: " + e, e);
        }
        if (frames.isEmpty()) {
            throw new VideoException(location, Kind.EMPTY, -1, "the image archive holds no image files ("
                    + ImageFolderListing.extensions() + ")", null);
        }
        OptionalDouble fps = OptionalDouble.empty();
        if (fpsText != null) {
            fps = ImageFolderListing.parseFps(fpsText);
            if (fps.isEmpty()) {
                throw new VideoException(location, Kind.NOT_A_VIDEO, -1, "its " + ImageFolderListing.FPS_FILE + " file says "
                        + ImageFolderListing.quoted(fpsText.strip()) + "; write one frame rate such as 25, 29.97 or 30000/1001",
                        null);
            }
        }
        List<String> names = new ArrayList<>(frames.keySet());
        names.sort(ImageOrder.INSTANCE);
        long[] offsets = new long[names.size()];
        long[] sizes = new long[names.size()];
        for (int i = 0; i < names.size(); i++) {
            long[] at = frames.get(names.get(i));
            offsets[i] = at[0];
            sizes[i] = at[1];
        }
        return new ImageArchive(List.copyOf(names), offsets, sizes, fps);
    }

    /** Whether a location names a staged image folder (by its {@code .imgtar} extension). */
    public static boolean isArchive(Path path) {
        Path name = path.getFileName();
        return name != null && ImageFolderArchive.isArchiveName(name.toString());
    }

    /** Number of frames. */
    public int size() {
        return names.size();
    }

    /** The frames' names, in frame order. */
    public List<String> names() {
        return names;
    }

    /** The byte count of frame {@code index}. */
    public long byteCount(int index) {
        return sizes[index];
    }

    /** The rate in the archive's {@code fps} member, if it has one. */
    public OptionalDouble fps() {
        return fps;
    }

    /** The bytes of frame {@code index}, read through {@code channel} (a channel on the archive). */
    public byte[] bytes(FileChannel channel, int index) throws IOException {
        byte[] out = new byte[Math.toIntExact(sizes[index])];
        ByteBuffer buffer = ByteBuffer.wrap(out);
        long at = offsets[index];
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at + buffer.position());
            if (n < 0) {
                throw new IOException("the archive ends inside this image");
            }
        }
        return out;
    }

    private static byte[] block(FileChannel ch, long position) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(BLOCK);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                throw new IOException("unexpected end of file at byte " + (position + b.position()));
            }
        }
        return b.array();
    }

    private static String text(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining() && ch.read(b, position + b.position()) >= 0) {
            // reads until full
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    /** The {@code key=value} records of a pax extended header (those this reader uses: path, size). */
    private static Map<String, String> paxRecords(FileChannel ch, long position, long length, String location)
            throws IOException {
        if (length > 1 << 20) {
            throw notTar(location, "an extended header of " + length + " bytes");
        }
        ByteBuffer b = ByteBuffer.allocate((int) length);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                throw new IOException("unexpected end of file in an extended header");
            }
        }
        byte[] bytes = b.array();
        Map<String, String> records = new HashMap<>();
        int at = 0;
        while (at < bytes.length) {
            int space = at;
            while (space < bytes.length && bytes[space] != ' ') {
                space++;
            }
            int recordLength = Integer.parseInt(new String(bytes, at, space - at, StandardCharsets.US_ASCII));
            if (recordLength <= space - at || at + recordLength > bytes.length) {
                throw notTar(location, "a damaged extended header record");
            }
            String record = new String(bytes, space + 1, at + recordLength - space - 2, StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq > 0) {
                records.put(record.substring(0, eq), record.substring(eq + 1));
            }
            at += recordLength;
        }
        return records;
    }

    private static String name(byte[] h) {
        String name = cString(h, 0, 100);
        String prefix = cString(h, 345, 155);
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String cString(byte[] h, int at, int width) {
        int end = at;
        while (end < at + width && h[end] != 0) {
            end++;
        }
        return new String(h, at, end - at, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] h, int at, int width) {
        String digits = cString(h, at, width).trim();
        return digits.isEmpty() ? 0 : Long.parseLong(digits, 8);
    }

    private static boolean checksumOk(byte[] h) {
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += i >= 148 && i < 156 ? ' ' : h[i] & 0xff;
        }
        try {
            return octal(h, 148, 8) == sum;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isZero(byte[] h) {
        for (byte b : h) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static VideoException notTar(String location, String why) {
        return new VideoException(location, Kind.NOT_A_VIDEO, -1, "not a readable image archive: " + why, null);
    }
}
