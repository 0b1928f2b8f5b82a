package dev.juggler.samples.deploy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * What one deploy uploads: the class path of this program (in its order) and, when the analysis needs one, the
 * model file. Class folders are packed into deterministic jars in a temporary folder that {@link #close()}
 * deletes. Not thread-safe (made and read by one thread).
 *
 * <p>The class path is {@code java.class.path}: a single jar with a manifest {@code Class-Path} (the installed
 * {@code juggler.jar} with its {@code lib/}, or a test runner's manifest-only jar) is expanded to the jar and
 * its entries; a jar that holds nothing but its manifest is left out (its entries are what matters); entries
 * that do not exist are left out (as the JVM ignores them).
 */
public final class Payload implements AutoCloseable {

    private final List<Artifact> classPath;
    private final Optional<Artifact> model;
    private final Optional<Artifact> detector;
    private final Optional<Artifact> boxDetector;
    private final Path temp;

    private Payload(List<Artifact> classPath, Optional<Artifact> model, Optional<Artifact> detector,
            Optional<Artifact> boxDetector, Path temp) {
        this.classPath = List.copyOf(classPath);
        this.model = model;
        this.detector = detector;
        this.boxDetector = boxDetector;
        this.temp = temp;
    }

    /** This program's runtime class path, plus the model if given. */
    public static Payload current(Optional<Path> model) {
        return current(model, Optional.empty(), Optional.empty());
    }

    /** This program's runtime class path, plus the pose model and the detectors if given. */
    public static Payload current(Optional<Path> model, Optional<Path> detector, Optional<Path> boxDetector) {
        return of(System.getProperty("java.class.path", ""), model, detector, boxDetector);
    }

    /**
     * The files of {@code classPath} (entries separated by the platform's path separator), plus the model.
     *
     * @throws UncheckedIOException if a file cannot be read or a folder cannot be packed
     */
    public static Payload of(String classPath, Optional<Path> model) {
        return of(classPath, model, Optional.empty(), Optional.empty());
    }

    /**
     * The files of {@code classPath} (entries separated by the platform's path separator), plus the pose model,
     * the person detector and the object detector.
     *
     * @throws UncheckedIOException if a file cannot be read or a folder cannot be packed
     */
    public static Payload of(String classPath, Optional<Path> model, Optional<Path> detector, Optional<Path> boxDetector) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(boxDetector, "boxDetector");
        Path temp = null;
        try {
            List<Artifact> artifacts = new ArrayList<>();
            for (Path entry : expand(classPath)) {
                if (Files.isDirectory(entry)) {
                    if (temp == null) {
                        temp = Files.createTempDirectory("juggler-deploy-");
                    }
                    Path jar = temp.resolve(artifacts.size() + "-" + entry.getFileName() + ".jar");
                    DirectoryJar.pack(entry, jar);
                    artifacts.add(Artifact.of(entry.getFileName() + ".jar", jar));
                } else if (Files.isRegularFile(entry)) {
                    artifacts.add(Artifact.of(entry));
                }
            }
            if (artifacts.isEmpty()) {
                throw new IllegalStateException("the class path " + classPath + " holds no jar or class folder to deploy");
            }
            return new Payload(artifacts, model.map(Artifact::of), detector.map(Artifact::of), boxDetector.map(Artifact::of), temp);
        } catch (IOException e) {
            delete(temp);
            throw new UncheckedIOException("cannot prepare the class path for deploying: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            delete(temp);
            throw e;
        }
    }

    /** The class path entries in order, with a single jar's manifest Class-Path expanded. */
    static List<Path> expand(String classPath) throws IOException {
        Set<Path> out = new LinkedHashSet<>();
        List<Path> entries = Stream.of(classPath.split(File.pathSeparator)).filter(s -> !s.isBlank())
                .map(s -> Path.of(s).toAbsolutePath().normalize()).toList();
        for (Path entry : entries) {
            if (entries.size() == 1 && Files.isRegularFile(entry)) {
                List<Path> manifestPath = manifestClassPath(entry);
                if (!manifestPath.isEmpty() && !onlyManifest(entry)) {
                    out.add(entry);
                }
                out.addAll(manifestPath);
                if (manifestPath.isEmpty()) {
                    out.add(entry);
                }
            } else {
                out.add(entry);
            }
        }
        return new ArrayList<>(out);
    }

    private static List<Path> manifestClassPath(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String value = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (value == null || value.isBlank()) {
                return List.of();
            }
            URI base = jar.getParent().toUri();
            List<Path> paths = new ArrayList<>();
            for (String url : value.trim().split("\\s+")) {
                try {
                    paths.add(Path.of(base.resolve(url)).normalize());
                } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
                    // Not a file URL: the JVM would not load it from here either.
                }
            }
            return paths;
        }
    }

    private static boolean onlyManifest(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.stream().allMatch(e -> e.getName().startsWith("META-INF/"));
        }
    }

    /** The class path files, in class path order. */
    public List<Artifact> classPath() {
        return classPath;
    }

    /** The model file, when the analysis needs one from this machine. */
    public Optional<Artifact> model() {
        return model;
    }

    /** The person detector file, when the analysis finds every person and needs it from this machine. */
    public Optional<Artifact> detector() {
        return detector;
    }

    /** The object detector file, when the analysis finds every person and this machine has it. */
    public Optional<Artifact> boxDetector() {
        return boxDetector;
    }

    /** Every file: the class path, then the model and the detectors. */
    public List<Artifact> all() {
        List<Artifact> all = new ArrayList<>(classPath);
        model.ifPresent(all::add);
        detector.ifPresent(all::add);
        boxDetector.ifPresent(all::add);
        return all;
    }

    /** Deletes the packed class folders. */
    @Override
    public void close() {
        delete(temp);
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary folder left behind is harmless.
        }
    }
}
