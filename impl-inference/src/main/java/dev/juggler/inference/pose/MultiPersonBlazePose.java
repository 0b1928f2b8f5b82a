package dev.juggler.inference.pose;

import dev.juggler.InvalidConfigException;
import dev.juggler.accel.Accelerator;
import dev.juggler.inference.internal.NativePool;
import dev.juggler.inference.internal.TfLiteNatives;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameInfo;
import dev.juggler.pipeline.PixelFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Every person in the frame with MediaPipe's BlazePose, reported as OpenPose BODY_25 in frame pixels: the
 * pose detector ({@code pose_detection.tflite}) finds people, and so does, when given, MediaPipe's object
 * detector ({@link Builder#boxDetector}), whose "Person" boxes cover people the face-based pose detector
 * misses (seen from behind or from above, small); the landmark model (lite, full or heavy) runs once per
 * person on a region turned upright around them, and each person's landmarks place their region in the
 * next frame, so the detectors run only every {@link Builder#detectEvery} frames, on the first frame of
 * every range, and when someone is lost; a person lost is first looked for at once with one pose-detector pass
 * on a view around where they were (see {@link PoseTracker}). Keypoints are mapped as
 * {@link BlazePoseModel} maps them ({@link Body25Mapping}); {@code person_id} stays {@code -1} (the regions
 * follow people within a range, but identities across ranges are the track cleaner's job).
 *
 * <p>Limits, from the models: the pose detector sees 224x224 letterboxes of the whole frame and of
 * overlapping tiles ({@link Builder#detectorTiles}) and was made for people near a camera; on the 768x576
 * street scene of {@code vtest.avi} it finds about seven in ten people alone, and nine in ten with the
 * object detector. Some people packed shoulder to shoulder are boxed by neither detector or fail the
 * landmark model's pose score. People hidden behind others for more than a frame are re-found by the next
 * detection; two skeletons whose hips nearly coincide, or one of which lies inside the other's box, are
 * reported as one person; at most {@link Builder#maxPeople} people (default {@value #DEFAULT_MAX_PEOPLE})
 * are followed, the pose detector's best first. Cost: one landmark pass per person per frame, plus one
 * detector pass per view on detection frames, and one pose-detector pass per person lost.
 *
 * <p>Thread-safe, but following people is sequential: frames are processed in the order {@link #infer}
 * receives them, one batch at a time (calls from several threads wait for each other), and a frame that
 * does not follow the previous one restarts detection. Give it one inference thread per video for the
 * fewest detector calls. Each {@link Input} holds a copy of its frame's pixels (pooled, so steady runs
 * allocate none); holds native memory: {@link #close()} it.
 */
public final class MultiPersonBlazePose implements Accelerator<MultiPersonBlazePose.Input, PoseFrame> {

    /** Default number of frames after which the detector runs again to find people who entered. */
    public static final int DEFAULT_DETECT_EVERY = 10;
    /** Default largest number of people followed in one frame. */
    public static final int DEFAULT_MAX_PEOPLE = 10;
    /**
     * Default detector score below which a proposal is not a person: lower than MediaPipe's 0.5 because
     * small people score low in tiles, and the landmark model's pose score still rejects non-people.
     */
    public static final float DEFAULT_MIN_DETECTION_SCORE = 0.3f;
    /** Detector tiles chosen from the frame size (see {@link Builder#autoDetectorTiles()}); the default. */
    public static final int AUTO_TILES = 0;
    /** Target side of an automatic detector tile, in frame pixels: 768x576 gets 4x3 tiles. */
    public static final int AUTO_TILE_SIDE = 192;
    private static final int AUTO_MAX_COLUMNS = 6;
    private static final int AUTO_MAX_ROWS = 4;
    /**
     * Default box-detector score below which a box is not a person: the score MediaPipe's Objectron keeps
     * this detector's objects at; the landmark model's pose score still rejects non-people.
     */
    public static final float DEFAULT_MIN_BOX_SCORE = 0.4f;
    /** Target side of a box-detector tile, in frame pixels: 768x576 gets 2x2, 1920x1080 gets 4x3. */
    public static final int BOX_TILE_SIDE = 400;
    private static final int BOX_MAX_COLUMNS = 4;
    private static final int BOX_MAX_ROWS = 3;

    private static final int FRAME_POOL = 64;
    /**
     * Side of the view the pose detector gets around a person just lost, as a multiple of their region's side.
     * On the labelled frames 1.25 was too tight to find them again (308 people of 345, against 312), and 2
     * found as many as 1.5 (311) but more false people (precision 0.90 on {@code vtest.avi}, against 0.95).
     */
    static final float NEAR_VIEW = 1.5f;
    /** Fraction of a detector tile shared with its neighbour, so that nobody is cut in half by every tile. */
    private static final float TILE_OVERLAP = 0.3f;

    private final String name;
    private final int maxBatchSize;
    private final float minDetectionScore;
    private final float minBoxScore;
    private final int maxPeople;
    private final int tileColumns;
    private final int tileRows;
    private final PoseTracker tracker;
    private volatile DetectorViews views; // of the last frame size seen
    private long detectorPasses; // guarded by the model set's pool, which lends the one set to one thread at a time
    private final NativePool<Models> models;
    private final BlockingQueue<byte[]> freePixels = new ArrayBlockingQueue<>(FRAME_POOL);

    /**
     * Counters of the work done so far; immutable.
     *
     * @param detectorCalls detections of whole frames (each runs the pose detector on every view of the frame,
     *                      and the box detector on its own views)
     * @param nearDetections detections asked for near a person just lost: one pose-detector pass each, none
     *                       where the view around them lies almost wholly outside the frame
     * @param detectorPasses runs of either detector model, one per view, near detections included: what the
     *                       detections cost
     */
    public record Stats(long frames, long detectorCalls, long landmarkCalls, long nearDetections, long detectorPasses) {
        /** Detections of whole frames per frame (0 before the first frame). */
        public double detectorCallsPerFrame() {
            return frames == 0 ? 0 : (double) detectorCalls / frames;
        }

        /** Detections near a lost person per frame (0 before the first frame). */
        public double nearDetectionsPerFrame() {
            return frames == 0 ? 0 : (double) nearDetections / frames;
        }

        /** Detector model runs per frame (0 before the first frame). */
        public double detectorPassesPerFrame() {
            return frames == 0 ? 0 : (double) detectorPasses / frames;
        }
    }

    /**
     * One frame's model input: a private copy of the frame (the detector and the landmark regions are
     * only known when it is its turn). Made by {@link #preprocess}, consumed once by {@link #infer}. Not
     * thread-safe (owned by one thread at a time).
     */
    public static final class Input {
        private Frame frame;

        private Input(Frame frame) {
            this.frame = frame;
        }

        /** Index of the frame this input was made from. */
        public long index() {
            return frame == null ? -1 : frame.index();
        }
    }

    /** The interpreters (the box detector is optional) and the landmark input buffer, lent as one. */
    private static final class Models {
        final DetectorInterpreter detector;
        final BoxDetectorInterpreter boxes; // null without a box detector
        final LandmarkInterpreter landmarks;
        final ByteBuffer landmarkInput = ByteBuffer.allocateDirect(Letterbox.FLOATS * Float.BYTES).order(ByteOrder.nativeOrder());

        Models(DetectorInterpreter detector, BoxDetectorInterpreter boxes, LandmarkInterpreter landmarks) {
            this.detector = detector;
            this.boxes = boxes;
            this.landmarks = landmarks;
        }

        void close() {
            detector.close();
            if (boxes != null) {
                boxes.close();
            }
            landmarks.close();
        }
    }

    private MultiPersonBlazePose(Builder b) {
        TfLiteNatives.load();
        this.name = b.name;
        this.maxBatchSize = b.maxBatchSize;
        this.minDetectionScore = b.minDetectionScore;
        this.maxPeople = b.maxPeople;
        this.tileColumns = b.tileColumns;
        this.tileRows = b.tileRows;
        this.tracker = new PoseTracker(b.detectEvery, b.maxPeople, b.minPoseScore);
        this.minBoxScore = b.minBoxScore;
        this.models = NativePool.open(name, "free model set", 1, () -> {
            DetectorInterpreter detector = DetectorInterpreter.open(b.detectorFile, b.threads, b.name);
            BoxDetectorInterpreter boxes = null;
            try {
                boxes = b.boxDetectorFile == null ? null : BoxDetectorInterpreter.open(b.boxDetectorFile, b.threads, b.name);
                return new Models(detector, boxes, LandmarkInterpreter.open(b.landmarkFile, b.threads, b.name));
            } catch (RuntimeException e) {
                detector.close();
                if (boxes != null) {
                    boxes.close();
                }
                throw e;
            }
        }, Models::close);
    }

    /**
     * A builder for the landmark model in {@code landmarkFile} and the detector in {@code detectorFile}
     * (see {@link PoseModels#locateDetector}).
     */
    public static Builder builder(Path landmarkFile, Path detectorFile) {
        return new Builder(landmarkFile, detectorFile);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int maxBatchSize() {
        return maxBatchSize;
    }

    /** Copies a frame ({@link PixelFormat#BGR24} or {@link PixelFormat#I420}) into a model input. Thread-safe. */
    public Input preprocess(Frame frame) {
        Objects.requireNonNull(frame, "frame");
        FrameInfo info = frame.info();
        int bytes = frame.format() == PixelFormat.BGR24 ? frame.stride() * frame.height()
                : frame.format().frameBytes(frame.width(), frame.height());
        byte[] copy = freePixels.poll();
        if (copy == null || copy.length < bytes) {
            copy = new byte[bytes];
        }
        System.arraycopy(frame.pixels(), 0, copy, 0, bytes);
        return new Input(frame.format() == PixelFormat.BGR24 ? new Frame(info, copy, frame.stride()) : Frame.i420(info, copy));
    }

    @Override
    public List<PoseFrame> infer(List<Input> batch) {
        Objects.requireNonNull(batch, "batch");
        if (batch.size() > maxBatchSize) {
            throw new IllegalArgumentException("batch of " + batch.size() + " exceeds maxBatchSize " + maxBatchSize);
        }
        for (Input input : batch) {
            if (input.frame == null) {
                throw new IllegalArgumentException("this input was already consumed by an earlier infer call");
            }
        }
        return models.use(m -> {
            PoseTracker.Detector detector = new PoseTracker.Detector() {
                @Override
                public List<PoseRoi> detect(Frame frame) {
                    return MultiPersonBlazePose.this.detect(m, frame);
                }

                @Override
                public List<PoseRoi> detectNear(Frame frame, PoseRoi where) {
                    return MultiPersonBlazePose.this.detectNear(m, frame, where);
                }
            };
            List<PoseFrame> out = new ArrayList<>(batch.size());
            for (Input input : batch) {
                out.add(tracker.next(input.frame, detector, (frame, roi) -> landmarks(m, frame, roi)));
            }
            // Only a fully processed batch gives its pixels back: a failed one stays intact for a retry.
            for (Input input : batch) {
                freePixels.offer(input.frame.pixels());
                input.frame = null;
            }
            return out;
        });
    }

    /**
     * Where the detectors look in frames of one size: the whole frame, then the tiles; letterboxed for the
     * pose detector, stretched for the box detector (as MediaPipe feeds each).
     */
    private record DetectorViews(int width, int height, List<RoiTransform> views, List<RoiTransform> boxViews) {
    }

    private List<PoseRoi> detect(Models m, Frame frame) {
        DetectorViews v = views;
        if (v == null || v.width() != frame.width() || v.height() != frame.height()) {
            v = views(frame.width(), frame.height());
            views = v;
        }
        List<PoseRoi> found = new ArrayList<>();
        detectorPasses += v.views().size() + (m.boxes == null ? 0 : v.boxViews().size());
        for (PoseDetections.Detection d : m.detector.detect(frame, v.views(), minDetectionScore, maxPeople)) {
            found.add(d.roi());
        }
        if (m.boxes != null) {
            // After the pose detector's people: a box on someone it found already is dropped by the tracker,
            // or its track merges with theirs.
            for (PersonBoxes.Box b : m.boxes.detect(frame, v.boxViews(), minBoxScore, maxPeople)) {
                found.add(PersonBoxes.roi(b));
            }
        }
        return found;
    }

    /**
     * The pose detector on one letterboxed view, {@link #NEAR_VIEW} times as wide as a lost person's region,
     * centred on it and cut to the frame: the person larger in the detector's input than in any tile.
     */
    private List<PoseRoi> detectNear(Models m, Frame frame, PoseRoi where) {
        float half = where.side() * NEAR_VIEW / 2;
        int x0 = Math.max(0, Math.round(where.cx() - half));
        int y0 = Math.max(0, Math.round(where.cy() - half));
        int x1 = Math.min(frame.width(), Math.round(where.cx() + half));
        int y1 = Math.min(frame.height(), Math.round(where.cy() + half));
        if (x1 - x0 < PoseTracker.MIN_SIDE || y1 - y0 < PoseTracker.MIN_SIDE) {
            return List.of();
        }
        RoiTransform view = RoiTransform.letterbox(x1 - x0, y1 - y0, PoseDetections.SIZE).shifted(x0, y0);
        List<PoseRoi> found = new ArrayList<>();
        detectorPasses++;
        for (PoseDetections.Detection d : m.detector.detect(frame, List.of(view), minDetectionScore, maxPeople)) {
            found.add(d.roi());
        }
        return found;
    }

    private DetectorViews views(int width, int height) {
        List<RoiTransform> poseViews = new ArrayList<>();
        poseViews.add(RoiTransform.letterbox(width, height, PoseDetections.SIZE));
        int columns = tileColumns == AUTO_TILES ? autoTiles(width, AUTO_TILE_SIDE, AUTO_MAX_COLUMNS) : tileColumns;
        int rows = tileRows == AUTO_TILES ? autoTiles(height, AUTO_TILE_SIDE, AUTO_MAX_ROWS) : tileRows;
        if (columns * rows > 1) {
            for (Letterbox.Crop c : Letterbox.crops(width, height, columns, rows, TILE_OVERLAP)) {
                poseViews.add(RoiTransform.letterbox(c.width(), c.height(), PoseDetections.SIZE).shifted(c.x(), c.y()));
            }
        }
        List<RoiTransform> boxViews = new ArrayList<>();
        boxViews.add(stretched(0, 0, width, height));
        int boxColumns = autoTiles(width, BOX_TILE_SIDE, BOX_MAX_COLUMNS);
        int boxRows = autoTiles(height, BOX_TILE_SIDE, BOX_MAX_ROWS);
        if (boxColumns * boxRows > 1) {
            for (Letterbox.Crop c : Letterbox.crops(width, height, boxColumns, boxRows, TILE_OVERLAP)) {
                boxViews.add(stretched(c.x(), c.y(), c.width(), c.height()));
            }
        }
        return new DetectorViews(width, height, List.copyOf(poseViews), List.copyOf(boxViews));
    }

    private static RoiTransform stretched(int x, int y, int width, int height) {
        return new RoiTransform((float) width / PersonBoxes.SIZE, 0f, x, 0f, (float) height / PersonBoxes.SIZE, y);
    }

    /** Tiles of about {@code side} pixels along a side of {@code pixels}, at least 1, at most {@code max}. */
    static int autoTiles(int pixels, int side, int max) {
        return Math.max(1, Math.min(max, (pixels + side - 1) / side));
    }

    private static PoseTracker.Landmarks landmarks(Models m, Frame frame, PoseRoi roi) {
        RoiTransform toFrame = roi.toInput(Letterbox.SIZE);
        m.landmarkInput.clear();
        AffineSampler.sample(frame, toFrame, Letterbox.SIZE, 0f, 1f, m.landmarkInput.asFloatBuffer());
        float score = m.landmarks.run(m.landmarkInput);
        float[] raw = m.landmarks.landmarks();
        Person person = Body25Mapping.map(raw, toFrame, frame.width(), frame.height());
        int hips = Body25Mapping.LANDMARKS * Body25Mapping.VALUES_PER_LANDMARK; // auxiliary point 33
        int top = hips + Body25Mapping.VALUES_PER_LANDMARK;                     // auxiliary point 34
        PoseRoi next = PoseRoi.fromAlignment(toFrame.x(raw[hips], raw[hips + 1]), toFrame.y(raw[hips], raw[hips + 1]),
                toFrame.x(raw[top], raw[top + 1]), toFrame.y(raw[top], raw[top + 1]));
        return new PoseTracker.Landmarks(score, person, next);
    }

    /** The work done so far: frames, detector runs and landmark passes. */
    public Stats stats() {
        return models.use(m -> new Stats(tracker.frames(), tracker.detectorCalls(), tracker.landmarkCalls(),
                tracker.nearDetections(), detectorPasses));
    }

    @Override
    public void close() {
        models.close(freePixels::clear);
    }

    /** Configures a {@link MultiPersonBlazePose}; each setter checks its value and names it. Not thread-safe. */
    public static final class Builder {
        private final Path landmarkFile;
        private final Path detectorFile;
        private String name = "cpu-blazepose-multi";
        private int threads = 1;
        private int maxBatchSize = BlazePoseModel.DEFAULT_MAX_BATCH_SIZE;
        private float minPoseScore = BlazePoseModel.DEFAULT_MIN_POSE_SCORE;
        private float minDetectionScore = DEFAULT_MIN_DETECTION_SCORE;
        private Path boxDetectorFile;
        private float minBoxScore = DEFAULT_MIN_BOX_SCORE;
        private int detectEvery = DEFAULT_DETECT_EVERY;
        private int maxPeople = DEFAULT_MAX_PEOPLE;
        private int tileColumns = AUTO_TILES;
        private int tileRows = AUTO_TILES;

        private Builder(Path landmarkFile, Path detectorFile) {
            this.landmarkFile = InvalidConfigException.required(landmarkFile, "landmarkFile");
            this.detectorFile = InvalidConfigException.required(detectorFile, "detectorFile");
        }

        /** The accelerator name in logs and events; default {@code cpu-blazepose-multi}. */
        public Builder name(String value) {
            this.name = InvalidConfigException.requireNotBlank("name", value);
            return this;
        }

        /** XNNPACK threads inside each of the two interpreters; default 1. */
        public Builder threads(int count) {
            this.threads = InvalidConfigException.requireInRange("threads", count, 1, 256);
            return this;
        }

        /** Largest batch one {@link #infer} call takes; default 4. */
        public Builder maxBatchSize(int frames) {
            this.maxBatchSize = InvalidConfigException.requireInRange("maxBatchSize", frames, 1, Integer.MAX_VALUE);
            return this;
        }

        /** Landmark pose score below which a followed person is lost; default 0.5. */
        public Builder minPoseScore(float score) {
            this.minPoseScore = InvalidConfigException.requireInRange("minPoseScore", score, 0f, 1f);
            return this;
        }

        /** Detector score below which a proposal is not a person; default {@value #DEFAULT_MIN_DETECTION_SCORE}. */
        public Builder minDetectionScore(float score) {
            if (!(score > 0f && score <= 1f)) {
                throw InvalidConfigException.of("minDetectionScore", score, "must be in (0, 1]");
            }
            this.minDetectionScore = score;
            return this;
        }

        /**
         * Also finds people with MediaPipe's object detector ({@value PoseModels#BOX_DETECTOR_FILE}, see
         * {@link PoseModels#locateBoxDetector}), which sees whole bodies: people seen from behind or from
         * above, and people too small for the pose detector, which proposes a person from a face. It runs on
         * the whole frame and on tiles of about {@value #BOX_TILE_SIDE} pixels (768x576 gets 2x2), on
         * detection frames only; each box gets a landmark pass, and the landmarks decide whether it is a
         * person. {@code null} (the default) finds people with the pose detector alone.
         */
        public Builder boxDetector(Path file) {
            this.boxDetectorFile = file;
            return this;
        }

        /** Box-detector score below which a box is not a person; default {@value #DEFAULT_MIN_BOX_SCORE}. */
        public Builder minBoxScore(float score) {
            if (!(score > 0f && score <= 1f)) {
                throw InvalidConfigException.of("minBoxScore", score, "must be in (0, 1]");
            }
            this.minBoxScore = score;
            return this;
        }

        /**
         * Runs the detector again after this many frames to find people who entered; default 10. 1 runs it
         * on every frame (no tracking shortcut, the most detector calls).
         */
        public Builder detectEvery(int frames) {
            this.detectEvery = InvalidConfigException.requireInRange("detectEvery", frames, 1, 10_000);
            return this;
        }

        /**
         * Also runs the detector on a grid of overlapping tiles (after the whole frame), so that people too
         * small for the whole-frame view are found: the detector sees a 224x224 picture and needs a face of
         * a few pixels in it. 1x1 looks at the whole frame only (enough where people are a third of the
         * frame tall or more). Costs one detector pass per tile, on detection frames only. The default is
         * {@link #autoDetectorTiles()}.
         */
        public Builder detectorTiles(int columns, int rows) {
            InvalidConfigException.requireInRange("detectorTiles.columns", columns, 1, 8);
            InvalidConfigException.requireInRange("detectorTiles.rows", rows, 1, 8);
            this.tileColumns = columns;
            this.tileRows = rows;
            return this;
        }

        /**
         * Chooses the detector tiles from each frame's size: tiles of about {@value #AUTO_TILE_SIDE} pixels,
         * at most 6x4 (768x576 gets 4x3, 1920x1080 gets 6x4, 320x240 gets 2x2). The default.
         */
        public Builder autoDetectorTiles() {
            this.tileColumns = AUTO_TILES;
            this.tileRows = AUTO_TILES;
            return this;
        }

        /** Most people followed in one frame; default 10. */
        public Builder maxPeople(int people) {
            this.maxPeople = InvalidConfigException.requireInRange("maxPeople", people, 1, 100);
            return this;
        }

        /**
         * Loads both models.
         *
         * @throws ModelNotFoundException if a model file does not exist
         * @throws dev.juggler.JugglerException if a file is not the model it should be or TFLite cannot load it
         */
        public MultiPersonBlazePose build() {
            List<Path> files = new ArrayList<>(List.of(landmarkFile, detectorFile));
            if (boxDetectorFile != null) {
                files.add(boxDetectorFile);
            }
            for (Path file : files) {
                if (!Files.isRegularFile(file)) {
                    throw new ModelNotFoundException("pose model " + file + " does not exist; run "
                            + PoseModels.SETUP_COMMAND + " or pass another path");
                }
            }
            return new MultiPersonBlazePose(this);
        }
    }
}
