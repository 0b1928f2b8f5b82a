package dev.juggler.inference.render;

import dev.juggler.JugglerException;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageIO;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;

/**
 * Where rendered frames go: an H.264 video (a file ending in {@code .mp4} or {@code .mkv}; FFmpeg's
 * openh264 encoder, yuv420p, so that every player shows it) or a folder of PNG files named
 * {@code <name>_<frame:12>_rendered.png}, as OpenPose's {@code --write_images} names them. Not thread-safe:
 * frames are written in order from one thread; {@link #close()} finishes the file (idempotent).
 */
public final class RenderedOutput implements AutoCloseable {

    private final Path target;
    private final String name;
    private final double fps;
    private FFmpegFrameRecorder recorder;
    private org.bytedeco.javacv.Frame buffer;
    private long written;
    private boolean closed;

    private RenderedOutput(Path target, String name, double fps) {
        this.target = target;
        this.name = name;
        this.fps = fps;
    }

    /**
     * Output to {@code target}: a video if its name ends in {@code .mp4} or {@code .mkv}, else a folder of PNG
     * files (created if missing) whose names start with {@code name}.
     */
    public static RenderedOutput to(Path target, String name, double fps) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(name, "name");
        if (!(fps > 0)) {
            throw new IllegalArgumentException("fps must be > 0, not " + fps);
        }
        return new RenderedOutput(target, name, fps);
    }

    /** Whether this writes a video file (else PNG files). */
    public boolean isVideo() {
        String file = target.getFileName() == null ? "" : target.getFileName().toString().toLowerCase(Locale.ROOT);
        return file.endsWith(".mp4") || file.endsWith(".mkv");
    }

    /**
     * Writes the next rendered frame ({@link BufferedImage#TYPE_3BYTE_BGR}); {@code frame} names a PNG file.
     * A video takes the size of its first frame; later frames of another size are refused.
     *
     * @throws JugglerException if FFmpeg cannot encode, or a PNG cannot be written
     */
    public void write(BufferedImage image, long frame) {
        if (closed) {
            throw new IllegalStateException("output " + target + " is closed");
        }
        if (image.getType() != BufferedImage.TYPE_3BYTE_BGR) {
            throw new IllegalArgumentException("rendered frames are TYPE_3BYTE_BGR, not type " + image.getType());
        }
        if (isVideo()) {
            encode(image);
        } else {
            try {
                Files.createDirectories(target);
                ImageIO.write(image, "png", target.resolve(String.format(Locale.ROOT, "%s_%012d_rendered.png", name, frame)).toFile());
            } catch (IOException e) {
                throw JugglerException.permanentFailure("cannot write frame " + frame + " into " + target + ": " + e.getMessage(), e);
            }
        }
        written++;
    }

    private void encode(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        try {
            if (recorder == null) {
                Path parent = target.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                // yuv420p needs even sizes: a last odd row or column is left out
                recorder = new FFmpegFrameRecorder(target.toFile(), w & ~1, h & ~1, 0);
                recorder.setFormat(target.toString().toLowerCase(Locale.ROOT).endsWith(".mkv") ? "matroska" : "mp4");
                recorder.setVideoCodec(avcodec.AV_CODEC_ID_H264);
                recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
                recorder.setFrameRate(fps);
                recorder.setVideoBitrate(Math.max(500_000, w * h * 4));
                recorder.start();
                buffer = new org.bytedeco.javacv.Frame(w, h, org.bytedeco.javacv.Frame.DEPTH_UBYTE, 3);
            }
            if (w != buffer.imageWidth || h != buffer.imageHeight) {
                throw new IllegalArgumentException("frame of " + w + "x" + h + " in a video of " + buffer.imageWidth + "x"
                        + buffer.imageHeight);
            }
            byte[] pixels = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
            ByteBuffer out = (ByteBuffer) buffer.image[0];
            for (int y = 0; y < h; y++) {
                out.put(y * buffer.imageStride, pixels, y * 3 * w, 3 * w);
            }
            recorder.record(buffer, avutil.AV_PIX_FMT_BGR24);
        } catch (FFmpegFrameRecorder.Exception e) {
            throw JugglerException.permanentFailure("cannot encode H.264 into " + target + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Frames written so far. */
    public long written() {
        return written;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (recorder != null) {
            try {
                recorder.stop();
                recorder.release();
            } catch (FFmpegFrameRecorder.Exception e) {
                throw JugglerException.permanentFailure("cannot finish " + target + ": " + e.getMessage(), e);
            }
        }
    }
}
