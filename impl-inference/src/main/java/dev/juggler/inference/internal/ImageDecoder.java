package dev.juggler.inference.internal;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_BMP;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_PNG;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_WEBP;

import dev.juggler.pipeline.PixelFormat;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Decodes whole image files held in memory with FFmpeg's own image decoders (libavcodec) and converts the
 * picture with swscale into a Java array in a {@link PixelFormat}: BGR24 packed, or I420 in BT.601 limited
 * range as the video sources deliver it (a JPEG's full-range YUV is converted to it).
 *
 * <p>Why libavcodec directly and not a grabber per file: opening a container per image probes it by
 * decoding it once more and builds a new scaler each time, about three times the cost of the decode alone.
 * Here the decoder is opened on the bytes in memory (cheap for still images, and fresh for each file: see
 * {@link #decode}) and one scaler lives as long as this object and is reused for every image of a size.
 *
 * <p>Not thread-safe: one decoding thread. Holds native memory: {@link #close()} it (idempotent).
 */
public final class ImageDecoder implements AutoCloseable {

    /** Thrown for an image the decoder cannot turn into a picture; the message says why. */
    public static final class Failed extends Exception {
        private static final long serialVersionUID = 1L;

        Failed(String message) {
            super(message, null, false, false);
        }
    }

    /** {@code AVERROR(EAGAIN)} on Linux: the decoder wants more input before it gives a picture. */
    private static final int EAGAIN = -11;
    private static final int ALIGN = 64;

    static {
        // As for videos (VideoFiles): FFmpeg's decoders print a line per damaged image, which this module
        // reports as typed exceptions anyway. A host that wants FFmpeg's log keeps it with the property.
        DecoderErrors.install();
    }

    private final PixelFormat format;
    private final Map<ImageHeader.Format, AVCodecContext> decoders = new EnumMap<>(ImageHeader.Format.class);
    private AVPacket packet;
    private AVFrame picture;
    private SwsContext scaler;
    private int[] scalerKey;
    private BytePointer out; // the scaler's output planes, aligned; copied into the Java array
    private long outCapacity;
    private boolean closed;

    /** A decoder that delivers pictures in {@code format}. */
    public ImageDecoder(PixelFormat format) {
        this.format = format;
        this.packet = avcodec.av_packet_alloc();
        this.picture = avutil.av_frame_alloc();
        if (packet == null || picture == null) {
            close();
            throw new OutOfMemoryError("FFmpeg could not allocate a packet or a frame");
        }
    }

    /** The layout of the pictures this decoder delivers. */
    public PixelFormat format() {
        return format;
    }

    /**
     * Decodes {@code bytes} (a whole file whose header said {@code kind}) into {@code target} if it has
     * exactly the size the picture needs, else into a new array.
     *
     * @return the picture: its pixels and size
     * @throws Failed if the decoder refuses the data or flags the picture as corrupt
     */
    public Picture decode(byte[] bytes, ImageHeader.Format kind, byte[] target) throws Failed {
        if (closed) {
            throw new IllegalStateException("image decoder is closed");
        }
        AVCodecContext ctx = decoder(kind);
        avutil.av_frame_unref(picture);
        if (avcodec.av_new_packet(packet, bytes.length) < 0) {
            throw new OutOfMemoryError("FFmpeg could not allocate a packet of " + bytes.length + " bytes");
        }
        try {
            packet.data().put(bytes, 0, bytes.length);
            int ret = avcodec.avcodec_send_packet(ctx, packet);
            if (ret < 0) {
                throw new Failed(kind + " decoder refused the data: " + error(ret));
            }
            ret = avcodec.avcodec_receive_frame(ctx, picture);
            if (ret == EAGAIN) {
                avcodec.avcodec_send_packet(ctx, null); // end of input: a decoder that buffers gives it up now
                ret = avcodec.avcodec_receive_frame(ctx, picture);
            }
            if (ret < 0) {
                throw new Failed(kind + " decoder gave no picture: " + error(ret));
            }
            if ((picture.flags() & AVFrame.AV_FRAME_FLAG_CORRUPT) != 0 || picture.decode_error_flags() != 0) {
                throw new Failed(kind + " decodes with errors (corrupt data, concealed by the decoder)");
            }
            return convert(target);
        } finally {
            avcodec.av_packet_unref(packet);
            // A fresh decoder for every file: FFmpeg's PNG decoder keeps state from the previous picture that
            // avcodec_flush_buffers does not clear (the same file decoded twice gave two different pictures).
            avcodec.avcodec_free_context(ctx);
            decoders.remove(kind);
        }
    }

    /**
     * A decoded picture. Immutable as a record; its array is handed over, not copied.
     *
     * @param pixels the pixels in the decoder's {@link PixelFormat}, tightly packed
     * @param width width in pixels
     * @param height height in pixels
     */
    public record Picture(byte[] pixels, int width, int height) {
    }

    private AVCodecContext decoder(ImageHeader.Format kind) throws Failed {
        AVCodecContext ctx = decoders.get(kind);
        if (ctx != null) {
            return ctx;
        }
        int id = switch (kind) {
            case JPEG -> AV_CODEC_ID_MJPEG;
            case PNG -> AV_CODEC_ID_PNG;
            case BMP -> AV_CODEC_ID_BMP;
            case WEBP -> AV_CODEC_ID_WEBP;
        };
        AVCodec codec = avcodec.avcodec_find_decoder(id);
        if (codec == null) {
            throw new Failed("this FFmpeg build has no " + kind + " decoder");
        }
        ctx = avcodec.avcodec_alloc_context3(codec);
        if (ctx == null) {
            throw new OutOfMemoryError("FFmpeg could not allocate a " + kind + " decoder");
        }
        ctx.thread_count(1); // one still picture at a time: frame threads would only add delay
        int ret = avcodec.avcodec_open2(ctx, codec, (PointerPointer<?>) null);
        if (ret < 0) {
            avcodec.avcodec_free_context(ctx);
            throw new Failed("cannot open FFmpeg's " + kind + " decoder: " + error(ret));
        }
        decoders.put(kind, ctx);
        return ctx;
    }

    private Picture convert(byte[] target) throws Failed {
        int w = picture.width();
        int h = picture.height();
        if (w <= 0 || h <= 0) {
            throw new Failed("the decoder gave a picture of size " + w + "x" + h);
        }
        long tight = format == PixelFormat.BGR24 ? 3L * w * h : i420Bytes(w, h);
        if (tight > Integer.MAX_VALUE - 64) {
            throw new Failed("the picture is too large for one frame (" + w + "x" + h + ")");
        }
        int src = picture.format();
        // RGB sources are full range by nature; the I420 we deliver is limited range, as decoded video is.
        int srcRange = isJpegRange(src) || picture.color_range() == avutil.AVCOL_RANGE_JPEG || !isYuv(src) ? 1 : 0;
        int dst = format == PixelFormat.BGR24 ? avutil.AV_PIX_FMT_BGR24 : avutil.AV_PIX_FMT_YUV420P;
        ensureScaler(w, h, withoutJpegRange(src), srcRange, dst, format == PixelFormat.BGR24 ? 1 : 0);
        int[] strides = strides(w, h);
        int[] heights = format == PixelFormat.BGR24 ? new int[] {h} : new int[] {h, (h + 1) / 2, (h + 1) / 2};
        long needed = 0;
        for (int p = 0; p < strides.length; p++) {
            needed += (long) strides[p] * heights[p];
        }
        ensureOut(needed + ALIGN);
        try (PointerPointer<BytePointer> planes = new PointerPointer<>(4); IntPointer lines = new IntPointer(4)) {
            long offset = 0;
            for (int p = 0; p < strides.length; p++) {
                planes.put(p, out.<BytePointer>getPointer(offset));
                lines.put(p, strides[p]);
                offset += (long) strides[p] * heights[p];
            }
            int rows = swscale.sws_scale(scaler, picture.data(), picture.linesize(), 0, h, planes, lines);
            if (rows != h) {
                throw new Failed("pixel conversion gave " + rows + " of " + h + " rows");
            }
        }
        byte[] pixels = target != null && target.length == tight ? target : new byte[(int) tight];
        copyOut(pixels, w, h, strides, heights);
        return new Picture(pixels, w, h);
    }

    // The ranges are set before the scaler is initialised: set afterwards, they are not applied by the
    // unscaled conversions that a same-size yuv-to-yuv or rgb-to-bgr scaler uses.
    private void ensureScaler(int w, int h, int src, int srcRange, int dst, int dstRange) throws Failed {
        int[] key = {w, h, src, srcRange, dst, dstRange};
        if (scaler != null && java.util.Arrays.equals(key, scalerKey)) {
            return;
        }
        if (scaler != null) {
            swscale.sws_freeContext(scaler);
            scaler = null;
        }
        SwsContext ctx = swscale.sws_alloc_context();
        if (ctx == null) {
            throw new OutOfMemoryError("FFmpeg could not allocate a pixel converter");
        }
        setOption(ctx, "srcw", w);
        setOption(ctx, "srch", h);
        setOption(ctx, "src_format", src);
        setOption(ctx, "src_range", srcRange);
        setOption(ctx, "dstw", w);
        setOption(ctx, "dsth", h);
        setOption(ctx, "dst_format", dst);
        setOption(ctx, "dst_range", dstRange);
        setOption(ctx, "sws_flags", swscale.SWS_BICUBIC);
        int ret = swscale.sws_init_context(ctx, null, null);
        if (ret < 0) {
            swscale.sws_freeContext(ctx);
            throw new Failed("cannot convert pixel format " + name(src) + " to " + format + ": " + error(ret));
        }
        scaler = ctx;
        scalerKey = key;
    }

    private static void setOption(SwsContext ctx, String name, long value) {
        int ret = avutil.av_opt_set_int(ctx, name, value, 0);
        if (ret < 0) {
            throw new IllegalStateException("swscale refused option " + name + "=" + value + ": " + error(ret));
        }
    }

    private static String name(int pixFmt) {
        BytePointer n = avutil.av_get_pix_fmt_name(pixFmt);
        return n == null || n.isNull() ? "#" + pixFmt : n.getString();
    }

    private int[] strides(int w, int h) {
        if (format == PixelFormat.BGR24) {
            return new int[] {align(3 * w)};
        }
        int cw = PixelFormat.chromaWidth(w);
        return new int[] {align(w), align(cw), align(cw)};
    }

    // From the aligned native planes to tightly packed rows (stride == row width), as Frame expects.
    private void copyOut(byte[] pixels, int w, int h, int[] strides, int[] heights) {
        ByteBuffer src = out.capacity(outCapacity).asBuffer();
        int[] rowBytes = format == PixelFormat.BGR24 ? new int[] {3 * w}
                : new int[] {w, PixelFormat.chromaWidth(w), PixelFormat.chromaWidth(w)};
        long from = 0;
        int to = 0;
        for (int p = 0; p < strides.length; p++) {
            for (int y = 0; y < heights[p]; y++) {
                src.get((int) (from + (long) y * strides[p]), pixels, to, rowBytes[p]);
                to += rowBytes[p];
            }
            from += (long) strides[p] * heights[p];
        }
    }

    private void ensureOut(long bytes) {
        if (out != null && outCapacity >= bytes) {
            return;
        }
        if (out != null) {
            avutil.av_free(out);
        }
        out = new BytePointer(avutil.av_malloc(bytes));
        if (out.isNull()) {
            out = null;
            outCapacity = 0;
            throw new OutOfMemoryError("FFmpeg could not allocate " + bytes + " bytes for a picture");
        }
        outCapacity = bytes;
    }

    private static long i420Bytes(int w, int h) {
        return (long) w * h + 2L * PixelFormat.chromaWidth(w) * PixelFormat.chromaHeight(h);
    }

    private static int align(int n) {
        return (n + ALIGN - 1) / ALIGN * ALIGN;
    }

    private static boolean isJpegRange(int pixFmt) {
        return pixFmt == avutil.AV_PIX_FMT_YUVJ420P || pixFmt == avutil.AV_PIX_FMT_YUVJ422P
                || pixFmt == avutil.AV_PIX_FMT_YUVJ444P || pixFmt == avutil.AV_PIX_FMT_YUVJ440P
                || pixFmt == avutil.AV_PIX_FMT_YUVJ411P;
    }

    // The deprecated "J" formats only say "full range"; the range is set explicitly instead.
    private static int withoutJpegRange(int pixFmt) {
        if (pixFmt == avutil.AV_PIX_FMT_YUVJ420P) {
            return avutil.AV_PIX_FMT_YUV420P;
        } else if (pixFmt == avutil.AV_PIX_FMT_YUVJ422P) {
            return avutil.AV_PIX_FMT_YUV422P;
        } else if (pixFmt == avutil.AV_PIX_FMT_YUVJ444P) {
            return avutil.AV_PIX_FMT_YUV444P;
        } else if (pixFmt == avutil.AV_PIX_FMT_YUVJ440P) {
            return avutil.AV_PIX_FMT_YUV440P;
        } else if (pixFmt == avutil.AV_PIX_FMT_YUVJ411P) {
            return avutil.AV_PIX_FMT_YUV411P;
        }
        return pixFmt;
    }

    private static boolean isYuv(int pixFmt) {
        var desc = avutil.av_pix_fmt_desc_get(pixFmt);
        return desc != null && (desc.flags() & avutil.AV_PIX_FMT_FLAG_RGB) == 0 && desc.nb_components() >= 3;
    }

    private static String error(int code) {
        byte[] buf = new byte[256];
        avutil.av_strerror(code, buf, buf.length);
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8) + " (" + code + ")";
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (AVCodecContext ctx : decoders.values()) {
            avcodec.avcodec_free_context(ctx);
        }
        decoders.clear();
        if (packet != null) {
            avcodec.av_packet_free(packet);
            packet = null;
        }
        if (picture != null) {
            avutil.av_frame_free(picture);
            picture = null;
        }
        if (scaler != null) {
            swscale.sws_freeContext(scaler);
            scaler = null;
        }
        if (out != null) {
            avutil.av_free(out);
            out = null;
        }
    }
}
