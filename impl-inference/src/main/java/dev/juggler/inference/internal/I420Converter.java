package dev.juggler.inference.internal;

import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.DoublePointer;

/**
 * Converts decoded pictures of any pixel format (yuvj420p, yuv422p, yuv444p, 10-bit, nv12, rgb24, ...) to
 * 8-bit limited-range yuv420p, the layout of {@link dev.juggler.pipeline.PixelFormat#I420}. Owns native
 * memory (a swscale context and one picture, reused while the size stays the same): close it. Not
 * thread-safe; one per frame source.
 */
final class I420Converter implements AutoCloseable {
    private SwsContext context;
    private AVFrame converted;

    /**
     * The converted picture, valid until the next call or {@link #close()}.
     *
     * @throws IllegalStateException if FFmpeg cannot convert this picture (the message says why)
     */
    AVFrame convert(AVFrame source) {
        int w = source.width();
        int h = source.height();
        if (converted == null || converted.width() != w || converted.height() != h) {
            freePicture();
            converted = avutil.av_frame_alloc();
            converted.format(avutil.AV_PIX_FMT_YUV420P);
            converted.width(w);
            converted.height(h);
            if (avutil.av_frame_get_buffer(converted, 0) < 0) {
                freePicture();
                throw new IllegalStateException("out of native memory for a " + w + "x" + h + " picture");
            }
        }
        context = swscale.sws_getCachedContext(context, w, h, source.format(), w, h, avutil.AV_PIX_FMT_YUV420P,
                swscale.SWS_BILINEAR, null, null, (DoublePointer) null);
        if (context == null) {
            org.bytedeco.javacpp.BytePointer name = avutil.av_get_pix_fmt_name(source.format());
            throw new IllegalStateException("FFmpeg cannot convert pixel format "
                    + (name == null ? "#" + source.format() : name.getString()) + " to yuv420p");
        }
        swscale.sws_scale(context, source.data(), source.linesize(), 0, h, converted.data(), converted.linesize());
        return converted;
    }

    private void freePicture() {
        if (converted != null) {
            avutil.av_frame_free(converted);
            converted = null;
        }
    }

    @Override
    public void close() {
        freePicture();
        if (context != null) {
            swscale.sws_freeContext(context);
            context = null;
        }
    }
}
