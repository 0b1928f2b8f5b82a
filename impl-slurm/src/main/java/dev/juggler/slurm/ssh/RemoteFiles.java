package dev.juggler.slurm.ssh;

import java.io.InputStream;
import java.util.List;
import java.util.OptionalLong;

/**
 * File operations on the remote host over SFTP, each on a channel of the owning {@link SshClient}.
 * Paths are remote paths, absolute or relative to the login directory; they are SFTP arguments and
 * never pass through a shell. Thread-safe.
 */
public interface RemoteFiles {

    /** A remote directory entry (regular files only). */
    record Entry(String name, long size) { }

    /** Progress of a write: called with the total bytes of the remote file written so far. */
    @FunctionalInterface
    interface Progress {
        void bytesWritten(long total);
    }

    /** The size of a regular file, or empty if there is none at {@code path}. */
    OptionalLong size(String path);

    /**
     * Writes {@code source} to {@code path}. With {@code append} the bytes are added after the file's
     * current end (the resume of an interrupted upload); otherwise the file is truncated first.
     * Returns the number of bytes written by this call.
     */
    long write(InputStream source, String path, boolean append, Progress progress);

    /** Renames, replacing an existing target atomically where the server supports it (POSIX rename). */
    void rename(String from, String to);

    /** Removes a file; a missing file is ignored. Returns {@code true} if one was removed. */
    boolean remove(String path);

    /** The regular files in {@code dir}; empty if it does not exist. */
    List<Entry> list(String dir);

    /** Creates the directory and its parents if missing. */
    void mkdirs(String dir);
}
