package dev.juggler.samples.console;

import dev.juggler.JugglerException;
import dev.juggler.inference.openpose.OpenPoseFiles;
import dev.juggler.ledger.TrackView;
import dev.juggler.ledger.VideoRecord;
import dev.juggler.ledger.WorkLedger;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Writes the stored frame results of tracks as OpenPose JSON folders: one folder per track named
 * {@code <video file name without extension>.<analysis>}, one file per frame named as OpenPose names it
 * ({@code <video>_<frame:12>_keypoints.json}). The one code path of {@code juggler export} and the demo.
 *
 * <p>Resumable: every file is written to a temporary name and renamed, so a file that exists is complete; a
 * re-run skips the frames whose file exists and removes temporary files an interrupted run left. Which folder
 * belongs to which track is kept in {@value #INDEX} in the output folder, so that two videos with the same file
 * name ({@code a.mp4}, {@code a.avi}) get {@code a.pose} and {@code a-2.pose} in every run, whatever subset of
 * tracks each run exports. Results are read one track at a time as a stream: memory does not grow with the
 * number of frames.
 *
 * <p>Not thread-safe, and one export at a time per output folder.
 */
public final class TrackExporter {

    /** The file in the output folder that records which folder holds which track. */
    public static final String INDEX = ".juggler-export";

    /**
     * What exporting one track did. Immutable and thread-safe.
     *
     * @param trackId the track
     * @param folder its folder's name in the output folder
     * @param written files written now
     * @param skipped frames whose file was already there
     */
    public record TrackResult(long trackId, String folder, long written, long skipped) {
    }

    private final WorkLedger ledger;
    private final Path output;
    private final Map<Long, String> folderOfTrack = new HashMap<>();
    private final Set<String> taken = new HashSet<>();

    /**
     * @param output the folder that receives one folder per track (created if missing)
     * @throws JugglerException if the folder or its index cannot be read
     */
    public TrackExporter(WorkLedger ledger, Path output) {
        this.ledger = ledger;
        this.output = output;
        try {
            Files.createDirectories(output);
            Path index = output.resolve(INDEX);
            if (Files.exists(index)) {
                for (String line : Files.readAllLines(index, StandardCharsets.UTF_8)) {
                    int tab = line.indexOf('\t');
                    if (tab > 0) {
                        String folder = unescape(line.substring(tab + 1));
                        folderOfTrack.put(Long.parseLong(line.substring(0, tab)), folder);
                        taken.add(folder);
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw JugglerException.permanentFailure("cannot read the export index in " + output + ": " + e.getMessage(), e);
        }
    }

    /** Exports one track's stored results, skipping frames whose file exists. */
    public TrackResult export(TrackView track) {
        String base = baseName(track);
        String folder = folderOf(track, base);
        Path dir = output.resolve(folder);
        removeLeftovers(dir);
        long[] counts = {0, 0};
        ledger.readResults(track.trackId(), track.range(), result -> {
            if (Files.exists(dir.resolve(OpenPoseFiles.fileName(base, result.frame())))) {
                counts[1]++;
            } else {
                OpenPoseFiles.writeFrame(dir, base, result.frame(), result.payload());
                counts[0]++;
            }
        });
        return new TrackResult(track.trackId(), folder, counts[0], counts[1]);
    }

    // The video's file name without extension; names no file system takes are made safe, not refused.
    private String baseName(TrackView track) {
        Optional<VideoRecord> video = ledger.video(track.videoId());
        String base = "";
        if (video.isPresent()) {
            try {
                Path location = Path.of(video.get().video().location());
                base = location.getFileName() == null ? "" : OpenPoseFiles.baseName(location);
            } catch (IllegalArgumentException e) { // InvalidPathException, or a name OpenPose files cannot take
                base = "";
            }
        }
        base = safe(base);
        return base.isEmpty() || base.startsWith(".") ? "track-" + track.trackId() + base : base;
    }

    private String folderOf(TrackView track, String base) {
        String known = folderOfTrack.get(track.trackId());
        if (known != null) {
            return known;
        }
        String analysis = safe(track.analysis());
        String folder = base + "." + analysis;
        for (int n = 2; taken.contains(folder); n++) {
            folder = base + "-" + n + "." + analysis;
        }
        remember(track.trackId(), folder);
        return folder;
    }

    private void remember(long trackId, String folder) {
        try (BufferedWriter w = Files.newBufferedWriter(output.resolve(INDEX), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            w.write(trackId + "\t" + escape(folder) + "\n");
        } catch (IOException e) {
            throw JugglerException.permanentFailure("cannot write the export index in " + output + ": " + e.getMessage(), e);
        }
        folderOfTrack.put(trackId, folder);
        taken.add(folder);
    }

    // An interrupted run may leave the temporary files of OpenPoseFiles.writeFrame (".<name>…tmp").
    private static void removeLeftovers(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, ".*" + OpenPoseFiles.SUFFIX + "*.tmp")) {
            for (Path temp : temps) {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw JugglerException.permanentFailure("cannot clean up " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * A name with path separators (and NUL) replaced by {@code _}: one folder, never a path. Other characters stay
     * as the video's file name has them (a file may be called {@code it's $(x)\nü.mp4}), so the export mirrors the
     * input; the commands print names escaped.
     */
    static String safe(String name) {
        StringBuilder s = new StringBuilder(name.length());
        name.codePoints().forEach(c -> s.appendCodePoint(c == '/' || c == '\\' || c == 0 ? '_' : c));
        return s.toString();
    }

    private static String escape(String folder) {
        return folder.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    private static String unescape(String text) {
        StringBuilder s = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                char n = text.charAt(++i);
                s.append(switch (n) {
                    case 't' -> '\t';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    default -> n;
                });
            } else {
                s.append(c);
            }
        }
        return s.toString();
    }
}
