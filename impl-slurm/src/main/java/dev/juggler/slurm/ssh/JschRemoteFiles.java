package dev.juggler.slurm.ssh;

import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.SftpATTRS;
import com.jcraft.jsch.SftpException;
import com.jcraft.jsch.SftpProgressMonitor;
import dev.juggler.JugglerException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Vector;

/**
 * The SFTP {@link RemoteFiles} of a {@link JschConnection}: each operation takes one channel permit and one
 * SFTP channel for its duration. A rename that plain SFTP v3 refuses (an existing target) falls back to
 * {@code mv -f} on an exec channel, after the SFTP channel is released. Thread-safe.
 */
final class JschRemoteFiles implements RemoteFiles {

    private final JschConnection connection;
    private final JschExec exec;

    JschRemoteFiles(JschConnection connection, JschExec exec) {
        this.connection = connection;
        this.exec = exec;
    }

    @Override
    public OptionalLong size(String path) {
        return withSftp("stat " + path, sftp -> {
            try {
                SftpATTRS attrs = sftp.stat(path);
                return attrs.isReg() ? OptionalLong.of(attrs.getSize()) : OptionalLong.empty();
            } catch (SftpException e) {
                if (e.id == ChannelSftp.SSH_FX_NO_SUCH_FILE) {
                    return OptionalLong.empty();
                }
                throw e;
            }
        });
    }

    @Override
    public long write(InputStream source, String path, boolean append, Progress progress) {
        return withSftp("write " + path, sftp -> {
            long base = 0;
            if (append) {
                try {
                    base = sftp.stat(path).getSize();
                } catch (SftpException e) {
                    if (e.id != ChannelSftp.SSH_FX_NO_SUCH_FILE) {
                        throw e;
                    }
                }
            }
            CountingMonitor monitor = new CountingMonitor(base, progress);
            sftp.put(source, path, monitor, append ? ChannelSftp.APPEND : ChannelSftp.OVERWRITE);
            return monitor.written;
        });
    }

    @Override
    public void rename(String from, String to) {
        boolean renamed = withSftp("rename " + from, sftp -> {
            try {
                sftp.rename(from, to);
                return true;
            } catch (SftpException e) {
                return false;
            }
        });
        if (!renamed) {
            // Plain SFTP v3 rename refuses an existing target; rename(2) replaces it atomically.
            // Run after the SFTP channel is released, so a one-channel client cannot deadlock.
            ExecResult r = exec.run(RemoteCommand.of("mv", "-f", "--", from, to));
            if (!r.ok()) {
                throw JugglerException.transientFailure("cannot rename " + from + " to " + to + " on " + connection.target() + ": "
                        + r.err().trim(), null);
            }
        }
    }

    @Override
    public boolean remove(String path) {
        return withSftp("remove " + path, sftp -> {
            try {
                sftp.rm(path);
                return true;
            } catch (SftpException e) {
                if (e.id == ChannelSftp.SSH_FX_NO_SUCH_FILE) {
                    return false;
                }
                throw e;
            }
        });
    }

    @Override
    public List<Entry> list(String dir) {
        return withSftp("list " + dir, sftp -> {
            List<Entry> entries = new ArrayList<>();
            Vector<ChannelSftp.LsEntry> all;
            try {
                all = sftp.ls(dir);
            } catch (SftpException e) {
                if (e.id == ChannelSftp.SSH_FX_NO_SUCH_FILE) {
                    return entries;
                }
                throw e;
            }
            for (ChannelSftp.LsEntry e : all) {
                if (e.getAttrs().isReg()) {
                    entries.add(new Entry(e.getFilename(), e.getAttrs().getSize()));
                }
            }
            return entries;
        });
    }

    @Override
    public void mkdirs(String dir) {
        withSftp("mkdirs " + dir, sftp -> {
            String[] parts = dir.split("/");
            StringBuilder path = new StringBuilder(dir.startsWith("/") ? "/" : "");
            for (String p : parts) {
                if (p.isEmpty()) {
                    continue;
                }
                path.append(p);
                String current = path.toString();
                try {
                    sftp.stat(current);
                } catch (SftpException e) {
                    if (e.id != ChannelSftp.SSH_FX_NO_SUCH_FILE) {
                        throw e;
                    }
                    try {
                        sftp.mkdir(current);
                    } catch (SftpException race) {
                        sftp.stat(current); // created by someone else meanwhile: fine
                    }
                }
                path.append('/');
            }
            return null;
        });
    }

    private <T> T withSftp(String what, SftpWork<T> work) {
        long deadline = System.nanoTime() + connection.config().commandTimeout().toNanos();
        connection.acquire(deadline, what);
        ChannelSftp sftp = null;
        try {
            sftp = (ChannelSftp) connection.openChannel("sftp");
            sftp.connect(JschConnection.millis(connection.config().connectTimeout()));
            sftp.setBulkRequests(64); // many writes in flight: throughput close to scp's
            T result = work.run(sftp);
            connection.answered();
            return result;
        } catch (SftpException e) {
            throw JugglerException.transientFailure("SFTP " + what + " on " + connection.target() + " failed: " + e.getMessage() + " (code "
                    + e.id + ")", e);
        } catch (JSchException | IOException e) {
            throw connection.broken("SFTP " + what + " on " + connection.target() + " failed: " + e.getMessage(), e);
        } finally {
            if (sftp != null) {
                sftp.disconnect();
            }
            connection.release();
        }
    }

    @FunctionalInterface
    private interface SftpWork<T> {
        T run(ChannelSftp sftp) throws SftpException, IOException, JSchException;
    }

    private static final class CountingMonitor implements SftpProgressMonitor {
        private final long base;
        private final RemoteFiles.Progress progress;
        long written;

        CountingMonitor(long base, RemoteFiles.Progress progress) {
            this.base = base;
            this.progress = progress;
        }

        @Override
        public void init(int op, String src, String dest, long max) {
        }

        @Override
        public boolean count(long count) {
            written += count;
            if (progress != null) {
                progress.bytesWritten(base + written);
            }
            return !Thread.currentThread().isInterrupted(); // false stops the transfer
        }

        @Override
        public void end() {
        }
    }
}
