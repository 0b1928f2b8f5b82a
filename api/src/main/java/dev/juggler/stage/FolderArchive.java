package dev.juggler.stage;

import dev.juggler.video.Video;
import dev.juggler.video.VideoException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@link ImageFolderArchive} of one image folder as a {@link StageSource}: the layout (names, sizes,
 * headers) is fixed when it is made, and any byte range of the archive is produced on demand from the
 * headers in memory and the frame files, without writing the archive anywhere. Not thread-safe: used by
 * one staging thread; {@link #close()} is idempotent.
 */
final class FolderArchive implements StageSource {

    static final int BLOCK = 512;
    private static final int NAME_BYTES = 100;
    private static final long MAX_OCTAL_SIZE = 077777777777L;
    private static final String PAX_NAME = "PaxHeader";

    /**
     * One member: its header blocks (a pax header first where needed), its file and its size.
     *
     * @param start where the header begins in the archive
     * @param file the file, or {@code null} if this process cannot read it (stored with no bytes)
     */
    private record Member(String name, Path file, long size, byte[] header, long start) {
        long dataStart() {
            return start + header.length;
        }

        long end() {
            return dataStart() + padded(size);
        }
    }

    private final Path folder;
    private final List<Member> members;
    private final long size;
    private FileChannel channel;
    private int channelMember = -1;

    private FolderArchive(Path folder, List<Member> members, long size) {
        this.folder = folder;
        this.members = members;
        this.size = size;
    }

    /**
     * Lays out the archive of {@code folder}.
     *
     * @throws VideoException {@code UNREADABLE} if it cannot be listed, {@code EMPTY} if it holds no frame file
     */
    static FolderArchive of(Path folder) {
        List<String> names;
        try {
            names = ImageFolderArchive.members(folder);
        } catch (AccessDeniedException e) {
            throw new VideoException(folder.toString(), VideoException.Kind.UNREADABLE, -1,
                    "the image folder cannot be listed (permission denied)", e);
        } catch (IOException e) {
            throw new VideoException(folder.toString(), VideoException.Kind.UNREADABLE, -1,
                    "the image folder cannot be listed: " + e, e);
        }
        if (names.stream().noneMatch(ImageFolderArchive::isFrameName)) {
            throw new VideoException(folder.toString(), VideoException.Kind.EMPTY, -1, "the folder holds no image files ("
                    + String.join(", ", ImageFolderArchive.FRAME_EXTENSIONS) + ")", null);
        }
        List<Member> members = new ArrayList<>(names.size());
        long position = 0;
        for (String name : names) {
            Path file = folder.resolve(name);
            long length = 0;
            if (Files.isReadable(file)) {
                try {
                    length = Files.size(file);
                } catch (IOException e) {
                    file = null;
                }
            } else {
                file = null;
            }
            Member m = new Member(name, file, length, header(name, length), position);
            members.add(m);
            position = m.end();
        }
        return new FolderArchive(folder, List.copyOf(members), position + 2L * BLOCK);
    }

    /**
     * Refuses an image folder whose frame files no longer add up to its registered size: staging it would
     * put results on the wrong frames (see {@link ImageFolderArchive}, "A changed folder").
     */
    static void checkUnchanged(Video video, Path folder) {
        long now;
        try {
            now = ImageFolderArchive.imageBytes(folder);
        } catch (IOException e) {
            throw new VideoException(folder.toString(), VideoException.Kind.UNREADABLE, -1,
                    "the image folder cannot be listed: " + e, e);
        }
        if (now != video.sizeBytes()) {
            throw new VideoException(folder.toString(), VideoException.Kind.UNREADABLE, -1, "image folder of video "
                    + StagedNames.printable(video.id()) + " changed since registration: its images add up to " + now
                    + " bytes, the record says " + video.sizeBytes() + "; frame numbers would no longer match, so it is"
                    + " not staged. Restore the folder, or register the changed folder under a new id", null);
        }
    }

    @Override
    public Path path() {
        return folder;
    }

    @Override
    public boolean isFile() {
        return false;
    }

    @Override
    public long size() {
        return size;
    }

    /** The size the archive would have now; -1 if the folder is gone or holds no frames any more. */
    @Override
    public long sizeNow() {
        try {
            return of(folder).size;
        } catch (VideoException e) {
            return -1;
        }
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        if (position >= size) {
            return -1;
        }
        int i = memberAt(position);
        if (i < 0) {
            return zeros(dst, size - position); // the end blocks
        }
        Member m = members.get(i);
        if (position < m.dataStart()) {
            int from = (int) (position - m.start());
            int n = Math.min(dst.remaining(), m.header().length - from);
            dst.put(m.header(), from, n);
            return n;
        }
        long inData = position - m.dataStart();
        if (inData >= m.size()) {
            return zeros(dst, m.end() - position);
        }
        ByteBuffer window = dst.slice();
        window.limit((int) Math.min(window.limit(), m.size() - inData));
        int n = channel(i).read(window, inData);
        if (n < 0) {
            throw new IOException("image " + StagedNames.printable(m.name()) + " in " + folder + " is shorter than its "
                    + m.size() + " bytes when staging began: the folder changed");
        }
        dst.position(dst.position() + n);
        return n;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
            channelMember = -1;
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** The member whose blocks hold {@code position}, or -1 for the end blocks. */
    private int memberAt(long position) {
        int lo = 0;
        int hi = members.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Member m = members.get(mid);
            if (position < m.start()) {
                hi = mid - 1;
            } else if (position >= m.end()) {
                lo = mid + 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    private FileChannel channel(int member) throws IOException {
        if (channelMember != member) {
            close();
            Path file = members.get(member).file();
            try {
                channel = FileChannel.open(file, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                throw new IOException("image " + StagedNames.printable(members.get(member).name()) + " in " + folder
                        + " is gone since staging began: the folder changed", e);
            }
            channelMember = member;
        }
        return channel;
    }

    private static int zeros(ByteBuffer dst, long available) {
        int n = (int) Math.min(dst.remaining(), available);
        for (int k = 0; k < n; k++) {
            dst.put((byte) 0);
        }
        return n;
    }

    static long padded(long length) {
        return (length + BLOCK - 1) / BLOCK * BLOCK;
    }

    /** The header blocks of one member: a pax header where ustar cannot say the name or size, then ustar's. */
    static byte[] header(String name, long length) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        boolean plainName = utf8.length <= NAME_BYTES && name.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
        boolean plainSize = length <= MAX_OCTAL_SIZE;
        byte[] ustar = ustar(plainName ? utf8 : PAX_NAME.getBytes(StandardCharsets.US_ASCII),
                plainSize ? length : 0, (byte) '0');
        if (plainName && plainSize) {
            return ustar;
        }
        StringBuilder records = new StringBuilder();
        if (!plainName) {
            records.append(paxRecord("path", name));
        }
        if (!plainSize) {
            records.append(paxRecord("size", Long.toString(length)));
        }
        byte[] pax = records.toString().getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[BLOCK + (int) padded(pax.length) + BLOCK];
        System.arraycopy(ustar(PAX_NAME.getBytes(StandardCharsets.US_ASCII), pax.length, (byte) 'x'), 0, out, 0, BLOCK);
        System.arraycopy(pax, 0, out, BLOCK, pax.length);
        System.arraycopy(ustar, 0, out, out.length - BLOCK, BLOCK);
        return out;
    }

    /** {@code "<length> <key>=<value>\n"}, where the length counts the whole record, its own digits too. */
    private static String paxRecord(String key, String value) {
        int body = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8).length;
        int length = body + 1;
        while (Integer.toString(length).length() + body != length) {
            length++;
        }
        return length + " " + key + "=" + value + "\n";
    }

    private static byte[] ustar(byte[] name, long length, byte type) {
        byte[] h = new byte[BLOCK];
        System.arraycopy(name, 0, h, 0, name.length);
        octal(h, 100, 8, 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, length);
        octal(h, 136, 12, 0);
        h[156] = type;
        put(h, 257, "ustar\0");
        put(h, 263, "00");
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum); // six digits, a NUL, and the space already there
        return h;
    }

    /** {@code width - 1} octal digits, zero-padded, then a NUL. */
    private static void octal(byte[] h, int at, int width, long value) {
        String digits = Long.toOctalString(value);
        String padded = "0".repeat(width - 1 - digits.length()) + digits;
        put(h, at, padded);
        h[at + width - 1] = 0;
    }

    private static void put(byte[] h, int at, String ascii) {
        byte[] b = ascii.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }
}
