package dev.juggler.inference.internal;

import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameInfo;
import dev.juggler.pipeline.FrameSource;
import dev.juggler.pipeline.PixelFormat;
import dev.juggler.video.DamagedFrameException;
import dev.juggler.video.FrameRange;
import dev.juggler.video.VideoException;
import dev.juggler.video.VideoException.Kind;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;

/**
 * A {@link FrameSource} over one FFmpeg grabber. Not thread-safe (one decoding thread, as the
 * interface says); {@link #close()} is idempotent.
 *
 * <p>Frame indices come from each picture's timestamp, not from counting: FFmpeg silently drops a
 * picture it cannot decode, and counting would then put the wrong index on every later frame (the
 * worst failure for a result store keyed by frame). Each frame missing from the timestamps, each
 * picture the decoder flags as corrupt (concealed), and each picture the decoder logged errors for while
 * producing it ({@link DecoderErrors}), is a {@link DamagedFrameException} for that frame alone: the next call goes on with the frame after it. The end of the stream before {@code range.to},
 * or a corrupt last picture, is truncation, which ends the range (and is sticky, as a decoder error is).
 *
 * <p>Frame 0 is the first picture the decoder outputs, and its timestamp is the origin of all
 * indices. Why not the stream's start time: with B-frames in AVI (XviD "packed bitstream") every
 * picture carries the timestamp of the packet that released it, one or more frames late; counting
 * from the stream start would call a healthy file damaged at frame 0. An origin more than
 * {@value #MAX_DECODER_DELAY_FRAMES} frames after the start cannot be decoder delay and is reported
 * as damage at frame 0.
 */
public final class FfmpegFrameSource implements FrameSource {
    /** The largest plausible decoder (reordering) delay; H.264 allows at most 16 reordered frames. */
    static final int MAX_DECODER_DELAY_FRAMES = 16;
    /**
     * Consecutive pictures failed only for what the decoder logged, after which its log no longer fails
     * pictures in this source. Why: real damage logs errors until the next keyframe, but a decoder that
     * logs an error for every picture of a sound stream (a malformed side-data unit, say) would otherwise
     * cost the whole video; past this many the pictures are delivered, and a warning says why.
     */
    static final int MAX_LOGGED_ERROR_STREAK = 50;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FfmpegFrameSource.class);

    private final String location;
    private final FrameRange range;
    private final PixelFormat format;
    private final double fps;
    private final long startMicros;
    private long originMicros;
    private org.bytedeco.javacv.Frame held; // the first picture, decoded at open, not yet consumed
    private String heldErrors; // what the decoder logged while producing the held picture, or null
    private String grabErrors; // what the decoder logged while producing the last grabbed picture, or null
    private final String codec; // the decoder's short name, as FFmpeg's log lines name it
    private int loggedErrorStreak; // consecutive pictures failed only for the decoder's log
    private int maxLoggedErrorStreak = MAX_LOGGED_ERROR_STREAK;
    private boolean logFailsPictures = true;
    private boolean seekPending; // seeked, nothing delivered yet: a seek that ran off the end may be retried
    private final long declaredFrames;
    private FFmpegFrameGrabber grabber;
    private long expected;
    private VideoException failure;
    private volatile boolean closed; // read by recycle() on other threads
    // Pixel arrays of frames the pipeline gave back (from its preprocessing thread, hence a concurrent queue).
    // Bounded so that a consumer that recycles more than it holds cannot grow it.
    private final java.util.concurrent.BlockingQueue<byte[]> spare = new java.util.concurrent.ArrayBlockingQueue<>(256);

    private FfmpegFrameSource(String location, FrameRange range, PixelFormat format, FFmpegFrameGrabber grabber,
            long declaredFrames) {
        this.location = location;
        this.range = range;
        this.format = format;
        this.grabber = grabber;
        this.fps = VideoFiles.fps(grabber);
        this.startMicros = VideoFiles.videoStartMicros(grabber);
        this.declaredFrames = declaredFrames;
        this.expected = range.from();
        String name = grabber.getVideoCodecName();
        this.codec = name == null ? "" : name;
    }

    /** Opens {@code location} positioned exactly at {@code range.from()}, delivering frames in {@code format}. */
    public static FfmpegFrameSource open(String location, FrameRange range, int decoderThreads, PixelFormat format) {
        Path file = VideoFiles.toPath(location);
        FFmpegFrameGrabber grabber = VideoFiles.open(location, file, decoderThreads, format);
        try {
            long[] declared = VideoFiles.declaredFrameCount(grabber);
            if (VideoFiles.fps(grabber) <= 0) {
                // Without a frame rate neither the seek nor the index of a picture is defined.
                throw new VideoException(location, Kind.NOT_A_VIDEO, -1, "the video stream has no frame rate", null);
            }
            if (!range.isEmpty() && declared[1] == 1 && range.from() >= declared[0]) {
                throw new VideoException(location, Kind.TRUNCATED, range.from(),
                        "range " + range + " starts at or after the end: the video has " + declared[0] + " frames", null);
            }
            FfmpegFrameSource source = new FfmpegFrameSource(location, range, format, grabber, declared[0]);
            if (!range.isEmpty()) {
                source.findOrigin();
                if (range.from() > 0) {
                    source.seek();
                }
            }
            return source;
        } catch (RuntimeException e) {
            VideoFiles.release(grabber, location);
            throw e;
        }
    }

    // Decodes the first picture: its timestamp is frame 0's. Kept for delivery when the range starts at 0.
    private void findOrigin() {
        org.bytedeco.javacv.Frame first;
        try {
            first = grab();
        } catch (Exception e) {
            throw new VideoException(location, Kind.DAMAGED, 0, "decoder error on the first picture: " + e.getMessage(), e);
        }
        if (first == null || first.image == null || first.image[0] == null) {
            throw new VideoException(location, Kind.DAMAGED, 0, "no picture could be decoded", null);
        }
        originMicros = VideoFiles.hasTimestamp(first) ? first.timestamp : startMicros;
        double delayFrames = (originMicros - startMicros) * fps / 1_000_000d;
        if (delayFrames > MAX_DECODER_DELAY_FRAMES + 0.5) {
            throw new VideoException(location, Kind.DAMAGED, 0, "the first decodable picture is "
                    + Math.round(delayFrames) + " frames after the start of the stream", null);
        }
        held = first;
        heldErrors = grabErrors;
    }

    private void seek() {
        held = null;
        heldErrors = null;
        if (range.from() > Integer.MAX_VALUE) {
            throw new VideoException(location, Kind.TRUNCATED, range.from(), "frame index beyond what FFmpeg can seek to", null);
        }
        seekTo(range.from());
        seekPending = true;
    }

    private void seekTo(long frame) {
        try {
            if (originMicros == startMicros) {
                // Lands exactly on the frame (setFrameNumber would land one frame late).
                grabber.setVideoFrameNumber((int) frame);
            } else {
                // The same exact seek, aimed at the middle of the frame counted from the first picture.
                long offset = originMicros - startMicros;
                grabber.setVideoTimestamp(offset + Math.round((frame + 0.5) * 1_000_000d / fps));
            }
        } catch (Exception e) {
            throw new VideoException(location, Kind.DAMAGED, range.from(), "seek failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Frame next() {
        if (closed) {
            throw new IllegalStateException("frame source for " + location + " " + range + " is closed");
        }
        if (failure != null) {
            throw failure; // sticky: the stream position is unknown after a failure
        }
        if (expected >= range.to()) {
            return null;
        }
        while (true) {
            org.bytedeco.javacv.Frame picture = held;
            String errors = heldErrors;
            held = null;
            heldErrors = null;
            try {
                if (picture == null) {
                    picture = grab();
                    errors = grabErrors;
                }
            } catch (Exception e) {
                throw fail(Kind.DAMAGED, "decoder error: " + e.getMessage(), e);
            }
            if (picture == null || picture.image == null || picture.image[0] == null) {
                if (seekPending && (declaredFrames == 0 || range.from() < declaredFrames)) {
                    // The seek can only aim at timestamps; a last picture without one (flushed from a
                    // B-frame decoder) is passed over. Aim one frame earlier and skip that frame.
                    seekPending = false;
                    seekTo(range.from() - 1);
                    continue;
                }
                String promised = declaredFrames > 0 ? "; the container declares " + declaredFrames + " frames" : "";
                throw fail(Kind.TRUNCATED, "the stream ended before frame " + expected + promised, null);
            }
            long index;
            double seconds;
            if (VideoFiles.hasTimestamp(picture)) {
                long relMicros = picture.timestamp - originMicros;
                index = Math.round(relMicros * fps / 1_000_000d);
                seconds = relMicros / 1_000_000d;
            } else {
                // No timestamp to check against: the picture can only be the next one.
                index = expected;
                seconds = expected / fps;
            }
            if (index < expected) {
                continue; // a picture before the range (seek pre-roll) or a repeated one: not ours
            }
            if (index > expected) {
                // Frames FFmpeg dropped: each is reported on its own, then this picture is delivered.
                held = picture; // the errors logged before it were those of the frames FFmpeg dropped
                seekPending = false;
                return skipDamaged("not in the decoded stream" + (index - expected > 1 ? " (nor are the "
                        + (index - expected - 1) + " after it)" : "") + "; the next decodable frame is " + index);
            }
            if (VideoFiles.isCorrupt(picture)) {
                seekPending = false;
                return skipCorrupt("decodes with errors (corrupt data, concealed by the decoder)");
            }
            if (errors != null && logFailsPictures) {
                if (++loggedErrorStreak <= maxLoggedErrorStreak) {
                    seekPending = false;
                    return skipCorrupt("the decoder reported errors while decoding it (" + errors + ")");
                }
                logFailsPictures = false;
                LOG.warn("{}: the decoder logged errors for {} pictures in a row (the last: {}); from frame {} on, such "
                        + "pictures are delivered, only dropped or flagged ones fail", location, maxLoggedErrorStreak, errors, index);
            } else if (errors == null) {
                loggedErrorStreak = 0;
            }
            seekPending = false;
            Frame frame = copy(picture, index, seconds);
            expected++;
            return frame;
        }
    }

    /** Lowers {@link #MAX_LOGGED_ERROR_STREAK} for this source (tests: real damage logs about ten pictures). */
    FfmpegFrameSource maxLoggedErrorStreak(int pictures) {
        this.maxLoggedErrorStreak = pictures;
        return this;
    }

    private Frame copy(org.bytedeco.javacv.Frame picture, long index, double seconds) {
        return format == PixelFormat.I420 ? copyI420(picture, index, seconds) : copyBgr(picture, index, seconds);
    }

    private Frame copyBgr(org.bytedeco.javacv.Frame picture, long index, double seconds) {
        int w = picture.imageWidth;
        int h = picture.imageHeight;
        int srcStride = picture.imageStride;
        int row = 3 * w;
        if (picture.imageChannels != 3 || srcStride < row) {
            throw fail(Kind.DAMAGED, "unexpected picture layout: " + picture.imageChannels + " channels, stride "
                    + srcStride + " for width " + w, null);
        }
        ByteBuffer src = (ByteBuffer) picture.image[0];
        byte[] bgr = buffer(row * h);
        // Repack to stride == 3 * width: FFmpeg pads rows for SIMD, consumers should not have to care.
        if (srcStride == row) {
            src.get(0, bgr, 0, row * h);
        } else {
            for (int y = 0; y < h; y++) {
                src.get(y * srcStride, bgr, y * row, row);
            }
        }
        return new Frame(new FrameInfo(index, seconds, w, h), bgr, row);
    }

    // The decoder's own yuv420p planes (or JavaCV's conversion of other layouts to yuv420p, see VideoFiles),
    // copied once into a Java array.
    private Frame copyI420(org.bytedeco.javacv.Frame picture, long index, double seconds) {
        if (!(picture.opaque instanceof AVFrame planes) || planes.format() != avutil.AV_PIX_FMT_YUV420P) {
            throw fail(Kind.DAMAGED, "the decoder returned no yuv420p picture", null);
        }
        // The picture's own size: it is what the planes hold, even if the stream changes size midway.
        int w = planes.width();
        int h = planes.height();
        int cw = PixelFormat.chromaWidth(w);
        if (planes.linesize(0) < w || planes.linesize(1) < cw || planes.linesize(2) < cw) {
            throw fail(Kind.DAMAGED, "unexpected picture layout: line sizes " + planes.linesize(0) + "/"
                    + planes.linesize(1) + "/" + planes.linesize(2) + " for width " + w, null);
        }
        byte[] yuv = buffer(PixelFormat.I420.frameBytes(w, h));
        copyPlane(planes, 0, w, h, yuv, 0);
        copyPlane(planes, 1, cw, PixelFormat.chromaHeight(h), yuv, PixelFormat.uOffset(w, h));
        copyPlane(planes, 2, cw, PixelFormat.chromaHeight(h), yuv, PixelFormat.vOffset(w, h));
        return Frame.i420(new FrameInfo(index, seconds, w, h), yuv);
    }

    private static void copyPlane(AVFrame frame, int plane, int width, int height, byte[] dst, int offset) {
        int lineSize = frame.linesize(plane);
        ByteBuffer src = frame.data(plane).capacity((long) lineSize * (height - 1) + width).asBuffer();
        if (lineSize == width) {
            src.get(0, dst, offset, width * height);
        } else {
            for (int y = 0; y < height; y++) {
                src.get(y * lineSize, dst, offset + y * width, width);
            }
        }
    }

    private byte[] buffer(int size) {
        byte[] spareBuffer = spare.poll();
        return spareBuffer != null && spareBuffer.length == size ? spareBuffer : new byte[size];
    }

    // A damaged picture at the very end is the cut of a truncated file (the range ends there); anywhere
    // else it is one damaged frame, and the picture after it is held for the next call.
    private Frame skipCorrupt(String detail) {
        org.bytedeco.javacv.Frame next;
        try {
            next = grab();
        } catch (Exception e) {
            throw fail(Kind.DAMAGED, "decoder error after damaged frame " + expected + ": " + e.getMessage(), e);
        }
        if (next == null || next.image == null || next.image[0] == null) {
            throw fail(Kind.TRUNCATED, "the stream ends inside frame " + expected + " (its picture is incomplete)", null);
        }
        held = next;
        heldErrors = grabErrors;
        return skipDamaged(detail);
    }

    /**
     * The decoder's next picture; {@link #grabErrors} tells what the decoder logged while producing it.
     * A seek's own decoding is not counted: what it logs may be about the pictures before the range.
     */
    private org.bytedeco.javacv.Frame grab() throws Exception {
        long before = DecoderErrors.count(codec);
        org.bytedeco.javacv.Frame picture = grabber.grabImage();
        grabErrors = DecoderErrors.count(codec) != before ? DecoderErrors.last() : null;
        return picture;
    }

    // Not sticky: the frame is passed over and the next call goes on with the one after it.
    private Frame skipDamaged(String detail) {
        long frame = expected++;
        throw new DamagedFrameException(location, frame, detail, null);
    }

    private VideoException fail(Kind kind, String detail, Throwable cause) {
        failure = new VideoException(location, kind, expected, detail, cause);
        return failure;
    }

    /** Keeps the frame's pixel array for a later frame of the same size; safe from any thread, any time. */
    @Override
    public void recycle(dev.juggler.pipeline.Frame frame) {
        if (!closed) {
            spare.offer(frame.pixels());
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        FFmpegFrameGrabber g = grabber;
        grabber = null;
        held = null;
        if (g != null) {
            VideoFiles.release(g, location);
        }
    }

    @Override
    public String toString() {
        return "FfmpegFrameSource[" + location + " " + range + ", next=" + expected + "]";
    }
}
