package dev.juggler.inference.internal;

import dev.juggler.JugglerException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Loads TFLite's JNI library ({@code libtensorflowlite_jni.so} from the {@code tflite-native-cpu} jar)
 * once per class loader. The {@code org.tensorflow.lite} classes bundled in DJL's engine jar do not load
 * it themselves (DJL's engine does, and we do not use DJL's engine because it creates interpreters
 * without XNNPACK), so this extracts it to a versioned cache folder and {@code System.load}s it.
 *
 * <p>Thread-safe.
 */
public final class TfLiteNatives {

    private static final String RESOURCE = "native/lib/libtensorflowlite_jni.so";
    private static final String VERSION_RESOURCE = "native/lib/tflite.properties";
    private static final Object LOCK = new Object();
    private static volatile boolean loaded;

    private TfLiteNatives() {
    }

    /**
     * Makes sure the native library is loaded.
     *
     * @throws JugglerException (permanent) if the native jar is missing or the library cannot be loaded
     */
    public static void load() {
        if (loaded) {
            return;
        }
        synchronized (LOCK) {
            if (loaded) {
                return;
            }
            ClassLoader loader = TfLiteNatives.class.getClassLoader();
            try (InputStream lib = loader.getResourceAsStream(RESOURCE)) {
                if (lib == null) {
                    throw new JugglerException("TFLite native library " + RESOURCE + " is not on the class path; add "
                            + "ai.djl.tflite:tflite-native-cpu:2.6.2:linux-x86_64 (only linux-x86_64 is supported)");
                }
                Path dir = cacheDir().resolve("tflite-" + version(loader));
                Path target = dir.resolve("libtensorflowlite_jni.so");
                if (!Files.isRegularFile(target)) {
                    Files.createDirectories(dir);
                    // Another process may extract at the same time: write privately, then rename.
                    Path tmp = Files.createTempFile(dir, "libtensorflowlite_jni", ".tmp");
                    try {
                        Files.copy(lib, tmp, StandardCopyOption.REPLACE_EXISTING);
                        try {
                            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                        } catch (AtomicMoveNotSupportedException e) {
                            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                        }
                    } finally {
                        Files.deleteIfExists(tmp); // gone after the move; left behind only by a failed copy
                    }
                }
                System.load(target.toAbsolutePath().toString());
                loaded = true;
            } catch (IOException | UnsatisfiedLinkError e) {
                throw JugglerException.permanentFailure("cannot load the TFLite native library: " + e, e);
            }
        }
    }

    private static String version(ClassLoader loader) throws IOException {
        try (InputStream in = loader.getResourceAsStream(VERSION_RESOURCE)) {
            if (in == null) {
                return "unknown";
            }
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version", "unknown").replaceAll("[^A-Za-z0-9._-]", "_");
        }
    }

    private static Path cacheDir() {
        String configured = System.getenv("JUGGLER_NATIVE_CACHE");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "juggler", "native");
    }
}
