package dev.juggler.slurm.ssh;

import com.jcraft.jsch.AgentIdentityRepository;
import com.jcraft.jsch.Channel;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.SSHAgentConnector;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.UnixDomainSocketFactory;
import com.jcraft.jsch.UserInfo;
import dev.juggler.JugglerException;
import dev.juggler.UnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one JSch {@link Session} of an {@link SshClient}: opened lazily under a lock, reopened when it is found
 * broken, and shared by all channels, of which at most {@link SshConfig#maxChannels()} are open at once (a
 * fair semaphore of permits). It also keeps the start of the current outage and turns JSch's failures into
 * the SDK's: a refused host key or login is an {@link SshRefusedException}, anything else an
 * {@link UnavailableException} dated from the outage's start.
 *
 * <p>Thread-safe: the session is guarded by one lock; channel users hold a permit, not the lock.
 */
final class JschConnection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JschSshClient.class);
    /** Ciphers with hardware support in the JDK first: they decide the upload throughput. */
    private static final String CIPHERS =
            "aes128-gcm@openssh.com,aes256-gcm@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,chacha20-poly1305@openssh.com";

    private final SshConfig config;
    private final JSch jsch;
    private final Semaphore channels;
    private final JschConnection jump;
    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private Session session;
    private volatile boolean closed;
    private final AtomicReference<Instant> since = new AtomicReference<>();

    JschConnection(SshConfig config) {
        this.config = config;
        this.channels = new Semaphore(config.maxChannels(), true);
        this.jump = config.jumpHost().map(JschConnection::new).orElse(null);
        this.jsch = new JSch();
        try {
            if (Files.exists(config.knownHosts())) {
                jsch.setKnownHosts(config.knownHosts().toString());
            }
            jsch.setHostKeyRepository(new KnownHostsVerifier(jsch.getHostKeyRepository(), config));
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

    SshConfig config() {
        return config;
    }

    String target() {
        return config.target();
    }

    Optional<Instant> unavailableSince() {
        return Optional.ofNullable(since.get());
    }

    /** The host answered: the outage, if any, is over. */
    void answered() {
        since.set(null);
    }

    /** Takes a channel permit, waiting until {@code deadline} ({@link System#nanoTime()}) at most. */
    void acquire(long deadline, Object what) {
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

    /** Returns a permit taken by {@link #acquire}. */
    void release() {
        channels.release();
    }

    /** Opens a channel, reconnecting once if the session turns out to be dead (nothing ran yet). */
    Channel openChannel(String type) throws JSchException {
        Session s = session();
        try {
            return s.openChannel(type);
        } catch (JSchException e) {
            LOG.info("SSH session to {} is down ({}); reconnecting", target(), e.getMessage());
            invalidate(s);
            return session().openChannel(type);
        }
    }

    /** The open session, connecting first if there is none or it broke. */
    Session session() {
        synchronized (lock) {
            if (closed) {
                throw JugglerException.permanentFailure("the SSH client for " + target() + " is closed", null);
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

    /**
     * The failure of a channel whose connection may have broken: drops a dead session (the next use reconnects)
     * and dates the outage. A {@link JugglerException} cause is rethrown as it is.
     */
    UnavailableException broken(String message, Throwable cause) {
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

    /** Disconnects the session and the jump host's; later uses fail. Idempotent. */
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
    }

    static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
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
}
