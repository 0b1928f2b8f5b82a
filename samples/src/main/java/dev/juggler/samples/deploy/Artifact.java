package dev.juggler.samples.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One local file to deploy: its name, where it is on this machine, its SHA-256 and size. Its content address
 * on the cluster is {@code SHA256-NAME} ({@link #casName()}), with the name reduced to safe characters.
 * Immutable and thread-safe (the file itself must not change while it is deployed).
 *
 * @param name the file name shown to the operator and kept in the content address (e.g. {@code picocli-4.7.7.jar})
 * @param file the local file
 * @param sha256 lower-case hex SHA-256 of the content
 * @param size bytes
 */
public record Artifact(String name, Path file, String sha256, long size) {

    public Artifact {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(file, "file");
        if (!Objects.requireNonNull(sha256, "sha256").matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a SHA-256: " + sha256);
        }
    }

    /** Hashes {@code file} and names it by its file name. */
    public static Artifact of(Path file) {
        return of(file.getFileName().toString(), file);
    }

    /** Hashes {@code file} under the given name. */
    public static Artifact of(String name, Path file) {
        try {
            return new Artifact(name, file, sha256(file), Files.size(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** {@code SHA256-NAME}, the name reduced to {@code [A-Za-z0-9._-]} (others become {@code _}), at most 100 characters. */
    public String casName() {
        String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
        if (safe.startsWith(".")) {
            safe = "_" + safe.substring(1);
        }
        if (safe.length() > 100) {
            safe = safe.substring(safe.length() - 100);
        }
        return sha256 + "-" + safe;
    }

    /** Lower-case hex SHA-256 of a file's content. */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Lower-case hex SHA-256 of bytes. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
