package dev.juggler.inference.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Image files for image-folder tests, made with the ffmpeg CLI (no shell: any file name is safe), and the
 * usual ways such files are broken. Stateless.
 */
public final class ImageFixtures {

    private ImageFixtures() {
    }

    /** Requires the ffmpeg CLI (scripts/setup.d/10-footage.sh installs it). */
    public static void requireFfmpeg() {
        boolean present = false;
        try {
            Process p = new ProcessBuilder("ffmpeg", "-version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            present = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            present = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Requirements.require(present, "needs the ffmpeg CLI (scripts/setup.d/10-footage.sh installs it)");
    }

    /**
     * Runs {@code ffmpeg -hide_banner -loglevel error -nostdin -y ARGS...} and fails on a non-zero exit.
     */
    public static void ffmpeg(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"));
        cmd.addAll(Arrays.asList(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("ffmpeg failed: " + cmd + "\n" + output);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Writes frames {@code [0, count)} of {@code video} into {@code folder} as {@code pattern} (an ffmpeg
     * image pattern such as {@code img%d.jpg}), numbered from {@code startNumber}.
     */
    public static void framesOf(Path video, Path folder, String pattern, int count, int startNumber) throws IOException {
        Files.createDirectories(folder);
        ffmpeg("-i", video.toString(), "-frames:v", Integer.toString(count), "-start_number", Integer.toString(startNumber),
                "-q:v", "3", folder.resolve(pattern).toString());
    }

    /** Writes {@code count} synthetic test-pattern frames of {@code width x height} as {@code pattern} into {@code folder}. */
    public static void synthetic(Path folder, String pattern, int count, int width, int height, int startNumber)
            throws IOException {
        Files.createDirectories(folder);
        ffmpeg("-f", "lavfi", "-i", "testsrc2=size=" + width + "x" + height + ":rate=25", "-frames:v", Integer.toString(count),
                "-start_number", Integer.toString(startNumber), folder.resolve(pattern).toString());
    }

    /** One synthetic picture into {@code file} (its format from the extension; {@code .webp} is a still lossy WebP). */
    public static Path picture(Path file, int width, int height) {
        String name = file.getFileName().toString();
        List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i", "testsrc=size=" + width + "x" + height + ":rate=1",
                "-frames:v", "1", "-update", "1"));
        if (name.endsWith(".webp")) {
            args.addAll(List.of("-c:v", "libwebp"));
        }
        args.add(file.toString());
        ffmpeg(args.toArray(String[]::new));
        return file;
    }

    /** Cuts {@code file} to {@code fraction} of its length (an interrupted copy). */
    public static void truncate(Path file, double fraction) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, (int) (bytes.length * fraction)));
    }

    /** Replaces {@code file} with random bytes of the same length (seeded). */
    public static void garbage(Path file, long seed) throws IOException {
        byte[] bytes = new byte[(int) Math.max(1, Files.size(file))];
        new Random(seed).nextBytes(bytes);
        Files.write(file, bytes);
    }

    /** Raw pixels of an image as the ffmpeg CLI converts it, e.g. {@code bgr24} or {@code yuv420p}. */
    public static byte[] rawPixels(Path image, String pixFmt, Path scratch) throws IOException {
        Path raw = scratch.resolve("raw-" + System.nanoTime() + ".raw");
        ffmpeg("-i", image.toString(), "-f", "rawvideo", "-pix_fmt", pixFmt, raw.toString());
        byte[] bytes = Files.readAllBytes(raw);
        Files.delete(raw);
        return bytes;
    }

    /** Mean absolute difference of two equally long pixel arrays. */
    public static double meanAbsDiff(byte[] a, byte[] b, int length) {
        long sum = 0;
        for (int i = 0; i < length; i++) {
            sum += Math.abs((a[i] & 0xff) - (b[i] & 0xff));
        }
        return sum / (double) length;
    }
}
