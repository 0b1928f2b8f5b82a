package dev.juggler.inference.video;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.inference.internal.Markers;
import dev.juggler.pipeline.Frame;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongPredicate;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;

/**
 * Writes self-describing test and demo videos, so that decoding and analysis can be checked exactly.
 *
 * <p>Every frame has a dark background and
 * <ul>
 *   <li>its own frame index as a {@value #INDEX_BITS}-bit barcode along the top: big black/white blocks,
 *       most significant bit first, that survive lossy compression ({@link #readFrameIndex(Frame)} reads
 *       it back);</li>
 *   <li>a walking, waving stick figure whose 7 joints (BODY_25 Nose, Neck, RWrist, LWrist, MidHip,
 *       RAnkle, LAnkle) are filled discs in 7 well-separated saturated colours, at positions given by
 *       {@link #groundTruth(long, int, int)}; {@link dev.juggler.inference.pose.MarkerPoseModel} finds them.</li>
 * </ul>
 * Frames are drawn by {@link #render(long, int, int, boolean)} as packed BGR bytes (no AWT, headless-safe)
 * and encoded with MPEG-4 Part 2 (which the LGPL FFmpeg build can encode) into MP4 (or AVI / Matroska by
 * file extension), at a high quality so that colours and barcode blocks stay crisp.
 *
 * <p>All static methods are pure and thread-safe; a {@link Builder} is not thread-safe.
 */
public final class SyntheticVideo {

    /** Bits of the frame-index barcode; videos may have up to {@code 2^20 - 1} frames. */
    public static final int INDEX_BITS = 20;

    private static final int BG_B = 26;
    private static final int BG_G = 20;
    private static final int BG_R = 20;
    private static final int LIMB = 105;
    private static final int WHITE = 235;
    private static final int BLACK = 16;

    private SyntheticVideo() {
    }

    /** A builder; defaults: 320x240, 120 frames, 25 fps, a keyframe every 12 frames, index at the end. */
    public static Builder builder() {
        return new Builder();
    }

    /** Writes a video with the default settings except size, length and rate. */
    public static Path write(Path file, int width, int height, int frames, double fps) {
        return builder().size(width, height).frames(frames).fps(fps).write(file);
    }

    /**
     * Where the markers of {@code frame} are: BODY_25 joint index to {@code {x, y}} in pixel coordinates
     * (the centre of pixel {@code (i, j)} is {@code (i, j)}), in joint order. Unmodifiable.
     */
    public static Map<Integer, double[]> groundTruth(long frame, int width, int height) {
        double[][] p = joints(frame, width, height);
        Map<Integer, double[]> out = new LinkedHashMap<>();
        for (int k = 0; k < Markers.COUNT; k++) {
            out.put(Markers.joint(k), p[k].clone());
        }
        return Collections.unmodifiableMap(out);
    }

    /** The marker disc radius in pixels at this size (at least 5; 6 at 320x240). */
    public static int markerRadius(int width, int height) {
        return Markers.radius(width, height);
    }

    /**
     * Draws frame {@code frame} as packed BGR ({@code 3 * width} bytes per row).
     *
     * @param figure {@code false} draws only the background and the barcode
     */
    public static byte[] render(long frame, int width, int height, boolean figure) {
        checkSize(width, height);
        if (frame < 0 || frame >= (1L << INDEX_BITS)) {
            throw new IllegalArgumentException("frame " + frame + " cannot be encoded in " + INDEX_BITS + " bits");
        }
        byte[] img = new byte[3 * width * height];
        for (int i = 0; i < img.length; i += 3) {
            img[i] = (byte) BG_B;
            img[i + 1] = (byte) BG_G;
            img[i + 2] = (byte) BG_R;
        }
        int bw = bitWidth(width);
        int sh = stripHeight(height);
        for (int bit = 0; bit < INDEX_BITS; bit++) {
            boolean one = ((frame >>> (INDEX_BITS - 1 - bit)) & 1) != 0;
            fillRect(img, width, bit * bw, 0, bw, sh, one ? WHITE : BLACK, one ? WHITE : BLACK, one ? WHITE : BLACK);
        }
        if (figure) {
            double[][] p = joints(frame, width, height);
            int t = Math.max(2, markerRadius(width, height) / 3);
            // Limbs in grey: a stick figure for the eye, invisible to a colour classifier.
            int[][] limbs = {{1, 0}, {1, 2}, {1, 3}, {1, 4}, {4, 5}, {4, 6}};
            for (int[] l : limbs) {
                line(img, width, height, p[l[0]], p[l[1]], t);
            }
            int r = markerRadius(width, height);
            for (int k = 0; k < Markers.COUNT; k++) {
                int[] c = Markers.bgr(k);
                disc(img, width, height, p[k][0], p[k][1], r, c);
            }
        }
        return img;
    }

    /**
     * Reads the frame index barcode of a decoded frame of a synthetic video, or -1 if a block is
     * ambiguous (the frame is not from such a video, or is damaged).
     */
    public static long readFrameIndex(Frame frame) {
        int w = frame.width();
        int bw = bitWidth(w);
        int sh = stripHeight(frame.height());
        long value = 0;
        for (int bit = 0; bit < INDEX_BITS; bit++) {
            // Average only the inner half of each block: its edges ring after compression.
            int x0 = bit * bw + bw / 4;
            int x1 = (bit + 1) * bw - bw / 4;
            int y0 = sh / 4;
            int y1 = sh - sh / 4;
            long sum = 0;
            int n = 0;
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    int rgb = frame.rgb(x, y);
                    sum += (rgb >> 16) + ((rgb >> 8) & 0xFF) + (rgb & 0xFF);
                    n += 3;
                }
            }
            double mean = (double) sum / n;
            if (mean > 170) {
                value = (value << 1) | 1;
            } else if (mean < 85) {
                value <<= 1;
            } else {
                return -1;
            }
        }
        return value;
    }

    private static int bitWidth(int width) {
        return width / INDEX_BITS;
    }

    private static int stripHeight(int height) {
        return Math.max(8, (int) Math.round(height / 16.0));
    }

    private static void checkSize(int width, int height) {
        if (width < 80 || height < 64 || width % 2 != 0 || height % 2 != 0 || width * 4 < height * 3) {
            throw new IllegalArgumentException("size " + width + "x" + height
                    + " is not supported: need even width >= 80, even height >= 64, width >= 3/4 height");
        }
    }

    // Joint positions for marker k (Markers order). Deterministic functions of the frame index only,
    // so that ground truth never depends on the frame rate or the encoder.
    private static double[][] joints(long frame, int width, int height) {
        checkSize(width, height);
        double u = height;
        int r = markerRadius(width, height);
        double walk = 2 * Math.PI * frame / 24.0;
        double wave = 2 * Math.PI * frame / 16.0;
        double s = Math.sin(walk);
        double bob = 0.01 * u * Math.abs(s);
        long period = 240;
        double p = (double) (frame % period) / period;
        double tri = p < 0.5 ? 2 * p : 2 - 2 * p;
        double margin = 0.26 * u + r + 2;
        double cx = width - 2 * margin > 0 ? margin + (width - 2 * margin) * tri : width / 2.0;
        return new double[][] {
            {cx + 0.02 * u * Math.sin(wave / 2), 0.22 * u + bob},                              // Nose
            {cx, 0.34 * u + bob},                                                              // Neck
            {cx - 0.20 * u, 0.50 * u + 0.04 * u * s},                                          // RWrist
            {cx + 0.20 * u + 0.03 * u * Math.cos(wave), 0.25 * u + 0.08 * u * Math.sin(wave)}, // LWrist
            {cx, 0.58 * u + bob},                                                              // MidHip
            {cx - 0.08 * u + 0.04 * u * s, 0.86 * u - 0.03 * u * Math.max(0, s)},              // RAnkle
            {cx + 0.08 * u + 0.04 * u * s, 0.86 * u - 0.03 * u * Math.max(0, -s)},             // LAnkle
        };
    }

    private static void fillRect(byte[] img, int width, int x0, int y0, int w, int h, int b, int g, int r) {
        for (int y = y0; y < y0 + h; y++) {
            for (int x = x0; x < x0 + w; x++) {
                int o = 3 * (y * width + x);
                img[o] = (byte) b;
                img[o + 1] = (byte) g;
                img[o + 2] = (byte) r;
            }
        }
    }

    private static void disc(byte[] img, int width, int height, double cx, double cy, int r, int[] bgr) {
        int y0 = Math.max(0, (int) Math.floor(cy - r));
        int y1 = Math.min(height - 1, (int) Math.ceil(cy + r));
        int x0 = Math.max(0, (int) Math.floor(cx - r));
        int x1 = Math.min(width - 1, (int) Math.ceil(cx + r));
        double r2 = (double) r * r;
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                double dx = x - cx;
                double dy = y - cy;
                if (dx * dx + dy * dy <= r2) {
                    int o = 3 * (y * width + x);
                    img[o] = (byte) bgr[0];
                    img[o + 1] = (byte) bgr[1];
                    img[o + 2] = (byte) bgr[2];
                }
            }
        }
    }

    private static void line(byte[] img, int width, int height, double[] a, double[] b, int thickness) {
        double len = Math.hypot(b[0] - a[0], b[1] - a[1]);
        int steps = Math.max(1, (int) Math.ceil(len * 2));
        int half = thickness / 2;
        for (int i = 0; i <= steps; i++) {
            double t = (double) i / steps;
            int x = (int) Math.round(a[0] + t * (b[0] - a[0]));
            int y = (int) Math.round(a[1] + t * (b[1] - a[1]));
            for (int dy = -half; dy < thickness - half; dy++) {
                for (int dx = -half; dx < thickness - half; dx++) {
                    int xx = x + dx;
                    int yy = y + dy;
                    if (xx >= 0 && yy >= 0 && xx < width && yy < height) {
                        int o = 3 * (yy * width + xx);
                        img[o] = (byte) LIMB;
                        img[o + 1] = (byte) LIMB;
                        img[o + 2] = (byte) LIMB;
                    }
                }
            }
        }
    }

    /** How a synthetic video is encoded. Immutable and thread-safe. */
    public enum Encoding {
        /** MPEG-4 Part 2, 4:2:0 (what most cameras and files deliver). */
        MPEG4_YUV420P(avcodec.AV_CODEC_ID_MPEG4, avutil.AV_PIX_FMT_YUV420P),
        /** Lossless FFV1, 4:4:4. */
        FFV1_YUV444P(avcodec.AV_CODEC_ID_FFV1, avutil.AV_PIX_FMT_YUV444P),
        /** Motion JPEG, full-range 4:2:2 (as webcams write it). */
        MJPEG_YUVJ422P(avcodec.AV_CODEC_ID_MJPEG, avutil.AV_PIX_FMT_YUVJ422P),
        /** Uncompressed BGR (as capture tools write AVI files); about 3 bytes per pixel per frame. */
        RAWVIDEO_BGR24(avcodec.AV_CODEC_ID_RAWVIDEO, avutil.AV_PIX_FMT_BGR24);

        final int codecId;
        final int pixelFormat;

        Encoding(int codecId, int pixelFormat) {
            this.codecId = codecId;
            this.pixelFormat = pixelFormat;
        }
    }

    /** Settings for one synthetic video. Not thread-safe. */
    public static final class Builder {
        private int width = 320;
        private int height = 240;
        private int frames = 120;
        private double fps = 25;
        private int keyframeInterval = 12;
        private boolean fastStart;
        private double quality = 2;
        private LongPredicate hideFigure = f -> false;
        private Encoding encoding = Encoding.MPEG4_YUV420P;

        private Builder() {
        }

        /**
         * Codec and pixel format. Default {@link Encoding#MPEG4_YUV420P}; the others give decoders pictures in
         * other pixel formats (use a {@code .mkv} or {@code .avi} file for them).
         */
        public Builder encoding(Encoding encoding) {
            this.encoding = InvalidConfigException.required(encoding, "encoding");
            return this;
        }

        /** Frame size; even, width >= 80, height >= 64, width >= 3/4 height. Default 320x240. */
        public Builder size(int width, int height) {
            try {
                checkSize(width, height);
            } catch (IllegalArgumentException e) {
                throw InvalidConfigException.of("size", width + "x" + height, e.getMessage());
            }
            this.width = width;
            this.height = height;
            return this;
        }

        /** Number of frames, 1 .. 2^20 - 1. Default 120. */
        public Builder frames(int frames) {
            if (frames < 1 || frames >= (1 << INDEX_BITS)) {
                throw InvalidConfigException.of("frames", frames, "must be between 1 and " + ((1 << INDEX_BITS) - 1));
            }
            this.frames = frames;
            return this;
        }

        /** Frame rate, above 0 and at most 240. Default 25. */
        public Builder fps(double fps) {
            if (!(fps > 0 && fps <= 240)) {
                throw InvalidConfigException.of("fps", fps, "must be > 0 and <= 240");
            }
            this.fps = fps;
            return this;
        }

        /** Frames between keyframes (GOP size), >= 1; small values make seeks cheaper. Default 12. */
        public Builder keyframeInterval(int keyframeInterval) {
            if (keyframeInterval < 1) {
                throw InvalidConfigException.of("keyframeInterval", keyframeInterval, "must be >= 1");
            }
            this.keyframeInterval = keyframeInterval;
            return this;
        }

        /**
         * MP4 only: put the index ('moov') before the media data. A cut copy of such a file still
         * opens and decodes fewer frames, while a cut default file cannot be opened. Default false.
         */
        public Builder fastStart(boolean fastStart) {
            this.fastStart = fastStart;
            return this;
        }

        /** MPEG-4 quantiser scale, 1 (best) .. 31. Default 2. */
        public Builder quality(double quality) {
            if (!(quality >= 1 && quality <= 31)) {
                throw InvalidConfigException.of("quality", quality, "must be between 1 (best) and 31");
            }
            this.quality = quality;
            return this;
        }

        /** Frames for which to draw no figure (only background and barcode). Default: none. */
        public Builder hideFigureWhen(LongPredicate hideFigure) {
            this.hideFigure = InvalidConfigException.required(hideFigure, "hideFigure");
            return this;
        }

        /**
         * Encodes the video into {@code file} (overwriting it) and returns {@code file}.
         *
         * @throws JugglerException if FFmpeg cannot write the file
         */
        public Path write(Path file) {
            InvalidConfigException.required(file, "file");
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            String format = name.endsWith(".avi") ? "avi" : name.endsWith(".mkv") ? "matroska" : "mp4";
            FFmpegFrameRecorder rec = new FFmpegFrameRecorder(file.toFile(), width, height, 0);
            try {
                rec.setFormat(format);
                rec.setVideoCodec(encoding.codecId);
                rec.setPixelFormat(encoding.pixelFormat);
                rec.setFrameRate(fps);
                rec.setGopSize(keyframeInterval);
                rec.setVideoQuality(quality);
                if (fastStart && "mp4".equals(format)) {
                    rec.setOption("movflags", "+faststart");
                }
                rec.start();
                org.bytedeco.javacv.Frame out = new org.bytedeco.javacv.Frame(width, height, org.bytedeco.javacv.Frame.DEPTH_UBYTE, 3);
                ByteBuffer buf = (ByteBuffer) out.image[0];
                int row = 3 * width;
                for (long f = 0; f < frames; f++) {
                    byte[] img = render(f, width, height, !hideFigure.test(f));
                    for (int y = 0; y < height; y++) {
                        buf.put(y * out.imageStride, img, y * row, row);
                    }
                    rec.record(out, avutil.AV_PIX_FMT_BGR24);
                }
                rec.stop();
                return file;
            } catch (Exception e) {
                throw JugglerException.permanentFailure("writing synthetic video " + file + " (" + width + "x" + height + ", "
                        + frames + " frames, " + format + "/" + encoding + ") failed: " + e.getMessage(), e);
            } finally {
                try {
                    rec.release();
                } catch (Exception e) {
                    // Nothing left to do: the file is either complete (stop succeeded) or already reported.
                }
            }
        }
    }
}
