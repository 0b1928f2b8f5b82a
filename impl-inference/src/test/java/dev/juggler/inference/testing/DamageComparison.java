package dev.juggler.inference.testing;

import dev.juggler.inference.video.FfmpegFrameSources;
import dev.juggler.inference.video.SyntheticVideo;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameSource;
import dev.juggler.video.DamagedFrameException;
import dev.juggler.video.VideoException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Damaged copies of real and generated AVI footage, and how many frames Juggler's frame source loses on
 * each against how many FFmpeg's own decoder cannot decode (see {@link #ffmpegUndecodable}). Three kinds of damage, each at one frame: a destroyed frame header (the first bytes of the
 * frame's data), damaged macroblocks (bytes in the middle of the data) and a lost AVI chunk (the whole
 * chunk zeroed, header included, as unreadable sectors come back). Used by tests and by
 * {@code bench/pose.sh}; stateless.
 */
public final class DamageComparison {

    /** The damage kinds, by name. */
    public static final List<String> KINDS = List.of("frame header", "macroblocks", "lost AVI chunk");

    /** One damaged copy: frames lost by us (not delivered) and by FFmpeg (not decoded), of {@code frames}. */
    public record Case(String footage, String kind, int frames, int lost, int damagedReported, int undecodable) {
    }

    /** All cases and their totals; {@link #ratio()} is lost ÷ undecodable (1.0 is the goal). */
    public record Result(List<Case> cases) {

        public int lost() {
            return cases.stream().mapToInt(Case::lost).sum();
        }

        public int undecodable() {
            return cases.stream().mapToInt(Case::undecodable).sum();
        }

        /** Lost ÷ undecodable; 1.0 when both are 0. */
        public double ratio() {
            return undecodable() == 0 ? (lost() == 0 ? 1.0 : Double.POSITIVE_INFINITY) : (double) lost() / undecodable();
        }

        /** A Markdown table of the cases. */
        public String table() {
            StringBuilder s = new StringBuilder("| footage | damage | frames | lost by Juggler | of which reported as damaged frames"
                    + " | FFmpeg cannot decode |\n|---|---|---|---|---|---|\n");
            for (Case c : cases) {
                s.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %d |%n", c.footage(), c.kind(), c.frames(),
                        c.lost(), c.damagedReported(), c.undecodable()));
            }
            return s.toString();
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "lost %d, FFmpeg cannot decode %d, ratio %.3f", lost(), undecodable(), ratio());
        }
    }

    private static final java.util.regex.Pattern SHOWINFO_PTS = java.util.regex.Pattern.compile(" n: *\\d+ +pts: *(-?\\d+)");

    private DamageComparison() {
    }

    /** Makes the damaged copies in {@code work} and compares; needs the ffmpeg CLI and vtest.avi. */
    public static Result run(Path work) {
        try {
            Files.createDirectories(work);
            List<Case> cases = new ArrayList<>();
            Path synthetic = SyntheticVideo.builder().frames(200).keyframeInterval(50).write(work.resolve("synthetic.avi"));
            for (String kind : KINDS) {
                cases.add(compare("synthetic MPEG-4", kind, damage(synthetic, work, kind, 104), 200));
                cases.add(compare("vtest.avi", kind, damage(Requirements.VTEST, work, kind, 300), 795));
            }
            return new Result(cases);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A copy of {@code avi} with one kind of damage at {@code frame}. */
    public static Path damage(Path avi, Path work, String kind, int frame) throws IOException {
        byte[] bytes = Files.readAllBytes(avi);
        List<Integer> chunks = AviChunks.videoChunks(bytes);
        int header = chunks.get(frame);
        int data = header + 8;
        int size = chunks.get(frame + 1) - data;
        switch (kind) {
            case "frame header" -> {
                for (int i = 0; i < 8; i++) {
                    bytes[data + i] ^= (byte) 0x5A;
                }
            }
            case "macroblocks" -> {
                for (int i = size / 2; i < size / 2 + 40 && i < size; i++) {
                    bytes[data + i] ^= (byte) 0x5A;
                }
            }
            case "lost AVI chunk" -> Arrays.fill(bytes, header, chunks.get(frame + 1), (byte) 0);
            default -> throw new IllegalArgumentException("no damage kind " + kind);
        }
        String name = avi.getFileName().toString().replace(".avi", "") + " " + kind + ".avi";
        return Files.write(work.resolve(name), bytes);
    }

    private static Case compare(String footage, String kind, Path file, int frames) throws IOException {
        int delivered = 0;
        int reported = 0;
        try (FrameSource source = FfmpegFrameSources.create().open(file.toString(), 0, frames)) {
            while (true) {
                try {
                    Frame f = source.next();
                    if (f == null) {
                        break;
                    }
                    delivered++;
                } catch (DamagedFrameException e) {
                    reported++;
                } catch (VideoException e) {
                    break; // the rest of the range is lost
                }
            }
        } catch (VideoException e) {
            // not even opened: everything is lost
        }
        return new Case(footage, kind, frames, frames - delivered, reported, ffmpegUndecodable(file, frames));
    }

    /**
     * Frames of {@code file} that FFmpeg cannot decode: frames its decoder does not give, plus frames it
     * gives after reporting a decoding error for them. Run as {@code ffmpeg -threads 1 -v level+info -i FILE
     * -vf showinfo -f null -}: with one thread, the errors of a frame come before its showinfo line (AVI
     * timestamps count frames, so a jump in them is a frame the decoder did not give).
     * Error lines in which the decoder says it is ignoring something are not errors.
     */
    public static int ffmpegUndecodable(Path file, int frames) throws IOException {
        Process p = new ProcessBuilder("ffmpeg", "-hide_banner", "-nostdin", "-threads", "1", "-v", "level+info", "-i",
                file.toString(), "-vf", "showinfo", "-f", "null", "-").redirectErrorStream(true).start();
        int output = 0;
        int withErrors = 0;
        long lastPts = -1;
        boolean error = false;
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                java.util.regex.Matcher m = SHOWINFO_PTS.matcher(line);
                if (line.contains("[info]") && line.contains("Parsed_showinfo") && m.find()) {
                    long pts = Long.parseLong(m.group(1));
                    output++;
                    if (error && pts == lastPts + 1) {
                        withErrors++; // else the errors were those of the frames missing before this one
                    }
                    lastPts = pts;
                    error = false;
                } else if (line.contains("[error]") && !line.contains("ignoring") && !line.contains("Last message repeated")) {
                    error = true;
                }
            }
        }
        try {
            if (p.waitFor() != 0) {
                throw new IOException("ffmpeg failed on " + file);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return Math.max(0, frames - output) + withErrors;
    }

    /** Prints the comparison: {@code DamageComparison WORK_DIR}. */
    public static void main(String[] args) {
        Result r = run(Path.of(args.length > 0 ? args[0] : "target/damage"));
        System.out.print(r.table());
        System.out.println(r);
    }
}
