package dev.juggler.samples.deploy;

import dev.juggler.JugglerException;
import dev.juggler.slurm.ssh.ExecResult;
import dev.juggler.slurm.ssh.RemoteCommand;
import dev.juggler.slurm.ssh.RemoteFiles;
import dev.juggler.slurm.ssh.SshClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The content-addressed store under {@code DIR/cas} on the cluster, over one SSH connection: a file goes up to
 * {@code SHA256-NAME.part} (an existing shorter part is resumed by appending), is checked with the cluster's
 * {@code sha256sum} and renamed into place, so a file under its content address is always whole. A file whose
 * address is already there with the right size is skipped, or with {@code verify} hashed on the cluster and
 * replaced when its content is wrong. Thread-safe as far as its SSH client is; meant for one deploy at a time
 * per directory (two at once may both upload a file; the check before the rename keeps the result correct).
 */
public final class CasStore {

    private static final Pattern SUM_LINE = Pattern.compile("^\\\\?([0-9a-f]{64}) [ *](.+)$");

    /** What happened to one file. */
    public enum Outcome {
        /** its content address was there with the right size (not hashed) */
        PRESENT,
        /** its content address was there and {@code sha256sum} confirmed it */
        VERIFIED,
        /** uploaded whole */
        UPLOADED,
        /** an interrupted upload was continued */
        RESUMED,
        /** the file under its content address was wrong (size or content) and was uploaded again */
        REPLACED
    }

    /** Told when bytes start going up for a file, and how many the remote part holds as they do. */
    public interface Listener {
        /** An upload starts; the remote part holds {@code from} bytes already (a resumed upload). */
        void uploading(long from);

        /** The remote part holds {@code total} bytes now (called from the transfer). */
        void bytesWritten(long total);
    }

    /** The outcome and the bytes this deploy sent for one file. */
    public record Put(Outcome outcome, long bytesSent) {
    }

    private final SshClient ssh;
    private final DeployLayout layout;

    public CasStore(SshClient ssh, DeployLayout layout) {
        this.ssh = ssh;
        this.layout = layout;
    }

    /** Creates {@code DIR/cas} and {@code DIR/releases} if missing; returns the cas files there, name to size. */
    public Map<String, Long> prepare() {
        ssh.files().mkdirs(layout.casDirectory());
        ssh.files().mkdirs(layout.releasesDirectory());
        Map<String, Long> present = new HashMap<>();
        for (RemoteFiles.Entry e : ssh.files().list(layout.casDirectory())) {
            present.put(e.name(), e.size());
        }
        return present;
    }

    /**
     * Makes sure {@code a} is under its content address.
     *
     * @param present the cas files found by {@link #prepare()}
     * @param verify hash a file that is already there, and replace it when wrong
     * @param listener told when an upload starts and the bytes of the remote part as they are written
     * @throws JugglerException if the uploaded bytes do not hash to the file's SHA-256 (after one fresh retry)
     */
    public Put put(Artifact a, Map<String, Long> present, boolean verify, Listener listener) {
        String target = layout.casFile(a.casName());
        String part = target + ".part";
        Long have = present.get(a.casName());
        boolean replace = false;
        if (have != null) {
            if (have == a.size() && !verify) {
                return new Put(Outcome.PRESENT, 0);
            }
            if (have == a.size() && a.sha256().equals(sha256(List.of(target)).get(target))) {
                return new Put(Outcome.VERIFIED, 0);
            }
            replace = true; // the rename below replaces it atomically: a running worker never sees it missing
        }
        Long partSize = present.get(a.casName() + ".part");
        long offset = partSize != null && partSize <= a.size() ? partSize : 0;
        listener.uploading(offset);
        long sent = upload(a, part, offset, listener);
        if (!a.sha256().equals(sha256(List.of(part)).get(part))) {
            if (offset == 0) {
                ssh.files().remove(part);
                throw JugglerException.transientFailure("the upload of " + a.name() + " to " + part + " does not have SHA-256 "
                        + a.sha256() + " on the cluster; the connection or the disk corrupts data: run juggler deploy again", null);
            }
            // The part left by an interrupted upload was not a prefix of this file: start over once.
            offset = 0;
            sent += upload(a, part, 0, listener);
            if (!a.sha256().equals(sha256(List.of(part)).get(part))) {
                ssh.files().remove(part);
                throw JugglerException.transientFailure("the upload of " + a.name() + " to " + part + " does not have SHA-256 "
                        + a.sha256() + " on the cluster even when sent whole; run juggler deploy again", null);
            }
        }
        ssh.files().rename(part, target);
        return new Put(replace ? Outcome.REPLACED : offset > 0 ? Outcome.RESUMED : Outcome.UPLOADED, sent);
    }

    private long upload(Artifact a, String part, long offset, Listener listener) {
        try (InputStream in = Files.newInputStream(a.file())) {
            in.skipNBytes(offset);
            ssh.files().write(in, part, offset > 0, listener::bytesWritten);
            return a.size() - offset;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + a.file(), e);
        }
    }

    /**
     * The SHA-256 of remote files by {@code sha256sum} (the paths are arguments, never shell text); a file that
     * cannot be read is missing from the map.
     *
     * @throws JugglerException if {@code sha256sum} is not on the login node
     */
    public Map<String, String> sha256(List<String> paths) {
        Duration limit = Duration.ofSeconds(60 + paths.size() * 30L);
        List<String> argv = new java.util.ArrayList<>(List.of("sha256sum", "--"));
        argv.addAll(paths);
        ExecResult r = ssh.exec(RemoteCommand.of(argv).withTimeout(limit));
        if (r.exitCode() == 127) {
            throw JugglerException.permanentFailure("sha256sum is not on the login node's PATH (GNU coreutils); juggler deploy needs it "
                    + "to verify uploads", null);
        }
        Map<String, String> sums = new HashMap<>();
        for (String line : r.out().split("\n")) {
            Matcher m = SUM_LINE.matcher(line);
            if (m.matches()) {
                sums.put(m.group(2), m.group(1));
            }
        }
        return sums;
    }

    /** Writes a small text file atomically: to a unique temporary name beside it, then renamed over it. */
    public void writeAtomically(String path, String text) {
        String temp = path + ".part-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        try {
            ssh.files().write(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), temp, false, null);
            ssh.files().rename(temp, path);
        } catch (RuntimeException e) {
            try {
                ssh.files().remove(temp);
            } catch (RuntimeException ignored) {
                e.addSuppressed(ignored);
            }
            throw e;
        }
    }
}
