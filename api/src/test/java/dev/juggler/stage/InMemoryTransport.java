package dev.juggler.stage;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A {@link StagingTransport} over a map of byte arrays, with switches that inject faults (a failing
 * operation, bytes damaged in flight, no checksum) and a hook that runs after each chunk of an append.
 * The smallest complete transport: an example for hosts, and the protocol's test bed. Thread-safe.
 */
final class InMemoryTransport implements StagingTransport {

    static final int CHUNK = 64 * 1024;

    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    /** An operation name ("list", "size", "append", "sha256", "rename", "remove") that fails with an IOException. */
    volatile String failing;
    /** Flip one byte of every append (a bad network or disk). */
    volatile boolean damage;
    /** Report no checksum (only sizes can be compared). */
    volatile boolean noChecksum;
    /** Runs after each chunk an append writes, with the file's name. */
    volatile Consumer<String> afterChunk = name -> { };

    @Override
    public String describe() {
        return "memory";
    }

    @Override
    public String location(String name) {
        return "/memory/" + name;
    }

    @Override
    public List<FileEntry> list() throws IOException {
        fail("list");
        List<FileEntry> all = new ArrayList<>();
        files.forEach((name, bytes) -> all.add(new FileEntry(name, bytes.length)));
        return all;
    }

    @Override
    public OptionalLong size(String name) throws IOException {
        fail("size");
        byte[] bytes = files.get(name);
        return bytes == null ? OptionalLong.empty() : OptionalLong.of(bytes.length);
    }

    @Override
    public void append(String name, Upload upload) throws IOException {
        fail("append");
        byte[] have = files.getOrDefault(name, new byte[0]);
        byte[] data = Arrays.copyOf(have, (int) upload.offset());
        try (InputStream in = upload.stream()) {
            byte[] buffer = new byte[CHUNK];
            int n;
            while ((n = in.readNBytes(buffer, 0, CHUNK)) > 0) {
                int start = data.length;
                data = Arrays.copyOf(data, start + n);
                System.arraycopy(buffer, 0, data, start, n);
                if (damage && start == upload.offset()) {
                    data[start] ^= 1;
                }
                files.put(name, data);
                upload.progress(data.length);
                afterChunk.accept(name);
            }
        }
        files.putIfAbsent(name, data);
    }

    @Override
    public Optional<String> sha256(String name) throws IOException {
        fail("sha256");
        if (noChecksum) {
            return Optional.empty();
        }
        byte[] bytes = files.get(name);
        if (bytes == null) {
            throw new IOException("no file " + name);
        }
        try {
            return Optional.of(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void rename(String from, String to) throws IOException {
        fail("rename");
        byte[] bytes = files.remove(from);
        if (bytes == null) {
            throw new IOException("no file " + from);
        }
        files.put(to, bytes);
    }

    @Override
    public boolean remove(String name) throws IOException {
        fail("remove");
        return files.remove(name) != null;
    }

    private void fail(String operation) throws IOException {
        if (operation.equals(failing)) {
            throw new IOException("injected failure of " + operation);
        }
    }
}
