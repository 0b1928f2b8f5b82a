package dev.juggler.inference.video;

import dev.juggler.inference.internal.VideoFiles;
import dev.juggler.pipeline.PixelFormat;
import dev.juggler.video.Video;
import dev.juggler.video.VideoException;
import dev.juggler.video.VideoException.Kind;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.bytedeco.javacv.FFmpegFrameGrabber;

/**
 * Reads what the ledger needs to know about a video file: exact frame count, frame rate and size.
 *
 * <p>The frame count is the container's own sample count when it keeps one (MP4, AVI: exact and
 * free), otherwise JavaCV's duration-based count; when that is 0 or negative the frames are counted by
 * decoding. A declared count is checked by decoding the first and the last frame (one seek), so a file
 * cut short behind an intact index fails with {@code TRUNCATED} and the first frame that cannot be read. {@link #probe(String, Path, Map, boolean) probe(..., true)} always counts by decoding and
 * fails with {@code TRUNCATED} when fewer frames decode than the container declares — use it when
 * files may have been cut in transfer. Decoding costs about as long as a full pass of {@code ffmpeg}
 * without conversion.
 *
 * <p>Broken files fail with the same {@link VideoException} kinds as
 * {@link FfmpegFrameSources}. Stateless and thread-safe.
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
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(file, "file");
        String location = file.toString();
        long size = VideoFiles.checkFile(location, file);
        FFmpegFrameGrabber grabber = VideoFiles.open(location, file, 0, PixelFormat.I420);
        try {
            double fps = VideoFiles.fps(grabber);
            long[] declared = VideoFiles.declaredFrameCount(grabber);
            long frames;
            if (verifyByDecoding || declared[0] <= 0) {
                frames = countByDecoding(location, grabber);
                if (declared[1] == 1 && frames < declared[0]) {
                    throw new VideoException(location, Kind.TRUNCATED, frames, "only " + frames
                            + " frames decode but the container declares " + declared[0], null);
                }
            } else {
                frames = declared[0];
                requireFirstFrame(location, grabber);
                requireLastFrame(location, grabber, frames);
            }
            return new Video(id, location, frames, fps, size, tags);
        } finally {
            VideoFiles.release(grabber, location);
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

    // Why: a file cut in transfer keeps its index when the index is at the front (MP4 "faststart"), so the
    // container still declares every frame. One seek to the last frame (milliseconds) finds that; only
    // then does a binary search of seeks find where the readable part ends.
    private static void requireLastFrame(String location, FFmpegFrameGrabber grabber, long declared) {
        if (declared <= 1 || readable(grabber, declared - 1)) {
            return;
        }
        long lo = 0; // readable (the first frame was decoded)
        long hi = declared - 1; // not readable
        while (hi - lo > 1) {
            long mid = (lo + hi) >>> 1;
            if (readable(grabber, mid)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        throw new VideoException(location, Kind.TRUNCATED, hi, "the container declares " + declared
                + " frames but frame " + hi + " and those after it cannot be read (the file was probably cut short)", null);
    }

    private static boolean readable(FFmpegFrameGrabber grabber, long frame) {
        try {
            grabber.setVideoFrameNumber((int) Math.min(frame, Integer.MAX_VALUE));
            org.bytedeco.javacv.Frame picture = grabber.grabFrame(false, true, true, false);
            return picture != null && !VideoFiles.isCorrupt(picture)
                    && Math.abs(grabber.getFrameNumber() - frame) <= 1;
        } catch (Exception e) {
            return false;
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
