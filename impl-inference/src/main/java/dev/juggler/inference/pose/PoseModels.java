package dev.juggler.inference.pose;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Finds the MediaPipe BlazePose landmark models ({@code pose_landmark_lite/full/heavy.tflite} from the npm
 * package {@code @mediapipe/pose@0.5.1675469404}), its person detector ({@code pose_detection.tflite}) and
 * MediaPipe's object detector ({@value #BOX_DETECTOR_FILE}, from {@value #BOX_NPM_PACKAGE}) on this machine.
 * Nothing is ever downloaded at run time.
 *
 * <p>Search order: the path the user gives (a model file, or a folder holding it); else the folder named
 * by the environment variable {@value #ENV_MODEL_DIR}; else the model cache
 * {@code ~/.cache/juggler/models/mediapipe-pose/} that {@code scripts/setup.d/30-pose-model.sh} fills.
 * Files from the cache or the environment folder are checked against the SHA-256 sums recorded in this
 * module; a file the user names explicitly is taken as is (it may be a model of their own).
 * When nothing is found the error says which command gets the models.
 *
 * <p>Stateless and thread-safe.
 */
public final class PoseModels {

    /** The npm package the models come from. */
    public static final String NPM_PACKAGE = "@mediapipe/pose@0.5.1675469404";
    /** Environment variable naming a folder with the model files. */
    public static final String ENV_MODEL_DIR = "JUGGLER_POSE_MODEL_DIR";
    /** The command that fills the model cache, for error messages. */
    public static final String SETUP_COMMAND = "scripts/setup.d/30-pose-model.sh";

    /** MediaPipe's person detector, extracted from the npm package's packed assets by the setup step. */
    public static final String DETECTOR_FILE = "pose_detection.tflite";

    /**
     * MediaPipe's object detector (SSD MobileNetV2 on 24 Open Images classes, one of them "Person"), which the
     * setup step extracts from the packed assets of {@value #BOX_NPM_PACKAGE}; optional.
     */
    public static final String BOX_DETECTOR_FILE = "object_detection_ssd_mobilenetv2_oidv4_fp16.tflite";
    /** The npm package the object detector comes from. */
    public static final String BOX_NPM_PACKAGE = "@mediapipe/objectron@0.4.1675468480";

    private static final String SUMS_RESOURCE = "mediapipe-pose.sha256";

    /** The three model sizes MediaPipe ships; lite is fastest, heavy most accurate. */
    public enum Variant {
        /** {@code pose_landmark_lite.tflite}, 2.8 MB. */
        LITE("pose_landmark_lite.tflite"),
        /** {@code pose_landmark_full.tflite}, 6.4 MB. */
        FULL("pose_landmark_full.tflite"),
        /** {@code pose_landmark_heavy.tflite}, 27.7 MB. */
        HEAVY("pose_landmark_heavy.tflite");

        private final String fileName;

        Variant(String fileName) {
            this.fileName = fileName;
        }

        /** The model's file name in the npm package. */
        public String fileName() {
            return fileName;
        }

        /** Parses {@code lite}, {@code full} or {@code heavy} (any case). */
        public static Variant parse(String name) {
            for (Variant v : values()) {
                if (v.name().equalsIgnoreCase(Objects.requireNonNull(name, "name").trim())) {
                    return v;
                }
            }
            throw new IllegalArgumentException("pose model variant '" + name + "' must be lite, full or heavy");
        }
    }

    private final Function<String, String> env;
    private final Path home;

    private PoseModels(Function<String, String> env, Path home) {
        this.env = env;
        this.home = home;
    }

    /** A locator that reads this process's environment and home folder. */
    public static PoseModels system() {
        return new PoseModels(System::getenv, Path.of(System.getProperty("user.home")));
    }

    /** A locator with an explicit environment and home folder (for tests and embedding hosts). */
    public static PoseModels of(Function<String, String> env, Path home) {
        return new PoseModels(Objects.requireNonNull(env, "env"), Objects.requireNonNull(home, "home"));
    }

    /** The default cache folder under {@code home}. */
    public static Path defaultCacheDir(Path home) {
        return home.resolve(".cache").resolve("juggler").resolve("models").resolve("mediapipe-pose");
    }

    /**
     * The model file for {@code variant}.
     *
     * @param userPath a model file or a folder holding it, or {@code null} to search the defaults
     * @throws ModelNotFoundException if no model is found, naming where it looked and the setup command
     * @throws dev.juggler.JugglerException if a cached model's checksum does not match
     */
    public Path locate(Variant variant, Path userPath) {
        Objects.requireNonNull(variant, "variant");
        return locate(variant.fileName(), "BlazePose model", userPath);
    }

    /**
     * MediaPipe's person detector, {@value #DETECTOR_FILE}, which the setup step extracts from the same
     * npm package; found and verified like the landmark models.
     *
     * @param userPath the detector file or a folder holding it, or {@code null} to search the defaults
     * @throws ModelNotFoundException if it is not found, naming where it looked and the setup command
     * @throws dev.juggler.JugglerException if a cached file's checksum does not match
     */
    public Path locateDetector(Path userPath) {
        return locate(DETECTOR_FILE, "pose detector", userPath);
    }

    /**
     * MediaPipe's object detector, {@value #BOX_DETECTOR_FILE}, if this machine has it: the file
     * {@code userPath} names (or the file of that name in the folder it names), else the file next to
     * {@code nextTo} (the pose detector in use, for instance), else the environment folder or the model
     * cache, verified like the models. Empty when none of them holds it: the box detector is an addition,
     * and people are then found by the pose detector alone.
     *
     * @param userPath the detector file or a folder holding it, or {@code null}
     * @param nextTo a model file whose folder may hold it too, or {@code null}
     * @throws ModelNotFoundException if {@code userPath} is given and does not hold it
     * @throws dev.juggler.JugglerException if a cached file's checksum does not match
     */
    public Optional<Path> locateBoxDetector(Path userPath, Path nextTo) {
        if (userPath != null) {
            return Optional.of(locate(BOX_DETECTOR_FILE, "object detector", userPath));
        }
        Path folder = nextTo == null ? null : Files.isDirectory(nextTo) ? nextTo : nextTo.toAbsolutePath().getParent();
        if (folder != null && Files.isRegularFile(folder.resolve(BOX_DETECTOR_FILE))) {
            return Optional.of(folder.resolve(BOX_DETECTOR_FILE));
        }
        try {
            return Optional.of(locate(BOX_DETECTOR_FILE, "object detector", null));
        } catch (ModelNotFoundException e) {
            return Optional.empty();
        }
    }

    private Path locate(String fileName, String what, Path userPath) {
        if (userPath != null) {
            Path candidate = Files.isDirectory(userPath) ? userPath.resolve(fileName) : userPath;
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
            throw new ModelNotFoundException(what + " " + candidate + " does not exist; pass a "
                    + fileName + " file or a folder holding it, or run " + SETUP_COMMAND
                    + " to get " + NPM_PACKAGE + " with npm");
        }
        String dir = env.apply(ENV_MODEL_DIR);
        Optional<Path> fromEnv = Optional.ofNullable(dir).filter(s -> !s.isBlank()).map(Path::of);
        Path cache = defaultCacheDir(home);
        for (Path folder : fromEnv.isPresent() ? new Path[] {fromEnv.get(), cache} : new Path[] {cache}) {
            Path candidate = folder.resolve(fileName);
            if (Files.isRegularFile(candidate)) {
                verify(candidate, fileName);
                return candidate;
            }
        }
        throw new ModelNotFoundException(what + " " + fileName + " not found in "
                + fromEnv.map(p -> p + " ($" + ENV_MODEL_DIR + ") or ").orElse("") + cache
                + "; get it with: " + SETUP_COMMAND + " (runs `npm pack " + NPM_PACKAGE
                + "` and verifies its checksums), or pass the model's path");
    }

    /** Whether {@link #locate(Variant, Path) locate(variant, null)} would find a model. */
    public boolean isAvailable(Variant variant) {
        try {
            locate(variant, null);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Whether {@link #locateDetector(Path) locateDetector(null)} would find the detector. */
    public boolean isDetectorAvailable() {
        try {
            locateDetector(null);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The recorded SHA-256 (lower-case hex) of a variant's file. */
    public static String expectedSha256(Variant variant) {
        return expectedSha256(variant.fileName());
    }

    private static String expectedSha256(String fileName) {
        String sum = sums().get(fileName);
        if (sum == null) {
            throw new IllegalStateException("no checksum recorded for " + fileName);
        }
        return sum;
    }

    private static void verify(Path file, String fileName) {
        String actual = sha256(file);
        String expected = expectedSha256(fileName);
        if (!actual.equals(expected)) {
            throw dev.juggler.JugglerException.permanentFailure("pose model " + file + " has SHA-256 " + actual + ", expected "
                    + expected + " (" + (BOX_DETECTOR_FILE.equals(fileName) ? BOX_NPM_PACKAGE : NPM_PACKAGE)
                    + "); delete it and run " + SETUP_COMMAND, null);
        }
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static Map<String, String> sums() {
        // The same file drives the setup script's `sha256sum --check`, so the two can never disagree.
        try (InputStream in = PoseModels.class.getResourceAsStream(SUMS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + SUMS_RESOURCE + " is missing from the jar");
            }
            Map<String, String> sums = new java.util.HashMap<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length == 2) {
                    sums.put(parts[1], parts[0]);
                }
            }
            return Map.copyOf(sums);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
