package dev.juggler.slurm.ssh;

import com.jcraft.jsch.AgentIdentityRepository;
import com.jcraft.jsch.Channel;
import com.jcraft.jsch.ChannelDirectTCPIP;
import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Proxy;
import com.jcraft.jsch.SSHAgentConnector;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SftpATTRS;
import com.jcraft.jsch.SftpException;
import com.jcraft.jsch.SftpProgressMonitor;
import com.jcraft.jsch.SocketFactory;
import com.jcraft.jsch.UnixDomainSocketFactory;
import com.jcraft.jsch.UserInfo;
import dev.juggler.JugglerException;
import dev.juggler.UnavailableException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Vector;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSch implementation of {@link SshClient}: one {@link Session}, opened lazily under a lock and
 * reopened when it is found broken; every command or SFTP use takes one of a fixed number of permits
 * for its channel. Thread-safe.
 */
final class JschSshClient implements SshClient {

    private static final Logger LOG = LoggerFactory.getLogger(JschSshClient.class);
    /** Stdout beyond this is an error rather than an OutOfMemoryError. */
    private static final int MAX_OUTPUT_BYTES = 64 << 20;
    /** Ciphers with hardware support in the JDK first: they decide the upload throughput. */
    private static final String CIPHERS =
            "aes128-gcm@openssh.com,aes256-gcm@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,chacha20-poly1305@openssh.com";

    private final SshConfig config;
    private final JSch jsch;
    private final Semaphore channels;
    private final JschSshClient jump;
    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private Session session;
    private volatile boolean closed;
    private final AtomicReference<Instant> since = new AtomicReference<>();
    private final RemoteFiles files = new Files0();

    JschSshClient(SshConfig config) {
        this.config = config;
        this.channels = new Semaphore(config.maxChannels(), true);
        this.jump = config.jumpHost().map(JschSshClient::new).orElse(null);
        this.jsch = new JSch();
        try {
            if (Files.exists(config.knownHosts())) {
                jsch.setKnownHosts(config.knownHosts().toString());
            }
            jsch.setHostKeyRepository(new VerifyingRepository(jsch.getHostKeyRepository(), config));
            if (!config.identities().isEmpty()) {
                for (Path key : config.identities()) {
                    byte[] pass = config.passphraseCopy();
                    try {
                        jsch.addIdentity(key.toString(), pass);
                    } finally {
                        if (pass != null) {
                            Arrays.fill(pass, (byte) 0);
                        }
                    }
                }
            } else if (config.useAgent()) {
                jsch.setIdentityRepository(new AgentIdentityRepository(new SSHAgentConnector(new UnixDomainSocketFactory())));
            }
        } catch (JSchException | com.jcraft.jsch.AgentProxyException e) {
            // JSch's messages name the file, never the passphrase.
            throw new SshRefusedException("cannot load the SSH keys for " + config.target() + " (wrong passphrase, or "
                    + "an unsupported key format?): " + e.getMessage(), null);
        }
    }

    @Override
    public String target() {
        return config.target();
    }

    @Override
    public Optional<Instant> unavailableSince() {
        return Optional.ofNullable(since.get());
    }

    @Override
    public RemoteFiles files() {
        return files;
    }

    @Override
    public ExecResult exec(RemoteCommand command) {
        Duration timeout = command.timeout().orElse(config.commandTimeout());
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        acquire(deadline, command);
        ChannelExec channel = null;
        try {
            channel = (ChannelExec) openChannel("exec");
            channel.setCommand(command.commandLine().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            // JSch's session thread writes both streams straight into these buffers: no pipes, whose
            // fixed buffers and reader/writer thread checks stall large outputs.
            BoundedBuffer stdout = new BoundedBuffer();
            BoundedBuffer err = new BoundedBuffer();
            channel.setOutputStream(stdout, true);
            channel.setErrStream(err, true);
            OutputStream in = null;
            Optional<byte[]> stdin = command.stdin();
            if (stdin.isPresent()) {
                in = channel.getOutputStream();
            } else {
                channel.setInputStream(null);
            }
            channel.connect(millis(config.connectTimeout()));
            if (in != null) {
                writeAndClose(in, stdin.get()); // small (RemoteCommand caps it): fits the channel window
            }
            long pause = 50_000; // ns; grows to 5 ms while the command runs
            while (!channel.isClosed()) {
                if (stdout.overflow || err.overflow) {
                    throw new JugglerException(command + " on " + target() + " wrote more than " + MAX_OUTPUT_BYTES
                            + " bytes", false, null);
                }
                if (!channel.getSession().isConnected()) {
                    throw broken(command + ": the connection to " + target() + " broke while it ran", null);
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new UnavailableException(command + " on " + target() + " did not finish within " + timeout
                            + "; its channel was closed", since.get(), null);
                }
                LockSupport.parkNanos(pause);
                pause = Math.min(pause * 2, 5_000_000);
            }
            since.set(null);
            return new ExecResult(channel.getExitStatus(), stdout.toByteArray(), err.toByteArray(),
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (JSchException | IOException e) {
            throw broken(command + " on " + target() + " failed: " + e.getMessage(), e);
        } finally {
            if (channel != null) {
                channel.disconnect();
            }
            channels.release();
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (session != null) {
                session.disconnect();
                session = null;
            }
        }
        if (jump != null) {
            jump.close();
        }
        LOG.debug("SSH client for {} closed", target());
    }

    @Override
    public String toString() {
        return "SshClient[" + target() + "]";
    }

    // ---------------------------------------------------------------------------------------------

    private void acquire(long deadline, Object what) {
        try {
            if (!channels.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new UnavailableException("all " + config.maxChannels() + " channels to " + target()
                        + " stayed busy; " + what + " gave up", since.get(), null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while waiting for a channel to " + target(), since.get(), e);
        }
    }

    /** Opens a channel, reconnecting once if the session turns out to be dead (nothing ran yet). */
    private Channel openChannel(String type) throws JSchException {
        Session s = session();
        try {
            return s.openChannel(type);
        } catch (JSchException e) {
            LOG.info("SSH session to {} is down ({}); reconnecting", target(), e.getMessage());
            invalidate(s);
            return session().openChannel(type);
        }
    }

    Session session() {
        synchronized (lock) {
            if (closed) {
                throw new JugglerException("the SSH client for " + target() + " is closed", false, null);
            }
            if (session != null && session.isConnected()) {
                return session;
            }
            if (session != null) {
                session.disconnect();
                session = null;
            }
            try {
                session = connect();
                since.set(null);
                return session;
            } catch (JSchException e) {
                throw translate(e);
            }
        }
    }

    private void invalidate(Session s) {
        synchronized (lock) {
            if (session == s) {
                session.disconnect();
                session = null;
            }
        }
    }

    private Session connect() throws JSchException {
        Session s = jsch.getSession(config.user(), config.host(), config.port());
        s.setConfig("StrictHostKeyChecking", "yes"); // the repository decides; never JSch's prompt logic
        s.setConfig("PreferredAuthentications", "publickey");
        s.setConfig("cipher.c2s", CIPHERS);
        s.setConfig("cipher.s2c", CIPHERS);
        s.setUserInfo(new NoPrompts());
        if (!config.keepAlive().isZero()) {
            s.setServerAliveInterval(millis(config.keepAlive()));
            s.setServerAliveCountMax(3);
        }
        if (jump != null) {
            s.setProxy(new JumpProxy(jump));
        }
        long t0 = System.nanoTime();
        s.connect(millis(config.connectTimeout()));
        LOG.info("SSH connected to {} in {} ms", target(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        return s;
    }

    private JugglerException translate(JSchException e) {
        String msg = String.valueOf(e.getMessage());
        if (msg.startsWith("UnknownHostKey") || msg.contains("HostKey has been changed") || msg.startsWith("reject HostKey")) {
            return new SshRefusedException("the host key of " + target() + " is not accepted by " + config.knownHosts()
                    + (msg.contains("changed") ? " (it CHANGED: possible man-in-the-middle)" : " (unknown host; add it to "
                            + "known_hosts, or allow new keys explicitly with acceptNewHostKeys)") + ": " + msg, e);
        }
        if (msg.contains("Auth fail") || msg.contains("Auth cancel")) {
            return new SshRefusedException("login as " + config.user() + " to " + target() + " was refused (no accepted key)", e);
        }
        Instant first = markFailing();
        return new UnavailableException("cannot reach " + target() + " (unavailable since " + first + "): " + msg, first, e);
    }

    private UnavailableException broken(String message, Throwable cause) {
        synchronized (lock) {
            if (session != null && !session.isConnected()) {
                session.disconnect();
                session = null;
            }
        }
        if (cause instanceof JugglerException je) {
            throw je;
        }
        Instant first = markFailing();
        return new UnavailableException(message, first, cause);
    }

    private Instant markFailing() {
        Instant now = config.clock().instant();
        since.compareAndSet(null, now);
        Instant first = since.get();
        return first == null ? now : first;
    }

    /** A thread-safe byte buffer that stops growing (and flags it) beyond {@link #MAX_OUTPUT_BYTES}. */
    private static final class BoundedBuffer extends ByteArrayOutputStream {
        volatile boolean overflow;

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            if (count + len > MAX_OUTPUT_BYTES) {
                overflow = true;
                return;
            }
            super.write(b, off, len);
        }

        @Override
        public synchronized void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }
    }

    private static void writeAndClose(OutputStream out, byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        out.close(); // EOF: sbatch and sh read to the end of their input
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }

    <T> T withSftp(String what, SftpWork<T> work) {
        long deadline = System.nanoTime() + config.commandTimeout().toNanos();
        acquire(deadline, what);
        ChannelSftp sftp = null;
        try {
            sftp = (ChannelSftp) openChannel("sftp");
            sftp.connect(millis(config.connectTimeout()));
            sftp.setBulkRequests(64); // many writes in flight: throughput close to scp's
            T result = work.run(sftp);
            since.set(null);
            return result;
        } catch (SftpException e) {
            throw new JugglerException("SFTP " + what + " on " + target() + " failed: " + e.getMessage() + " (code "
                    + e.id + ")", true, e);
        } catch (JSchException | IOException e) {
            throw broken("SFTP " + what + " on " + target() + " failed: " + e.getMessage(), e);
        } finally {
            if (sftp != null) {
                sftp.disconnect();
            }
            channels.release();
        }
    }

    @FunctionalInterface
    interface SftpWork<T> {
        T run(ChannelSftp sftp) throws SftpException, IOException, JSchException;
    }

    /** SFTP file operations; each takes one channel for its duration. */
    private final class Files0 implements RemoteFiles {
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
                ExecResult r = exec(RemoteCommand.of("mv", "-f", "--", from, to));
                if (!r.ok()) {
                    throw new JugglerException("cannot rename " + from + " to " + to + " on " + target() + ": "
                            + r.err().trim(), true, null);
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

    /**
     * known_hosts verification with OpenSSH's accept-new semantics as an explicit option: an unknown key
     * is added only when allowed; a changed key is always refused.
     */
    private static final class VerifyingRepository implements HostKeyRepository {
        private final HostKeyRepository known;
        private final SshConfig config;

        VerifyingRepository(HostKeyRepository known, SshConfig config) {
            this.known = known;
            this.config = config;
        }

        @Override
        public int check(String host, byte[] key) {
            int result = known.check(host, key);
            if (result == NOT_INCLUDED && config.acceptNewHostKeys()) {
                try {
                    HostKey hk = new HostKey(host, key);
                    known.add(hk, null);
                    LOG.warn("accepted the NEW host key of {} ({} {}) and added it to {}", host, hk.getType(),
                            hk.getFingerPrint(new JSch()), config.knownHosts());
                    // JSch rewrites a known_hosts file it loaded itself; only a file that did not exist yet
                    // is ours to create, or the key would be recorded twice.
                    boolean jschWritesFile = known.getKnownHostsRepositoryID() != null && Files.exists(config.knownHosts());
                    if (!jschWritesFile) {
                        Path parent = config.knownHosts().toAbsolutePath().getParent();
                        if (parent != null) {
                            Files.createDirectories(parent);
                        }
                        Files.writeString(config.knownHosts(), hk.getHost() + " " + hk.getType() + " " + hk.getKey()
                                + System.lineSeparator(), java.nio.file.StandardOpenOption.CREATE,
                                java.nio.file.StandardOpenOption.APPEND);
                    }
                    return OK;
                } catch (JSchException | IOException e) {
                    LOG.warn("could not record the new host key of {} in {}: {}", host, config.knownHosts(), e.toString());
                    return OK;
                }
            }
            return result;
        }

        @Override
        public void add(HostKey hostkey, UserInfo ui) {
            // Only check() adds, and only with acceptNewHostKeys: JSch itself never writes here.
        }

        @Override
        public void remove(String host, String type) {
        }

        @Override
        public void remove(String host, String type, byte[] key) {
        }

        @Override
        public String getKnownHostsRepositoryID() {
            return known.getKnownHostsRepositoryID();
        }

        @Override
        public HostKey[] getHostKey() {
            return known.getHostKey();
        }

        @Override
        public HostKey[] getHostKey(String host, String type) {
            return known.getHostKey(host, type);
        }
    }

    /** Answers every prompt with "no": nothing interactive may happen in a library. */
    private static final class NoPrompts implements UserInfo {
        @Override
        public String getPassphrase() {
            return null;
        }

        @Override
        public String getPassword() {
            return null;
        }

        @Override
        public boolean promptPassword(String message) {
            return false;
        }

        @Override
        public boolean promptPassphrase(String message) {
            return false;
        }

        @Override
        public boolean promptYesNo(String message) {
            return false;
        }

        @Override
        public void showMessage(String message) {
        }
    }

    /** ProxyJump: the TCP stream to the target is a direct-tcpip channel of the jump host's session. */
    private static final class JumpProxy implements Proxy {
        private final JschSshClient via;
        private ChannelDirectTCPIP channel;
        private InputStream in;
        private OutputStream out;

        JumpProxy(JschSshClient via) {
            this.via = via;
        }

        @Override
        public void connect(SocketFactory factory, String host, int port, int timeout) throws Exception {
            channel = (ChannelDirectTCPIP) via.session().openChannel("direct-tcpip");
            channel.setHost(host);
            channel.setPort(port);
            in = channel.getInputStream();
            out = channel.getOutputStream();
            channel.connect(timeout);
        }

        @Override
        public InputStream getInputStream() {
            return in;
        }

        @Override
        public OutputStream getOutputStream() {
            return out;
        }

        @Override
        public Socket getSocket() {
            return null;
        }

        @Override
        public void close() {
            if (channel != null) {
                channel.disconnect();
            }
        }
    }
}
