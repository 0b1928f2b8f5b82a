package dev.juggler.samples.deploy;

import dev.juggler.JugglerException;
import dev.juggler.slurm.ssh.ExecResult;
import dev.juggler.slurm.ssh.RemoteCommand;
import dev.juggler.slurm.ssh.SshClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One deployed release: its id, its java argument file and the deployed model, as recorded on the cluster in
 * {@code DIR/releases/ID.release} and copied to {@code DIR/current}. The id is the first 16 hex digits of the
 * SHA-256 of the argument file's text and the model line, so the same files deployed to the same directory are
 * always the same release. Immutable and thread-safe.
 *
 * <p>The record's text, one {@code key=value} a line ({@code #} lines are comments):
 * <pre>
 * release=ID
 * args=DIR/releases/ID.args
 * model=DIR/cas/SHA256-pose_landmark_lite.tflite     (only when a model was deployed)
 * detector=DIR/cas/SHA256-pose_detection.tflite     (only when the person detector was deployed)
 * boxDetector=DIR/cas/SHA256-object_detection_ssd_mobilenetv2_oidv4_fp16.tflite   (only when the object detector was)
 * files=N
 * </pre>
 *
 * @param id the release id (16 hex digits)
 * @param argsFile the absolute path of its java argument file on the cluster
 * @param model the absolute path of its model on the cluster, if one was deployed
 * @param detector the absolute path of its person detector on the cluster, if one was deployed
 * @param boxDetector the absolute path of its object detector on the cluster, if one was deployed (releases
 *        from before the object detector have none)
 * @param files how many cas files it uses
 */
public record Release(String id, String argsFile, Optional<String> model, Optional<String> detector,
        Optional<String> boxDetector, int files) {

    /** How long reading the record may take. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(20);

    public Release {
        if (!Objects.requireNonNull(id, "id").matches("[0-9a-f]{16}")) {
            throw new IllegalArgumentException("not a release id: " + id);
        }
        Objects.requireNonNull(argsFile, "argsFile");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(boxDetector, "boxDetector");
    }

    /** The release of these cas files (class path in order), model and detectors, in {@code layout}. */
    static Release of(DeployLayout layout, List<String> classPathCasNames, Optional<String> modelCasName,
            Optional<String> detectorCasName, Optional<String> boxDetectorCasName) {
        Optional<String> modelPath = modelCasName.map(layout::casFile);
        Optional<String> detectorPath = detectorCasName.map(layout::casFile);
        Optional<String> boxPath = boxDetectorCasName.map(layout::casFile);
        String id = Artifact.sha256((argsText(layout, classPathCasNames) + modelPath.map(m -> "model=" + m + "\n").orElse("")
                + detectorPath.map(d -> "detector=" + d + "\n").orElse("")
                + boxPath.map(d -> "boxDetector=" + d + "\n").orElse("")).getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        int files = classPathCasNames.size() + (int) Stream.of(modelPath, detectorPath, boxPath).filter(Optional::isPresent).count();
        return new Release(id, layout.argsFile(id), modelPath, detectorPath, boxPath, files);
    }

    /** The java argument file of a class path of cas files: {@code -cp} and the absolute paths joined by {@code :}. */
    static String argsText(DeployLayout layout, List<String> classPathCasNames) {
        List<String> paths = new ArrayList<>();
        classPathCasNames.forEach(n -> paths.add(layout.casFile(n)));
        return "-cp\n" + String.join(":", paths) + "\n";
    }

    /** The record's text (see the class comment). */
    public String text() {
        StringBuilder s = new StringBuilder("# juggler deploy release record\n");
        s.append("release=").append(id).append('\n').append("args=").append(argsFile).append('\n');
        model.ifPresent(m -> s.append("model=").append(m).append('\n'));
        detector.ifPresent(d -> s.append("detector=").append(d).append('\n'));
        boxDetector.ifPresent(d -> s.append("boxDetector=").append(d).append('\n'));
        s.append("files=").append(files).append('\n');
        return s.toString();
    }

    /**
     * Parses a record's text.
     *
     * @throws IllegalArgumentException if it is not a release record
     */
    public static Release parse(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String l = line.trim();
            int eq = l.indexOf('=');
            if (l.isEmpty() || l.startsWith("#") || eq < 0) {
                continue;
            }
            values.put(l.substring(0, eq).trim(), l.substring(eq + 1).trim());
        }
        String id = values.get("release");
        String args = values.get("args");
        if (id == null || args == null || !args.matches("/[A-Za-z0-9_./+@%=,~-]+")) {
            throw new IllegalArgumentException("not a juggler release record (needs release=ID and args=PATH)");
        }
        Optional<String> model = plainPath(values, "model");
        Optional<String> detector = plainPath(values, "detector");
        Optional<String> boxDetector = plainPath(values, "boxDetector");
        int files;
        try {
            files = Integer.parseInt(values.getOrDefault("files", "0"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("files= is not a number");
        }
        return new Release(id, args, model, detector, boxDetector, files);
    }

    private static Optional<String> plainPath(Map<String, String> values, String key) {
        Optional<String> path = Optional.ofNullable(values.get(key));
        if (path.isPresent() && !path.get().matches("/[A-Za-z0-9_./+@%=,~-]+")) {
            throw new IllegalArgumentException(key + "= is not a plain absolute path");
        }
        return path;
    }

    /**
     * The release {@code DIR/current} names, read over SSH; empty when there is none (nothing deployed yet).
     *
     * @throws JugglerException if the file is there but is not a release record
     * @throws dev.juggler.UnavailableException if the cluster does not answer
     */
    public static Optional<Release> readCurrent(SshClient ssh, DeployLayout layout) {
        ExecResult r = ssh.exec(RemoteCommand.of("cat", "--", layout.currentFile()).withTimeout(READ_TIMEOUT));
        if (!r.ok()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(r.out()));
        } catch (IllegalArgumentException e) {
            throw JugglerException.permanentFailure(layout.currentFile() + " on the cluster is damaged (" + e.getMessage()
                    + "); run juggler deploy again", e);
        }
    }

}
