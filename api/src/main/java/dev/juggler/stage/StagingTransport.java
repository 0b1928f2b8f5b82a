package dev.juggler.stage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The few file operations on one workspace directory that {@link StagingProtocol} needs: size, append
 * from an offset, checksum, rename, remove and list. Everything else a {@link VideoStager} must do
 * (reserving against the budget, resuming a {@code .part}, verifying, the atomic rename as the moment a
 * video appears, in-flight tracking, file naming, reconciling with {@link #list()}) is the protocol's,
 * written once. A transport is how a host brings a new kind of workspace (an object store, a
 * shared file system with its own copy tool) without re-implementing those rules.
 *
 * <p>Names are plain file names inside the workspace (no {@code '/'}); the protocol only ever passes
 * names it made, which are safe in any shell. Failures are reported as {@link IOException} (the
 * protocol turns them into transient {@link dev.juggler.JugglerException}s with the video and the
 * workspace in the message) or as a {@link dev.juggler.JugglerException} that already says whether it
 * is transient.
 *
 * <p>Thread-safety: implementations must be thread-safe; the protocol calls them from several staging
 * threads at once, but never twice at once for the same file name.
 */
public interface StagingTransport {

    /**
     * A regular file in the workspace. Immutable and thread-safe.
     *
     * @param name its file name
     * @param sizeBytes its size
     */
    record FileEntry(String name, long sizeBytes) {
    }

    /**
     * The bytes one {@link #append} call must add, handed over by the protocol. Not thread-safe: used
     * by the staging thread that received it.
     */
    interface Upload {

        /**
         * The local source file, for transports that move whole files themselves (such as rsync), when
         * {@link #sourceIsFile()}; otherwise the image folder whose archive {@link #stream()} produces.
         */
        Path source();

        /**
         * Whether {@link #source()} is a file holding exactly the bytes to stage (a video file). {@code false}
         * for an image folder: its {@link ImageFolderArchive} exists only as {@link #stream()}, so a transport
         * that moves whole files must use the stream instead. Default {@code true}.
         */
        default boolean sourceIsFile() {
            return true;
        }

        /** Bytes already in the workspace file; the append starts after them. */
        long offset();

        /** The source's size: the workspace file must end up exactly this long. */
        long size();

        /**
         * The source's bytes from {@link #offset()} to {@link #size()}. Reading it feeds the protocol's
         * checksum; it ends early (end of stream) when the transfer must stop.
         */
        InputStream stream();

        /** {@code true} once the transfer must stop: purged, stager closed, or the thread interrupted. */
        boolean stopRequested();

        /** Reports the workspace file's length so far (absolute, not the bytes of this call). */
        void progress(long bytesInWorkspaceFile);

        /** The video, fit for a log line or message (hostile ids escaped). */
        String label();
    }

    /** Where the workspace is, for messages and logs, e.g. {@code host:/scratch/ws}. */
    String describe();

    /** Where workers read the file {@code name} (a path on the cluster's file system). */
    String location(String name);

    /** The regular files in the workspace, in any order; empty if the directory does not exist yet. */
    List<FileEntry> list() throws IOException;

    /** The size of the regular file {@code name}, or empty if there is none. */
    OptionalLong size(String name) throws IOException;

    /**
     * Appends {@code upload}'s bytes to {@code name} (created if missing, together with the workspace
     * directory) after its first {@link Upload#offset()} bytes, and makes them durable before it
     * returns. Stops early, keeping what was written, when {@link Upload#stopRequested()}; the
     * protocol then reports the stop.
     */
    void append(String name, Upload upload) throws IOException;

    /**
     * The SHA-256 of the file {@code name} as lower-case hex, computed where the file is, or empty if
     * this transport cannot compute one (then only sizes are compared).
     */
    Optional<String> sha256(String name) throws IOException;

    /**
     * Renames {@code from} to {@code to} atomically, replacing {@code to} if it exists, and durably
     * where the file system allows: readers see either the old state or the complete new file.
     */
    void rename(String from, String to) throws IOException;

    /** Removes the file {@code name}; returns {@code false} if there was none. */
    boolean remove(String name) throws IOException;
}
