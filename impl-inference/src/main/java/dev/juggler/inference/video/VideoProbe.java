package dev.juggler.inference.video;

import dev.juggler.inference.internal.VideoFiles;
import dev.juggler.pipeline.PixelFormat;
import dev.juggler.video.Video;
import dev.juggler.video.VideoException;
import dev.juggler.video.VideoException.Kind;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import org.bytedeco.javacv.FFmpegFrameGrabber;

/**
 * Reads what the ledger needs to know about a video file: exact frame count, frame rate and size.
 *
 * <p>The frame count is the container's own sample count when it keeps one (MP4, AVI: exact and
 * free), otherwise JavaCV's duration-based count; when that is 0 or negative the frames are counted by
 * decoding. {@link #probe(String, Path, Map, boolean) probe(..., true)} always counts by decoding and
 * fails with {@code TRUNCATED} when fewer frames decode than the container declares — use it when
 * files may have been cut in transfer, or {@link #inspect} for a cheap check of the last frame. Decoding costs about as long as a full pass of {@code ffmpeg}
 * without conversion.
 *
 * <p>Broken files fail with the same {@link VideoException} kinds as
 * {@link FfmpegFrameSources}. A folder is an image folder: every method delegates to
 * {@link ImageFolders#inspect} (headers only; {@code verifyByDecoding} decodes every image too).
 * Stateless and thread-safe.
 */
public final class VideoProbe {

    private VideoProbe() {
    }

    /**
     * Probes {@code file} using the container's frame count (decoding only when the container has none).
     *
     * @param id the video id to put in the result
     * @param file the video file; its string form becomes {@link Video#location()}
     * @param tags free-form tags to carry, may be {@code null}
     * @throws VideoException if the file is missing, empty, not a video or visibly truncated
     */
    public static Video probe(String id, Path file, Map<String, String> tags) {
        return probe(id, file, tags, false);
    }

    /**
     * Probes {@code file}; with {@code verifyByDecoding} every frame is decoded and counted.
     *
     * @throws VideoException as {@link #probe(String, Path, Map)}, and {@code TRUNCATED} (naming the first
     *     missing frame) if decoding yields fewer frames than the container's exact count
     */
    public static Video probe(String id, Path file, Map<String, String> tags, boolean verifyByDecoding) {
        return read(id, file, tags, verifyByDecoding ? Check.DECODE_ALL : Check.FIRST_FRAME).video();
    }

    /** How much of a file a probe reads. */
    private enum Check { FIRST_FRAME, FIRST_AND_LAST_FRAME, DECODE_ALL }

    private static Inspection read(String id, Path file, Map<String, String> tags, Check check) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(file, "file");
        if (java.nio.file.Files.isDirectory(file)) {
            return ImageFolders.inspect(id, file, tags, check == Check.DECODE_ALL);
        }
        String location = file.toString();
        long size = VideoFiles.checkFile(location, file);
        FFmpegFrameGrabber grabber = VideoFiles.open(location, file, 0, PixelFormat.I420);
        try {
            double fps = VideoFiles.fps(grabber);
            long[] declared = VideoFiles.declaredFrameCount(grabber);
            if (check == Check.DECODE_ALL || declared[0] <= 0) {
                long frames = countByDecoding(location, grabber);
                if (declared[1] == 1 && frames < declared[0]) {
                    throw new VideoException(location, Kind.TRUNCATED, frames, "only " + frames
                            + " frames decode but the container declares " + declared[0], null);
                }
                return new Inspection(new Video(id, location, frames, fps, size, tags), OptionalLong.empty());
            }
            requireFirstFrame(location, grabber);
            OptionalLong readable = check == Check.FIRST_AND_LAST_FRAME ? firstUnreadable(grabber, declared[0])
                    : OptionalLong.empty();
            return new Inspection(new Video(id, location, declared[0], fps, size, tags), readable);
        } finally {
            VideoFiles.release(grabber, location);
        }
    }

    /**
     * What {@link #inspect} found: the video as its container declares it, and, when the file was cut
     * short behind an intact index, the first frame that cannot be read; for an image folder, the images
     * that cannot be read or are unusual. Immutable and thread-safe.
     *
     * @param video the video with its declared frame count
     * @param readableFrames frames {@code [0, readableFrames)} can be read; empty when all can
     * @param imageProblems (image folders) damaged images, then notes, each in frame order; empty for a video file
     */
    public record Inspection(Video video, OptionalLong readableFrames, List<ImageProblem> imageProblems) {
        public Inspection {
            Objects.requireNonNull(video, "video");
            Objects.requireNonNull(readableFrames, "readableFrames");
            imageProblems = List.copyOf(imageProblems);
        }

        /** A video file's inspection (no image problems). */
        public Inspection(Video video, OptionalLong readableFrames) {
            this(video, readableFrames, List.of());
        }

        /** Whether frames at the end cannot be read. */
        public boolean isCutShort() {
            return readableFrames.isPresent();
        }

        /** The images of an image folder whose frames will fail (registered all the same). */
        public List<ImageProblem> damagedImages() {
            return imageProblems.stream().filter(p -> p.severity() == ImageProblem.Severity.DAMAGED).toList();
        }

        /** For people: which frames cannot be read and why. */
        public String describe() {
            long damaged = damagedImages().size();
            if (damaged > 0) {
                return damaged + " of " + video.frameCount() + " images cannot be read (their frames will fail), the first: "
                        + damagedImages().get(0).describe();
            }
            return readableFrames.isEmpty() ? "all " + video.frameCount() + " frames readable"
                    : "the container declares " + video.frameCount() + " frames but frame " + readableFrames.getAsLong()
                            + " and those after it cannot be read (the file was probably cut short)";
        }
    }

    /**
     * Probes {@code file} like {@link #probe(String, Path, Map)} and also reads its last declared frame
     * (one seek, milliseconds): a file cut in transfer keeps its index when the index is at the front (MP4
     * "faststart"), so its container still declares every frame. When the last frame cannot be read,
     * bisecting seeks find the first one that cannot. The video keeps its declared count, so that the
     * readable frames are analysed and the rest is recorded as a failure of its own; the caller should
     * say so at once.
     *
     * @throws VideoException as {@link #probe(String, Path, Map)}
     */
    public static Inspection inspect(String id, Path file, Map<String, String> tags) {
        return read(id, file, tags, Check.FIRST_AND_LAST_FRAME);
    }

    // Frames [0, result) can be read; empty when the last declared frame can (the first one was decoded).
    private static OptionalLong firstUnreadable(FFmpegFrameGrabber grabber, long declared) {
        if (declared <= 1 || readable(grabber, declared - 1)) {
            return OptionalLong.empty();
        }
        long lo = 0;
        long hi = declared - 1;
        while (hi - lo > 1) {
            long mid = (lo + hi) >>> 1;
            if (readable(grabber, mid)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return OptionalLong.of(hi);
    }

    private static boolean readable(FFmpegFrameGrabber grabber, long frame) {
        try {
            grabber.setVideoFrameNumber((int) Math.min(frame, Integer.MAX_VALUE));
            org.bytedeco.javacv.Frame picture = grabber.grabFrame(false, true, true, false);
            return picture != null && !VideoFiles.isCorrupt(picture) && Math.abs(grabber.getFrameNumber() - frame) <= 1;
        } catch (Exception e) {
            return false;
        }
    }

    // Why: a container can be intact while its codec is unsupported or its first packets are garbage;
    // decoding one picture is cheap and catches that before a worker is sent to it.
    private static void requireFirstFrame(String location, FFmpegFrameGrabber grabber) {
        try {
            if (grabber.grabFrame(false, true, false, false) == null) {
                throw new VideoException(location, Kind.DAMAGED, 0, "no picture could be decoded", null);
            }
        } catch (VideoException e) {
            throw e;
        } catch (Exception e) {
            throw new VideoException(location, Kind.DAMAGED, 0, "decoder error: " + e.getMessage(), e);
        }
    }

    private static long countByDecoding(String location, FFmpegFrameGrabber grabber) {
        long n = 0;
        try {
            org.bytedeco.javacv.Frame picture;
            while ((picture = grabber.grabFrame(false, true, true, false)) != null) {
                if (VideoFiles.isCorrupt(picture)) {
                    boolean more = grabber.grabFrame(false, true, false, false) != null;
                    throw new VideoException(location, more ? Kind.DAMAGED : Kind.TRUNCATED, n, more
                            ? "frame " + n + " decodes with errors (corrupt data)"
                            : "the stream ends inside frame " + n + " (its picture is incomplete)", null);
                }
                n++;
            }
        } catch (VideoException e) {
            throw e;
        } catch (Exception e) {
            throw new VideoException(location, Kind.DAMAGED, n, "decoder error: " + e.getMessage(), e);
        }
        if (n == 0) {
            throw new VideoException(location, Kind.DAMAGED, 0, "no picture could be decoded", null);
        }
        return n;
    }
}
