package dev.juggler.samples.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The {@code workspace:} section: where staged videos wait for workers, with a byte budget. Immutable and
 * thread-safe.
 *
 * @param type {@code local} (a directory on this machine), {@code sftp} or {@code rsync} (a directory on the
 *     cluster, reached over {@code cluster.ssh})
 * @param directory for {@code local} an absolute local path; otherwise an absolute path on the cluster
 * @param budgetBytes the most bytes of videos staged at once
 * @param verifyChecksum compare a SHA-256 of each uploaded file (sftp/rsync)
 */
public record WorkspaceConfig(Type type, String directory, long budgetBytes, boolean verifyChecksum) {

    /** Default {@code workspace.budget}: 100 GB. */
    public static final long DEFAULT_BUDGET_BYTES = 100_000_000_000L;
    /** Default {@code workspace.directory} of a local workspace, relative to the config's folder. */
    public static final String DEFAULT_LOCAL_DIRECTORY = "workspace";

    /** How videos reach the workspace. */
    public enum Type {
        LOCAL, SFTP, RSYNC;

        /** The name in the config. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public WorkspaceConfig {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(directory, "directory");
    }

    /**
     * The directory of a local workspace.
     *
     * @throws IllegalStateException if the workspace is on the cluster
     */
    public Path localDirectory() {
        if (type != Type.LOCAL) {
            throw new IllegalStateException("workspace type " + type.key() + " is on the cluster: " + directory);
        }
        return Path.of(directory);
    }

    static WorkspaceConfig read(Section s, ClusterConfig cluster) {
        List<String> types = List.of("local", "sftp", "rsync");
        String given = s.text("type");
        // An unknown type was reported; reading on as local avoids follow-up errors that only confuse.
        String typeName = s.choice("type", types, given != null ? "local"
                : cluster instanceof ClusterConfig.Slurm ? "sftp" : "local");
        Type type = Type.valueOf(typeName.toUpperCase(Locale.ROOT));
        String directory;
        if (type == Type.LOCAL) {
            directory = s.localPath("directory", s.context.baseDir().resolve(DEFAULT_LOCAL_DIRECTORY).normalize()).toString();
        } else {
            if (!(cluster instanceof ClusterConfig.Slurm)) {
                s.error("type", "`" + typeName + "` reaches the cluster through cluster.ssh; use it with cluster type: "
                        + "slurm, or write type: local");
            }
            directory = s.required("directory", "an absolute path on the cluster, e.g. /scratch/alice/videos");
            if (directory != null && !directory.startsWith("/")) {
                s.error("directory", Section.show(directory) + " is not absolute; write an absolute path on the cluster");
            }
            directory = directory == null ? "/invalid" : directory;
        }
        long budget = s.size("budget", DEFAULT_BUDGET_BYTES, 1);
        boolean verify = s.bool("verifyChecksum", true);
        s.finish();
        return new WorkspaceConfig(type, directory, budget, verify);
    }
}
