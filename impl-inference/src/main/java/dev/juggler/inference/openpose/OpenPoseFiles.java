package dev.juggler.inference.openpose;

import dev.juggler.JugglerException;
import dev.juggler.ledger.FrameResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.DirectoryStream;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.List;
import java.util.ArrayList;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * OpenPose's per-frame output files: {@code <video name without extension>_<frame, 12 digits>_keypoints.json}
 * (0-based frame index, zero-padded), written atomically so that a reader never sees half a file, and an
 * exporter that turns stored {@link FrameResult}s back into such a directory.
 *
 * <p>Stateless and thread-safe; concurrent writes of different frames are safe, concurrent writes of the
 * same frame leave one complete file.
 */
public final class OpenPoseFiles {

    /** The suffix OpenPose appends to every keypoint file. */
    public static final String SUFFIX = "_keypoints.json";

    private OpenPoseFiles() {
    }

    /** {@code video.mp4} -> {@code video}; a name without extension is returned as it is. */
    public static String baseName(Path video) {
        String name = Objects.requireNonNull(video.getFileName(), "video has no file name").toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /** {@code <videoBaseName>_<frame as 12 digits>_keypoints.json}. */
    public static String fileName(String videoBaseName, long frame) {
        checkBaseName(videoBaseName);
        if (frame < 0) {
            throw new IllegalArgumentException("frame = " + frame + ": must be >= 0");
        }
        return videoBaseName + '_' + String.format("%012d", frame) + SUFFIX;
    }

    /**
     * Writes {@code json} as the file for {@code frame} in {@code dir} (created if missing), replacing an
     * existing file: written to a temporary file in the same directory, then renamed.
     *
     * @return the file written
     * @throws JugglerException (transient) if the file system refuses
     */
    public static Path writeFrame(Path dir, String videoBaseName, long frame, String json) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(json, "json");
        Path target = dir.resolve(fileName(videoBaseName, frame));
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            // Same directory: the rename stays on one file system and is therefore atomic.
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            Files.writeString(tmp, json, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            return target;
        } catch (IOException e) {
            throw JugglerException.transientFailure("writing OpenPose file " + target + " failed: " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // The original failure is what matters; a stray hidden temp file is harmless.
                }
            }
        }
    }

    /**
     * Writes each result's payload (OpenPose JSON, as stored) as the file of its frame.
     *
     * @return the number of files written
     */
    public static long export(Iterable<FrameResult> results, String videoBaseName, Path dir) {
        Objects.requireNonNull(results, "results");
        return export(results.iterator(), videoBaseName, dir);
    }

    /** As {@link #export(Iterable, String, Path)} for a stream (which is consumed, not closed). */
    public static long export(Stream<FrameResult> results, String videoBaseName, Path dir) {
        Objects.requireNonNull(results, "results");
        return export(results.iterator(), videoBaseName, dir);
    }

    private static long export(Iterator<FrameResult> it, String videoBaseName, Path dir) {
        checkBaseName(videoBaseName);
        long n = 0;
        while (it.hasNext()) {
            FrameResult r = it.next();
            writeFrame(dir, videoBaseName, r.frame(), r.payload());
            n++;
        }
        return n;
    }

    /**
     * The {@code *.json} files of {@code dir} (not recursive) in name order, which for OpenPose's
     * zero-padded names is frame order. Only the names are held in memory (a few MB for 100,000 files), never
     * the documents: read them one at a time from the stream. Close the stream.
     *
     * @throws JugglerException (permanent) if {@code dir} cannot be listed
     */
    public static Stream<Path> jsonFiles(Path dir) {
        Objects.requireNonNull(dir, "dir");
        List<Path> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : entries) {
                if (Files.isRegularFile(p)) {
                    names.add(p);
                }
            }
        } catch (IOException e) {
            throw JugglerException.permanentFailure("cannot list " + dir + ": " + e, e);
        }
        names.sort(null);
        return names.stream();
    }

    /**
     * Reads every {@code *.json} file of {@code dir} in name order, one document at a time, handing each
     * file's path and either its document or its {@link OpenPoseFormatException} to {@code visitor}; a bad
     * file does not stop the walk.
     *
     * @return the number of files visited
     */
    public static long readAll(Path dir, FileVisitor visitor) {
        Objects.requireNonNull(visitor, "visitor");
        long n = 0;
        try (Stream<Path> files = jsonFiles(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                OpenPoseDocument doc = null;
                OpenPoseFormatException error = null;
                try {
                    doc = OpenPoseJson.readDocument(file);
                } catch (OpenPoseFormatException e) {
                    error = e;
                }
                visitor.visit(file, doc, error);
                n++;
            }
        }
        return n;
    }

    /** Receives one file of {@link #readAll}: exactly one of {@code document} and {@code error} is non-null. */
    @FunctionalInterface
    public interface FileVisitor {
        void visit(Path file, OpenPoseDocument document, OpenPoseFormatException error);
    }

    private static void checkBaseName(String videoBaseName) {
        Objects.requireNonNull(videoBaseName, "videoBaseName");
        if (videoBaseName.isEmpty() || videoBaseName.indexOf('/') >= 0 || videoBaseName.indexOf('\\') >= 0
                || videoBaseName.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("videoBaseName \"" + videoBaseName
                    + "\" must be a non-empty file name without path separators");
        }
    }
}
