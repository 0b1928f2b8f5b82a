package dev.juggler.samples.deploy;

import dev.juggler.InvalidConfigException;
import java.util.Objects;

/**
 * Where {@code juggler deploy} puts things under {@code worker.deployDirectory} on the cluster:
 *
 * <pre>
 * DIR/cas/SHA256-NAME         one file per content (a jar, a packed class folder, a model), never changed once there
 * DIR/cas/SHA256-NAME.part    an upload in progress (resumed by appending; verified with sha256sum, then renamed)
 * DIR/releases/ID.args        a java argument file: -cp with the absolute paths of the release's cas files
 * DIR/releases/ID.release     the release record: release=ID, args=PATH, model=PATH (when a model was deployed)
 * DIR/current                 a copy of the newest release record (written atomically); juggler run reads it
 * DIR/current.args            a copy of the newest release's argument file, for starting a worker by hand
 * </pre>
 *
 * The directory must be an absolute path of plain characters (no white space, quotes, backslashes, {@code :}
 * or {@code #}), so that it is safe in a class path and in a java argument file. Immutable and thread-safe.
 */
public final class DeployLayout {

    private final String root;

    private DeployLayout(String root) {
        this.root = root;
    }

    /**
     * The layout under {@code deployDirectory}.
     *
     * @throws InvalidConfigException if the path is not absolute or holds characters a class path cannot carry
     */
    public static DeployLayout of(String deployDirectory) {
        Objects.requireNonNull(deployDirectory, "deployDirectory");
        String d = deployDirectory;
        while (d.length() > 1 && d.endsWith("/")) {
            d = d.substring(0, d.length() - 1);
        }
        if (!d.startsWith("/") || !d.matches("[A-Za-z0-9_./+@%=,~-]+") || d.contains("/../") || d.endsWith("/..")) {
            throw InvalidConfigException.of("worker.deployDirectory", deployDirectory, "must be an absolute path on the "
                    + "cluster made of letters, digits and _ . / + @ % = , ~ - (it goes into a java class path)");
        }
        return new DeployLayout(d);
    }

    /** The deploy directory itself. */
    public String root() {
        return root;
    }

    /** {@code DIR/cas}: the content-addressed files. */
    public String casDirectory() {
        return root + "/cas";
    }

    /** {@code DIR/releases}: the argument files and records of every release. */
    public String releasesDirectory() {
        return root + "/releases";
    }

    /** The cas path of a file of this content and name. */
    public String casFile(String casName) {
        return casDirectory() + "/" + casName;
    }

    /** The argument file of release {@code id}. */
    public String argsFile(String id) {
        return releasesDirectory() + "/" + id + ".args";
    }

    /** The record of release {@code id}. */
    public String releaseFile(String id) {
        return releasesDirectory() + "/" + id + ".release";
    }

    /** {@code DIR/current}: the newest release's record. */
    public String currentFile() {
        return root + "/current";
    }

    /** {@code DIR/current.args}: the newest release's argument file. */
    public String currentArgsFile() {
        return root + "/current.args";
    }

    @Override
    public String toString() {
        return root;
    }
}
