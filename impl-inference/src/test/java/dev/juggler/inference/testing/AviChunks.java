package dev.juggler.inference.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Finds the video chunks of an AVI file in memory, for tests that damage or rewrite them. Stateless. */
public final class AviChunks {

    private AviChunks() {
    }

    /**
     * Offsets of the chunk headers of stream 0's video data ({@code 00dc} compressed, {@code 00db}
     * uncompressed) in the {@code movi} list, in file order; the data follows 8 bytes later.
     */
    public static List<Integer> videoChunks(byte[] avi) {
        ByteBuffer b = ByteBuffer.wrap(avi).order(ByteOrder.LITTLE_ENDIAN);
        List<Integer> chunks = new ArrayList<>();
        for (int at = 12; at + 12 <= avi.length; ) {
            int size = b.getInt(at + 4);
            if (fourCc(avi, at).equals("LIST") && fourCc(avi, at + 8).equals("movi")) {
                for (int c = at + 12; c + 8 <= Math.min(avi.length, at + 8 + size); ) {
                    int chunkSize = b.getInt(c + 4);
                    String id = fourCc(avi, c);
                    if (id.equals("00dc") || id.equals("00db")) {
                        chunks.add(c);
                    }
                    c += 8 + chunkSize + (chunkSize & 1);
                }
                return chunks;
            }
            at += 8 + size + (size & 1);
        }
        return chunks;
    }

    /** The size field of the chunk whose header is at {@code offset}. */
    public static int size(byte[] avi, int offset) {
        return ByteBuffer.wrap(avi).order(ByteOrder.LITTLE_ENDIAN).getInt(offset + 4);
    }

    private static String fourCc(byte[] bytes, int at) {
        return new String(bytes, at, 4, StandardCharsets.ISO_8859_1);
    }
}
