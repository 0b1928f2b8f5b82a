package dev.juggler.samples;

import dev.juggler.inference.video.SyntheticVideo;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The demo's own input when the user gives none: a few short videos of a walking marker figure, plus
 * two broken files that show how unreadable input is reported. Stateless.
 */
final class DemoVideos {

    private DemoVideos() {
    }

    /** Writes the demo videos into {@code folder} unless they are already there. */
    static void ensure(Path folder, PrintWriter out) throws IOException {
        Files.createDirectories(folder);
        write(folder.resolve("walk-a.mp4"), 320, 240, 300, out);
        write(folder.resolve("walk-b.mp4"), 320, 240, 450, out);
        write(folder.resolve("walk-c.mp4"), 480, 270, 250, out);
        writeCut(folder.resolve("broken-cut.mp4"), out);
        Path empty = folder.resolve("broken-empty.mp4");
        if (!Files.exists(empty)) {
            Files.createFile(empty);
        }
        Path text = folder.resolve("broken-text.mp4");
        if (!Files.exists(text)) {
            Files.writeString(text, "This is a text file with a video's name.\n", StandardCharsets.UTF_8);
        }
    }

    /**
     * A video cut in half after its index (as an interrupted copy leaves it): it opens and promises all
     * its frames, but the worker meets the cut halfway and records it as a failure of those frames.
     */
    private static void writeCut(Path file, PrintWriter out) throws IOException {
        if (Files.exists(file)) {
            return;
        }
        out.printf("Generating %s (a video cut off halfway)%n", file);
        Path whole = file.resolveSibling(file.getFileName() + ".whole.mp4");
        SyntheticVideo.builder().size(320, 240).frames(200).fps(25).fastStart(true).write(whole);
        byte[] bytes = Files.readAllBytes(whole);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Files.delete(whole);
    }

    private static void write(Path file, int width, int height, int frames, PrintWriter out) {
        if (Files.exists(file)) {
            return;
        }
        out.printf("Generating %s (%dx%d, %d frames)%n", file, width, height, frames);
        out.flush();
        Path partial = file.resolveSibling(file.getFileName() + ".part.mp4");
        SyntheticVideo.builder().size(width, height).frames(frames).fps(25).write(partial);
        try {
            Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot move " + partial + " to " + file, e);
        }
    }
}
