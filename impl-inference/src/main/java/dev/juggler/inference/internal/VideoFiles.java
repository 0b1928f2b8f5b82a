package dev.juggler.inference.internal;

import dev.juggler.pipeline.PixelFormat;
import dev.juggler.video.VideoException;
import dev.juggler.video.VideoException.Kind;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FrameGrabber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens video files with FFmpeg and turns every way that can fail into a typed {@link VideoException}.
 * Shared by the frame source and the probe so that both classify a broken file the same way.
 * Stateless and thread-safe; the grabbers it returns are not.
 */
public final class VideoFiles {

    /** The system property that keeps FFmpeg's own log level: {@code -Djuggler.ffmpeg.log=keep}. */
    public static final String LOG_PROPERTY = "juggler.ffmpeg.log";

    static {
        // FFmpeg writes stream listings and an error line per broken file to stderr, which this module reports
        // as typed VideoExceptions anyway; DecoderErrors takes its log over and prints only fatal lines, or
        // everything when a host keeps FFmpeg's log (the level is per process).
        DecoderErrors.install();
    }
    private static final Logger LOG = LoggerFactory.getLogger(VideoFiles.class);

    private VideoFiles() {
    }

    /** A location as a path: a plain path or a {@code file:} URI. */
    public static Path toPath(String location) {
        try {
            if (location.regionMatches(true, 0, "file:", 0, 5)) {
                return Path.of(URI.create(location));
            }
            return Path.of(location);
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            throw new VideoException(location, Kind.UNREADABLE, -1, "not a local file path: " + e.getMessage(), e);
        }
    }

    /**
     * Checks what can be checked without FFmpeg and returns the size in bytes. Why first: FFmpeg's
     * messages for a missing or empty file are generic, while these checks can name the problem.
     */
    public static long checkFile(String location, Path file) {
        if (!Files.exists(file)) {
            throw new VideoException(location, Kind.UNREADABLE, -1, "no such file", null);
        }
        if (Files.isDirectory(file)) {
            throw new VideoException(location, Kind.UNREADABLE, -1, "is a directory, not a file", null);
        }
        if (!Files.isReadable(file)) {
            throw new VideoException(location, Kind.UNREADABLE, -1, "not readable by this process", null);
        }
        try {
            long size = Files.size(file);
            if (size == 0) {
                throw new VideoException(location, Kind.EMPTY, -1, "0 bytes", null);
            }
            return size;
        } catch (IOException e) {
            throw new VideoException(location, Kind.UNREADABLE, -1, e.toString(), e);
        }
    }

    /**
     * Starts a grabber on {@code file}. {@code decoderThreads} 0 leaves FFmpeg's automatic choice.
     * {@link PixelFormat#BGR24} has JavaCV convert every picture to packed BGR. {@link PixelFormat#I420}
     * leaves a yuv420p decoder's pictures as they are (JavaCV's RAW mode: the decoder's own AVFrame in
     * {@code Frame.opaque}); pictures in any other layout (yuvj420p, 4:2:2, 4:4:4, 10-bit, RGB, bottom-up
     * DIBs) are converted to yuv420p by JavaCV's swscale step, its AVFrame in {@code Frame.opaque} too.
     *
     * <p>An AVI whose index covers every frame is read by its index. Why: read front to back, FFmpeg's AVI
     * demuxer numbers the chunks it finds, so a chunk whose header is damaged vanishes and every later frame
     * gets the index of the one before it: results silently land on the wrong frames. Read by the index,
     * each frame keeps its own timestamp and a damaged one shows as missing or corrupt, which is reported.
     * An AVI with no or a partial index (a recording that was cut off) is read front to back, since index
     * mode would skip the frames the index lacks.
     */
    public static FFmpegFrameGrabber open(String location, Path file, int decoderThreads, PixelFormat format) {
        checkFile(location, file);
        boolean byIndex = ContainerSniffer.isAvi(file);
        boolean convert = false;
        FFmpegFrameGrabber grabber = start(location, file, decoderThreads, format, convert, byIndex);
        try {
            boolean wholeIndex = !byIndex || indexCoversEveryFrame(grabber);
            // In RAW mode JavaCV reports the decoder's own pixel format.
            boolean needsConversion = format == PixelFormat.I420 && grabber.getPixelFormat() != avutil.AV_PIX_FMT_YUV420P;
            if (wholeIndex && !needsConversion) {
                return grabber;
            }
            byIndex = byIndex && wholeIndex;
            convert = needsConversion;
        } catch (RuntimeException | LinkageError e) {
            release(grabber, location);
            throw e;
        }
        release(grabber, location);
        return start(location, file, decoderThreads, format, convert, byIndex);
    }

    private static FFmpegFrameGrabber start(String location, Path file, int decoderThreads, PixelFormat format,
            boolean convertToI420, boolean byIndex) {
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile());
        if (format == PixelFormat.BGR24) {
            grabber.setPixelFormat(avutil.AV_PIX_FMT_BGR24);
        } else if (convertToI420) {
            grabber.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
        } else {
            grabber.setImageMode(FrameGrabber.ImageMode.RAW);
        }
        if (decoderThreads > 0) {
            // avcodec_open2 applies this after JavaCV's thread_count(0), so it wins.
            grabber.setVideoOption("threads", Integer.toString(decoderThreads));
        }
        if (byIndex) {
            // The AVI demuxer's "non-interleaved" mode, which reads every chunk where the index says it is.
            grabber.setOption("fflags", "+sortdts");
        }
        try {
            grabber.start();
        } catch (Exception | LinkageError e) {
            release(grabber, location);
            if (e instanceof LinkageError) {
                throw new VideoException(location, Kind.UNREADABLE, -1,
                        "the FFmpeg natives could not be loaded: " + e, e);
            }
            ContainerSniffer.Verdict verdict = ContainerSniffer.inspect(file);
            Kind kind = verdict == ContainerSniffer.Verdict.TRUNCATED ? Kind.TRUNCATED : Kind.NOT_A_VIDEO;
            String why = kind == Kind.TRUNCATED
                    ? "the container's declared sizes run past the end of the file or its index is missing; FFmpeg: "
                    : "FFmpeg cannot open it: ";
            throw new VideoException(location, kind, -1, why + withoutJavacvHints(e.getMessage()), e);
        }
        if (!grabber.hasVideo() || grabber.getImageWidth() <= 0 || grabber.getImageHeight() <= 0) {
            release(grabber, location);
            throw new VideoException(location, Kind.NOT_A_VIDEO, -1, "no decodable video stream", null);
        }
        return grabber;
    }

    // True if the video stream's index has an entry for every frame the header declares.
    private static boolean indexCoversEveryFrame(FFmpegFrameGrabber grabber) {
        AVStream st = videoStream(grabber);
        if (st == null) {
            return false;
        }
        int entries = videoIndexEntries(grabber);
        return entries > 0 && entries >= st.nb_frames();
    }

    private static int videoIndexEntries(FFmpegFrameGrabber grabber) {
        AVStream st = videoStream(grabber);
        return st == null ? 0 : org.bytedeco.ffmpeg.global.avformat.avformat_index_get_entries_count(st);
    }

    /**
     * JavaCV appends advice meant for its own developers ("Has setFormat() been called?") to FFmpeg's
     * message; an operator reading a failure report needs only FFmpeg's words.
     */
    static String withoutJavacvHints(String message) {
        if (message == null) {
            return "";
        }
        return message.replaceAll("\\s*\\((Has setFormat\\(\\) been called\\?|For more details, make sure FFmpegLogCallback\\.set\\(\\) has been called\\.)\\)", "").trim();
    }

    /** The video stream's frame rate, or 0 when the container does not say. */
    public static double fps(FFmpegFrameGrabber grabber) {
        double fps = grabber.getVideoFrameRate();
        return fps > 0 && Double.isFinite(fps) ? fps : 0;
    }

    /**
     * The frame count the container declares and whether it is exact: the stream's sample count when
     * the container keeps one (MP4, AVI), otherwise JavaCV's estimate from duration x frame rate.
     * Returns {@code {count, exact ? 1 : 0}}; a count of 0 means unknown.
     */
    public static long[] declaredFrameCount(FFmpegFrameGrabber grabber) {
        AVStream st = videoStream(grabber);
        if (st != null && st.nb_frames() > 0) {
            return new long[] {st.nb_frames(), 1};
        }
        long estimate = grabber.getLengthInFrames();
        return new long[] {Math.max(0, estimate), 0};
    }

    /**
     * Start time of the video stream in microseconds. Frame indices are counted from it (not from the
     * container's earliest stream) because JavaCV's exact video seek uses the same origin.
     */
    public static long videoStartMicros(FFmpegFrameGrabber grabber) {
        AVStream st = videoStream(grabber);
        if (st != null && st.start_time() != avutil.AV_NOPTS_VALUE) {
            AVRational tb = st.time_base();
            return 1_000_000L * st.start_time() * tb.num() / tb.den();
        }
        AVFormatContext oc = grabber.getFormatContext();
        return oc != null && oc.start_time() != avutil.AV_NOPTS_VALUE ? oc.start_time() : 0;
    }

    private static AVStream videoStream(FFmpegFrameGrabber grabber) {
        AVFormatContext oc = grabber.getFormatContext();
        int index = grabber.getVideoStream();
        if (oc == null || index < 0 || index >= oc.nb_streams()) {
            return null;
        }
        return oc.streams(index);
    }

    /**
     * {@code true} if FFmpeg marks the picture as decoded from corrupt data or with error concealment.
     * Why: the decoder hides such damage (it fills the gap from the previous picture and moves on), so
     * the picture looks plausible but shows partly the wrong frame. Needs a processed picture (BGR or
     * RAW image mode), where JavaCV exposes the {@code AVFrame}.
     */
    public static boolean isCorrupt(org.bytedeco.javacv.Frame picture) {
        if (picture.opaque instanceof AVFrame) {
            AVFrame f = (AVFrame) picture.opaque;
            return (f.flags() & AVFrame.AV_FRAME_FLAG_CORRUPT) != 0 || f.decode_error_flags() != 0;
        }
        return false;
    }

    /**
     * {@code false} if the decoder could not give the picture a timestamp (JavaCV then reports 0:
     * {@code AV_NOPTS_VALUE * 10^6} wraps to exactly 0). Happens to the last, flushed picture of AVI
     * files with B-frames.
     */
    public static boolean hasTimestamp(org.bytedeco.javacv.Frame picture) {
        if (picture.opaque instanceof AVFrame) {
            return ((AVFrame) picture.opaque).best_effort_timestamp() != avutil.AV_NOPTS_VALUE;
        }
        return true;
    }

    /** Releases a grabber, logging (not throwing) a failure: there is nothing a caller could do. */
    public static void release(FFmpegFrameGrabber grabber, String location) {
        try {
            grabber.release();
        } catch (Exception | LinkageError e) {
            LOG.warn("releasing the decoder of {} failed: {}", location, e.toString());
        }
    }
}
