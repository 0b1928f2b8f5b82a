package dev.juggler.samples.console;

import dev.juggler.inference.clean.CleanSettings;
import dev.juggler.inference.clean.CleanedFrame;
import dev.juggler.inference.clean.PoseCsv;
import dev.juggler.ledger.TrackView;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Set;

/**
 * One cleaned track's CSV time series ({@link PoseCsv}) in the folder of {@code juggler clean --csv}. It is written
 * under a hidden temporary name and renamed only by {@link #commit()}, so a file with the final name is complete;
 * closing without a commit removes the temporary file. Not thread-safe: one track, one thread.
 */
final class CleanCsvFile implements Closeable {

    /** Longest part of a file name taken from the video id, so the whole name stays far below file system limits. */
    static final int MAX_VIDEO_PART = 80;

    // Windows refuses these as file names even with an extension ("nul.pose-clean.3.csv").
    private static final Set<String> DEVICE_NAMES = Set.of("con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5",
            "com6", "com7", "com8", "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9");

    private final Path target;
    private final Path temp;
    private final BufferedWriter writer;
    private final PoseCsv csv;
    private boolean committed;

    private CleanCsvFile(Path target, Path temp, BufferedWriter writer, double fps) {
        this.target = target;
        this.temp = temp;
        this.writer = writer;
        this.csv = new PoseCsv(writer, fps);
    }

    /** Starts the CSV of a track in {@code folder} (created if missing). */
    static CleanCsvFile open(Path folder, TrackView track, double fps) throws IOException {
        Files.createDirectories(folder);
        String name = fileName(track);
        Path temp = folder.resolve("." + name + ".tmp");
        return new CleanCsvFile(folder.resolve(name), temp, Files.newBufferedWriter(temp, StandardCharsets.UTF_8), fps);
    }

    /**
     * {@code <video>.<analysis>+clean.<track id>.csv} made of ASCII letters, digits, {@code -} and {@code _} only:
     * the video id may hold anything (quotes, {@code $(...)}, newlines, {@code /}, {@code ..}), and the file must be
     * creatable on every file system a user may copy it to. Two ids that become alike are kept apart by the track id.
     */
    static String fileName(TrackView track) {
        String video = portable(track.videoId(), MAX_VIDEO_PART);
        if (video.isEmpty()) {
            video = "video";
        } else if (DEVICE_NAMES.contains(video.toLowerCase(Locale.ROOT))) {
            video = "video-" + video;
        }
        String analysis = portable(CleanSettings.cleanedName(track.analysis()).replace('+', '-'), MAX_VIDEO_PART);
        return video + "." + analysis + "." + track.trackId() + ".csv";
    }

    /** Writes one cleaned frame's rows. */
    void write(CleanedFrame frame) {
        csv.write(frame);
    }

    /** The final file, complete once {@link #commit()} returned. */
    Path target() {
        return target;
    }

    /** Finishes the file and gives it its final name, replacing the CSV of an earlier run. */
    void commit() throws IOException {
        writer.close();
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        committed = true;
    }

    @Override
    public void close() throws IOException {
        if (!committed) {
            try {
                writer.close();
            } finally {
                Files.deleteIfExists(temp);
            }
        }
    }

    // Everything but ASCII letters, digits and inner '-' becomes '_' (dots too: no "..", no hidden or extension tricks),
    // runs of '_' shrink to one, and none is left at either end.
    private static String portable(String text, int max) {
        StringBuilder s = new StringBuilder(Math.min(text.length(), max));
        for (int i = 0; i < text.length() && s.length() < max; i++) {
            char c = text.charAt(i);
            // a leading '-' would read as an option to the next command given the file
            boolean plain = c < 128 && (Character.isLetterOrDigit(c) || c == '-' && s.length() > 0);
            if (plain) {
                s.append(c);
            } else if (s.length() > 0 && s.charAt(s.length() - 1) != '_') {
                s.append('_');
            }
        }
        while (s.length() > 0 && s.charAt(s.length() - 1) == '_') {
            s.setLength(s.length() - 1);
        }
        return s.toString();
    }
}
