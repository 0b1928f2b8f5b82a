package dev.juggler.inference.video;

import dev.juggler.InvalidConfigException;
import dev.juggler.inference.internal.FfmpegFrameSource;
import dev.juggler.inference.internal.ImageArchive;
import dev.juggler.inference.internal.ImageFolderSource;
import dev.juggler.inference.internal.VideoFiles;
import dev.juggler.pipeline.FrameSource;
import dev.juggler.pipeline.FrameSourceFactory;
import dev.juggler.pipeline.PixelFormat;
import dev.juggler.video.FrameRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Frame sources that decode local video files with JavaCV/FFmpeg.
 *
 * <p>A source opens the file, seeks exactly to {@code range.from()} (no seek when it is 0) and delivers
 * the frames {@code [from, to)} in the {@link PixelFormat} the builder asks for: packed BGR24
 * ({@code stride == 3 * width}, the default) or I420 (the decoder's own planes, copied once without a
 * colour conversion; pictures in any other format are converted to it), one pixel array per frame
 * (a fresh one, or the array of a frame given back with {@link FrameSource#recycle}, from any thread),
 * with {@link dev.juggler.pipeline.FrameInfo} index, presentation time (seconds from the first frame of
 * the video stream) and size. Frame indices are derived from each picture's
 * timestamp, so they are correct even if the decoder drops a damaged picture.
 *
 * <p>Failures are {@link dev.juggler.video.VideoException}s with a {@link dev.juggler.video.VideoException.Kind}:
 * <ul>
 *   <li>{@code UNREADABLE} — missing or not readable (from {@code open}; a folder is an image folder, below);</li>
 *   <li>{@code EMPTY} — 0 bytes (from {@code open});</li>
 *   <li>{@code NOT_A_VIDEO} — FFmpeg cannot open it or it has no video stream (from {@code open});</li>
 *   <li>{@code TRUNCATED} — the container shows the file was cut (from {@code open}), the range starts at
 *       or after the declared end (from {@code open}), or the stream ends before {@code range.to()}
 *       (from {@code next()}, after delivering every frame before it, naming the first missing frame);</li>
 *   <li>{@code DAMAGED} — a decoder error or missing pictures inside the stream (from {@code next()},
 *       naming the first frame not delivered).</li>
 * </ul>
 * After {@code next()} threw, it throws the same exception again.
 *
 * <p>A location that is a folder is an {@linkplain ImageFolders image folder}: frame {@code i} is its
 * {@code i}-th image in natural order, decoded by FFmpeg's image decoders into the same pixel formats, each
 * at its own size, with the timestamp {@code i / fps}. An image that cannot be read is a
 * {@link dev.juggler.video.DamagedFrameException} for its frame only (the next {@code next()} goes on);
 * a range past the last image ends with {@code TRUNCATED}; a missing folder is {@code UNREADABLE}, one without
 * images {@code EMPTY}. ({@code decoderThreads} does not apply: each image is decoded on the calling thread.)
 * A file named {@code *.imgtar} is an image folder as the stagers bring it into a workspace
 * ({@link dev.juggler.stage.ImageFolderArchive}) and is read exactly like the folder it was made from, the
 * images straight from the archive; an archive that is not one is {@code NOT_A_VIDEO}.
 *
 * <p>The factory is immutable and thread-safe; each source is used by one thread and must be closed
 * (it holds native decoder memory); {@code close()} is idempotent.
 *
 * <pre>{@code
 * FrameSourceFactory sources = FfmpegFrameSources.create();
 * try (FrameSource src = sources.open("/data/session1.mp4", 1000, 2000)) {
 *     for (Frame f; (f = src.next()) != null; ) { ... }
 * }
 * }</pre>
 */
public final class FfmpegFrameSources {

    /** Default decoder thread count: 0, FFmpeg chooses (one per core). */
    public static final int DEFAULT_DECODER_THREADS = 0;

    /** Default pixel format: BGR24, the layout OpenCV-style code expects. */
    public static final PixelFormat DEFAULT_PIXEL_FORMAT = PixelFormat.BGR24;

    private FfmpegFrameSources() {
    }

    /** A factory with default settings ({@link #DEFAULT_DECODER_THREADS}, {@link #DEFAULT_PIXEL_FORMAT}). */
    public static FrameSourceFactory create() {
        return builder().build();
    }

    /**
     * Silences FFmpeg's own logging to stderr (stream listings, and error lines for broken files, which
     * this module reports as typed {@link dev.juggler.video.VideoException}s anyway) except fatal errors.
     * The module does this itself before it first opens a video, unless the JVM runs with
     * {@code -Djuggler.ffmpeg.log=keep}; FFmpeg has one log level per process, so a host that wants FFmpeg's
     * log sets that property, and a host that changed the level later can call this to quiet it again.
     */
    public static void quietNativeLogging() {
        dev.juggler.inference.internal.DecoderErrors.quiet();
    }

    /** A builder for a factory with non-default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a factory. Not thread-safe; the factory it builds is. */
    public static final class Builder {
        private int decoderThreads = DEFAULT_DECODER_THREADS;
        private PixelFormat pixelFormat = DEFAULT_PIXEL_FORMAT;

        private Builder() {
        }

        /**
         * The layout of delivered frames. {@link PixelFormat#I420} skips the colour conversion of every pixel
         * on the decoding thread and halves the bytes per frame: the choice for models that resample the
         * picture to their input size (BlazePose does, converting only the pixels it samples).
         */
        public Builder pixelFormat(PixelFormat pixelFormat) {
            this.pixelFormat = InvalidConfigException.required(pixelFormat, "pixelFormat");
            return this;
        }

        /**
         * Threads per decoder. 0 (default) lets FFmpeg choose; 1 is best when several sources decode
         * in parallel on a small machine, since FFmpeg's automatic choice assumes it owns every core.
         */
        public Builder decoderThreads(int decoderThreads) {
            if (decoderThreads < 0 || decoderThreads > 64) {
                throw InvalidConfigException.of("decoderThreads", decoderThreads,
                        "must be between 0 (automatic) and 64");
            }
            this.decoderThreads = decoderThreads;
            return this;
        }

        /** The factory. */
        public FrameSourceFactory build() {
            return new Factory(decoderThreads, pixelFormat);
        }
    }

    private static final class Factory implements FrameSourceFactory {
        private final int decoderThreads;
        private final PixelFormat pixelFormat;

        Factory(int decoderThreads, PixelFormat pixelFormat) {
            this.decoderThreads = decoderThreads;
            this.pixelFormat = pixelFormat;
        }

        @Override
        public FrameSource open(String location, FrameRange range) {
            InvalidConfigException.required(location, "location");
            InvalidConfigException.required(range, "range");
            Path path = VideoFiles.toPath(location);
            if (Files.isDirectory(path)) {
                return ImageFolderSource.open(location, path, range, pixelFormat);
            }
            if (ImageArchive.isArchive(path)) {
                return ImageFolderSource.openArchive(location, path, range, pixelFormat);
            }
            return FfmpegFrameSource.open(location, range, decoderThreads, pixelFormat);
        }

        @Override
        public String toString() {
            return "FfmpegFrameSources[decoderThreads=" + decoderThreads + ", pixelFormat=" + pixelFormat + "]";
        }
    }
}
