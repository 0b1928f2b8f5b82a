package dev.juggler.samples.deploy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Packs a class folder (such as {@code target/classes} on a development class path) into a jar whose bytes
 * depend only on the folder's content: entries sorted by path, every timestamp fixed, no extra manifest. So
 * the same folder always gets the same content address and a second deploy uploads nothing. Stateless and
 * thread-safe.
 */
public final class DirectoryJar {

    /** The timestamp of every entry (the zip format's epoch plus a month, as reproducible builds use). */
    static final LocalDateTime FIXED_TIME = LocalDateTime.of(1980, 2, 1, 0, 0);

    private DirectoryJar() {
    }

    /** Writes the jar of {@code folder} to {@code jar}. */
    public static void pack(Path folder, Path jar) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(folder)) {
            paths = walk.filter(p -> !p.equals(folder)).sorted((a, b) -> entryName(folder, a).compareTo(entryName(folder, b)))
                    .toList();
        }
        try (OutputStream file = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(file)) {
            zip.setLevel(Deflater.DEFAULT_COMPRESSION);
            for (Path p : paths) {
                boolean dir = Files.isDirectory(p);
                if (!dir && !Files.isRegularFile(p)) {
                    continue;
                }
                ZipEntry entry = new ZipEntry(entryName(folder, p) + (dir ? "/" : ""));
                entry.setTimeLocal(FIXED_TIME);
                zip.putNextEntry(entry);
                if (!dir) {
                    Files.copy(p, zip);
                }
                zip.closeEntry();
            }
        }
    }

    private static String entryName(Path folder, Path p) {
        return folder.relativize(p).toString().replace(java.io.File.separatorChar, '/');
    }
}
