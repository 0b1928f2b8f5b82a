package dev.juggler.stage;

import dev.juggler.InvalidConfigException;
import dev.juggler.video.Video;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The embedded default {@link VideoStager}: the workspace is a local directory with a byte budget, and
 * sources are local files (a path, or a {@code file:} URI).
 *
 * <h2>Behaviour</h2>
 * This is the {@link StagingProtocol} over a local directory, so everything that protocol describes
 * holds here: the reservation against the budget before a transfer starts, the resumable
 * {@code <name>.part}, the size and SHA-256 check, the atomic rename, the file names
 * ({@code <enc(id)>.v.<ext>}) and the reconciliation by {@link #list()}. Locally, the copy is forced to
 * disk before it is renamed and the rename is made durable by an fsync of the directory. The workspace
 * must be on a case-sensitive file system.
 *
 * <p>Thread-safety: all methods may be called from any thread; staging blocks the calling thread, and
 * several videos may be staged at once (see {@link StagingProtocol}). This class assumes it is the only
 * stager writing into its workspace.
 */
public final class LocalVideoStager implements VideoStager {

    /** Default for {@link Builder#parallelTransfers(int)}: 2. */
    public static final int DEFAULT_PARALLEL_TRANSFERS = StagingProtocol.DEFAULT_PARALLEL_TRANSFERS;

    /** The longest encoded video id accepted, in bytes (the file name adds at most 19 more). */
    public static final int MAX_ENCODED_ID_BYTES = StagingProtocol.MAX_ENCODED_ID_BYTES;

    /** How long {@link #close()} waits for transfers in progress to stop, in milliseconds. */
    public static final long CLOSE_WAIT_MILLIS = StagingProtocol.CLOSE_WAIT_MILLIS;

    private final Path workspace;
    private final StagingProtocol protocol;

    private LocalVideoStager(Path workspace, StagingProtocol protocol) {
        this.workspace = workspace;
        this.protocol = protocol;
    }

    /**
     * A builder for a stager over {@code workspace} (created if missing; made absolute).
     *
     * @throws InvalidConfigException if {@code workspace} is null
     */
    public static Builder builder(Path workspace) {
        return new Builder(workspace);
    }

    /** The workspace directory (absolute). */
    public Path workspace() {
        return workspace;
    }

    @Override
    public StagedVideo stage(Video video, StageListener listener) {
        return protocol.stage(video, listener);
    }

    @Override
    public void purge(String videoId) {
        protocol.purge(videoId);
    }

    @Override
    public WorkspaceUsage usage() {
        return protocol.usage();
    }

    @Override
    public List<StagedVideo> list() {
        return protocol.list();
    }

    /** See {@link StagingProtocol#close()}; waits up to {@value #CLOSE_WAIT_MILLIS} ms. Idempotent. */
    @Override
    public void close() {
        protocol.close();
    }

    @Override
    public String toString() {
        return "LocalVideoStager[" + workspace + "]";
    }

    /** The id stored under a complete file name, or empty for a foreign name. */
    static Optional<String> idOf(String fileName) {
        return StagingProtocol.videoIdOf(fileName);
    }

    /** The file name under which a video with this id and source file name is stored. */
    static String fileNameOf(String id, String sourceFileName) {
        return StagingProtocol.fileNameOf(id, sourceFileName);
    }

    /**
     * Configures a {@link LocalVideoStager}; every setter checks its value and names the field in the
     * {@link InvalidConfigException} it throws. Not thread-safe.
     */
    public static final class Builder {
        private final Path workspace;
        private final StagingProtocol.Builder protocol;

        private Builder(Path workspace) {
            if (workspace == null) {
                throw InvalidConfigException.of("workspace", null, "must be a directory path");
            }
            this.workspace = workspace.toAbsolutePath().normalize();
            this.protocol = StagingProtocol.builder();
        }

        /** The most bytes staged videos and transfers in progress may take, {@code >= 1}. Required. */
        public Builder budgetBytes(long bytes) {
            protocol.budgetBytes(bytes);
            return this;
        }

        /** How many copies may run at once, {@code >= 1}; default {@value LocalVideoStager#DEFAULT_PARALLEL_TRANSFERS}. */
        public Builder parallelTransfers(int n) {
            protocol.parallelTransfers(n);
            return this;
        }

        /**
         * Builds the stager, creating the workspace directory if needed.
         *
         * @throws InvalidConfigException if the budget was not set or the workspace is not a directory
         */
        public LocalVideoStager build() {
            StagingProtocol built = protocol.build(new LocalTransport(workspace));
            try {
                Files.createDirectories(workspace);
            } catch (IOException e) {
                throw InvalidConfigException.of("workspace", workspace, "must be a directory that can be created: " + e);
            }
            if (!Files.isDirectory(workspace) || !Files.isWritable(workspace)) {
                throw InvalidConfigException.of("workspace", workspace, "must be a writable directory");
            }
            return new LocalVideoStager(workspace, built);
        }
    }
}
