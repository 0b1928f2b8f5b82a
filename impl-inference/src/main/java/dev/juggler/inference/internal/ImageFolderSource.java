package dev.juggler.inference.internal;

import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameInfo;
import dev.juggler.pipeline.FrameSource;
import dev.juggler.pipeline.PixelFormat;
import dev.juggler.video.DamagedFrameException;
import dev.juggler.video.FrameRange;
import dev.juggler.video.VideoException;
import dev.juggler.video.VideoException.Kind;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A {@link FrameSource} over an image folder: frame {@code i} is the {@code i}-th image of the folder's
 * {@link ImageFolderListing} (natural order of the names), decoded by an {@link ImageDecoder}. A staged image
 * folder (its {@link ImageArchive}) is read the same way, each image's bytes straight from the archive.
 *
 * <p>Each image stands alone, so one that cannot be read (gone, unreadable, not an image, cut short,
 * rejected by the decoder) is a {@link DamagedFrameException} for its frame only; the next {@link #next()}
 * delivers the frame after it. Every image is delivered at its own size (a folder may mix sizes; the
 * keypoints of each frame stay in its own pixels). A range that runs past the last image ends with a
 * {@code TRUNCATED} {@link VideoException} at the first missing frame, thrown again on every later call.
 *
 * <p>Not thread-safe (one decoding thread); {@link #recycle} may be called from any thread.
 * {@link #close()} is idempotent and frees the decoder.
 */
public final class ImageFolderSource implements FrameSource {

    /** Images larger than this are not read into memory (no still picture of a frame sequence is that big). */
    static final long MAX_IMAGE_BYTES = 512L << 20;

    /** Where the images come from: a folder's files or a staged folder's archive. */
    private interface Images extends java.io.Closeable {
        int size();

        String name(int index);

        /** The bytes of image {@code index}. */
        byte[] read(int index) throws IOException, ImageHeader.Unreadable;

        /** What a range past the end says: "the folder has only 3 images". */
        String holder();
    }

    private final String location;
    private final Images listing;
    private final FrameRange range;
    private final double fps;
    private final ImageDecoder decoder;
    private long expected;
    private VideoException failure;
    private volatile boolean closed;
    private final BlockingQueue<byte[]> spare = new ArrayBlockingQueue<>(64);

    private ImageFolderSource(String location, Images listing, FrameRange range, double fps, PixelFormat format) {
        this.location = location;
        this.listing = listing;
        this.range = range;
        this.fps = fps;
        this.decoder = new ImageDecoder(format);
        this.expected = range.from();
    }

    /**
     * Lists the folder and positions the source at {@code range.from()}.
     *
     * @throws VideoException {@code UNREADABLE} or {@code EMPTY} as {@link ImageFolderListing#of}, {@code NOT_A_VIDEO}
     *     for an unreadable {@value ImageFolderListing#FPS_FILE} file, {@code TRUNCATED} if a non-empty range starts
     *     at or after the last image
     */
    public static ImageFolderSource open(String location, Path folder, FrameRange range, PixelFormat format) {
        ImageFolderListing listing = ImageFolderListing.of(location, folder);
        double fps = ImageFolderListing.fpsFile(location, folder).orElse(ImageFolderListing.DEFAULT_FPS);
        return create(location, new Images() {
            @Override
            public int size() {
                return listing.size();
            }

            @Override
            public String name(int index) {
                return listing.names().get(index);
            }

            @Override
            public byte[] read(int index) throws IOException, ImageHeader.Unreadable {
                Path file = listing.file(index);
                long size = Files.size(file);
                if (size > MAX_IMAGE_BYTES) {
                    throw tooLarge(size);
                }
                return Files.readAllBytes(file);
            }

            @Override
            public String holder() {
                return "the folder";
            }

            @Override
            public void close() {
            }
        }, range, fps, format);
    }

    /**
     * Reads a staged image folder ({@link dev.juggler.stage.ImageFolderArchive}): the same frames in the same
     * order, rate and failures as the folder it was made from.
     *
     * @throws VideoException as {@link ImageArchive#read}, and {@code TRUNCATED} as {@link #open}
     */
    public static ImageFolderSource openArchive(String location, Path file, FrameRange range, PixelFormat format) {
        ImageArchive archive = ImageArchive.read(location, file);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new VideoException(location, Kind.UNREADABLE, -1, e.toString(), e);
        }
        try {
            return create(location, new Images() {
                @Override
                public int size() {
                    return archive.size();
                }

                @Override
                public String name(int index) {
                    return archive.names().get(index);
                }

                @Override
                public byte[] read(int index) throws IOException, ImageHeader.Unreadable {
                    long size = archive.byteCount(index);
                    if (size > MAX_IMAGE_BYTES) {
                        throw tooLarge(size);
                    }
                    return archive.bytes(channel, index);
                }

                @Override
                public String holder() {
                    return "the image archive";
                }

                @Override
                public void close() throws IOException {
                    channel.close();
                }
            }, range, archive.fps().orElse(ImageFolderListing.DEFAULT_FPS), format);
        } catch (RuntimeException e) {
            try {
                channel.close();
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
    }

    private static ImageFolderSource create(String location, Images images, FrameRange range, double fps,
            PixelFormat format) {
        if (!range.isEmpty() && range.from() >= images.size()) {
            throw new VideoException(location, Kind.TRUNCATED, range.from(), "range " + range
                    + " starts at or after the end: " + images.holder() + " has " + images.size() + " images", null);
        }
        return new ImageFolderSource(location, images, range, fps, format);
    }

    private static ImageHeader.Unreadable tooLarge(long size) {
        return new ImageHeader.Unreadable("too large for a frame (" + size + " bytes, at most " + MAX_IMAGE_BYTES + ")");
    }

    @Override
    public Frame next() {
        if (closed) {
            throw new IllegalStateException("frame source for " + location + " " + range + " is closed");
        }
        if (failure != null) {
            throw failure;
        }
        if (expected >= range.to()) {
            return null;
        }
        if (expected >= listing.size()) {
            failure = new VideoException(location, Kind.TRUNCATED, expected, listing.holder() + " has only " + listing.size()
                    + " images, so frame " + expected + " is missing (were images removed since registration?)", null);
            throw failure;
        }
        long index = expected++; // before decoding: a damaged image is passed over, never retried
        int i = (int) index;
        String name = listing.name(i);
        try {
            byte[] bytes = listing.read(i);
            ImageHeader header = ImageHeader.parse(bytes);
            ImageDecoder.Picture p = decoder.decode(bytes, header.format(), spare.poll());
            FrameInfo info = new FrameInfo(index, index / fps, p.width(), p.height());
            return decoder.format() == PixelFormat.I420 ? Frame.i420(info, p.pixels()) : new Frame(info, p.pixels(), 3 * p.width());
        } catch (ImageHeader.Unreadable | ImageDecoder.Failed e) {
            throw damaged(index, name, e.getMessage());
        } catch (IOException e) {
            throw damaged(index, name, ImageFolderListing.reason(e));
        }
    }

    private DamagedFrameException damaged(long index, String name, String reason) {
        return new DamagedFrameException(location, index, "image " + ImageFolderListing.quoted(name) + ": " + reason, null);
    }

    /** Keeps the frame's pixel array for a later image of the same size; safe from any thread, any time. */
    @Override
    public void recycle(Frame frame) {
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
        decoder.close();
        spare.clear();
        try {
            listing.close();
        } catch (IOException e) {
            // a read-only channel: nothing was lost
        }
    }

    @Override
    public String toString() {
        return "ImageFolderSource[" + location + " " + range + ", next=" + expected + "]";
    }
}
