package dev.juggler.slurm.ssh;

import dev.juggler.InvalidConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach one SSH host: address, user, keys, host-key verification, an optional jump host,
 * timeouts and limits. Immutable and thread-safe; build with {@link #builder(String, String)}.
 *
 * <p>Defaults (constants below): port {@value #DEFAULT_PORT}, known hosts {@code ~/.ssh/known_hosts},
 * new host keys <em>refused</em>, connect timeout {@link #DEFAULT_CONNECT_TIMEOUT}, command timeout
 * {@link #DEFAULT_COMMAND_TIMEOUT}, keep-alive {@link #DEFAULT_KEEP_ALIVE}, at most
 * {@value #DEFAULT_MAX_CHANNELS} channels at once, ssh-agent used when {@code SSH_AUTH_SOCK} is set.
 *
 * <p>The key passphrase is kept in a private array and never appears in {@link #toString()}, logs or
 * exception messages.
 */
public final class SshConfig {

    /** Default SSH port. */
    public static final int DEFAULT_PORT = 22;
    /** Default time to open the TCP connection and finish the SSH handshake. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(15);
    /** Default time a remote command may take, unless the command sets its own. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(60);
    /** Default interval of keep-alive messages (a dead connection is noticed after three missed). */
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(15);
    /** Default bound on channels (commands, SFTP sessions) open at once on the one connection. */
    public static final int DEFAULT_MAX_CHANNELS = 8;

    private final String host;
    private final int port;
    private final String user;
    private final List<Path> identities;
    private final byte[] passphrase;
    private final boolean useAgent;
    private final Path knownHosts;
    private final boolean acceptNewHostKeys;
    private final SshConfig jumpHost;
    private final Duration connectTimeout;
    private final Duration commandTimeout;
    private final Duration keepAlive;
    private final int maxChannels;
    private final Clock clock;

    private SshConfig(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.user = b.user;
        this.identities = List.copyOf(b.identities);
        this.passphrase = b.passphrase == null ? null : b.passphrase.clone();
        this.useAgent = b.useAgent;
        this.knownHosts = b.knownHosts;
        this.acceptNewHostKeys = b.acceptNewHostKeys;
        this.jumpHost = b.jumpHost;
        this.connectTimeout = b.connectTimeout;
        this.commandTimeout = b.commandTimeout;
        this.keepAlive = b.keepAlive;
        this.maxChannels = b.maxChannels;
        this.clock = b.clock;
    }

    /**
     * @param host the host name or address
     * @param user the remote user name
     */
    public static Builder builder(String host, String user) {
        return new Builder(host, user);
    }

    public String host() { return host; }
    public int port() { return port; }
    public String user() { return user; }
    /** Private key files, tried in order (OpenSSH, PEM or PuTTY formats; ed25519, RSA, ECDSA). */
    public List<Path> identities() { return identities; }
    /** {@code true} if a passphrase was given; the passphrase itself is not readable from outside. */
    public boolean hasPassphrase() { return passphrase != null; }
    /** A copy of the passphrase for the SSH layer of this module. */
    byte[] passphraseCopy() { return passphrase == null ? null : passphrase.clone(); }
    public boolean useAgent() { return useAgent; }
    public Path knownHosts() { return knownHosts; }
    /** {@code true} if a host key not yet in known_hosts is accepted and added (never a changed one). */
    public boolean acceptNewHostKeys() { return acceptNewHostKeys; }
    public Optional<SshConfig> jumpHost() { return Optional.ofNullable(jumpHost); }
    public Duration connectTimeout() { return connectTimeout; }
    public Duration commandTimeout() { return commandTimeout; }
    public Duration keepAlive() { return keepAlive; }
    public int maxChannels() { return maxChannels; }
    public Clock clock() { return clock; }

    /** {@code user@host:port}, plus the jump host if any. */
    public String target() {
        return user + "@" + host + ":" + port + (jumpHost == null ? "" : " via " + jumpHost.target());
    }

    @Override
    public String toString() {
        return "SshConfig[" + target() + ", identities=" + identities + ", passphrase="
                + (passphrase == null ? "none" : "(hidden)") + ", agent=" + useAgent + ", knownHosts=" + knownHosts
                + ", acceptNewHostKeys=" + acceptNewHostKeys + ", connectTimeout=" + connectTimeout
                + ", commandTimeout=" + commandTimeout + ", maxChannels=" + maxChannels + "]";
    }

    /** Builds an {@link SshConfig}, checking each value and naming the field when one is wrong. Not thread-safe. */
    public static final class Builder {
        private final String host;
        private final String user;
        private int port = DEFAULT_PORT;
        private final List<Path> identities = new ArrayList<>();
        private byte[] passphrase;
        private boolean useAgent = System.getenv("SSH_AUTH_SOCK") != null;
        private Path knownHosts = Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");
        private boolean acceptNewHostKeys;
        private SshConfig jumpHost;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private Duration keepAlive = DEFAULT_KEEP_ALIVE;
        private int maxChannels = DEFAULT_MAX_CHANNELS;
        private Clock clock = Clock.systemUTC();

        private Builder(String host, String user) {
            if (host == null || host.isBlank() || host.chars().anyMatch(c -> c <= ' ')) {
                throw InvalidConfigException.of("host", host, "must be a host name or address without spaces");
            }
            if (user == null || !user.matches("[A-Za-z0-9_.][A-Za-z0-9_.@-]*")) {
                throw InvalidConfigException.of("user", user, "must be a user name (A-Z a-z 0-9 _ . @ -)");
            }
            this.host = host;
            this.user = user;
        }

        public Builder port(int value) {
            if (value < 1 || value > 65535) {
                throw InvalidConfigException.of("port", value, "must be 1..65535");
            }
            this.port = value;
            return this;
        }

        /** Adds a private key file (must exist and be readable). */
        public Builder identity(Path keyFile) {
            if (keyFile == null || !Files.isReadable(keyFile)) {
                throw InvalidConfigException.of("identity", keyFile, "must be a readable private key file");
            }
            identities.add(keyFile);
            return this;
        }

        /** The passphrase of the key files; copied, so the caller may wipe its array. */
        public Builder passphrase(char[] value) {
            InvalidConfigException.required(value, "passphrase");
            this.passphrase = new String(value).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return this;
        }

        /** Whether to ask a running ssh-agent ({@code SSH_AUTH_SOCK}) for keys; default: if it is set. */
        public Builder useAgent(boolean value) {
            this.useAgent = value;
            return this;
        }

        /** The known_hosts file that host keys are verified against. */
        public Builder knownHosts(Path file) {
            if (file == null) {
                throw InvalidConfigException.of("knownHosts", null, "must be a known_hosts file path");
            }
            this.knownHosts = file;
            return this;
        }

        /**
         * Accept a host key that is not in known_hosts yet and add it there (like OpenSSH's
         * {@code StrictHostKeyChecking=accept-new}). Off by default. A <em>changed</em> key is always refused.
         */
        public Builder acceptNewHostKeys(boolean value) {
            this.acceptNewHostKeys = value;
            return this;
        }

        /** Reach the host through this one first (OpenSSH's ProxyJump); its host key is verified too. */
        public Builder jumpHost(SshConfig jump) {
            this.jumpHost = InvalidConfigException.required(jump, "jumpHost");
            return this;
        }

        public Builder connectTimeout(Duration value) {
            this.connectTimeout = positive("connectTimeout", value);
            return this;
        }

        public Builder commandTimeout(Duration value) {
            this.commandTimeout = positive("commandTimeout", value);
            return this;
        }

        /** Keep-alive interval; {@link Duration#ZERO} turns keep-alive off. */
        public Builder keepAlive(Duration value) {
            this.keepAlive = InvalidConfigException.requireNonNegative("keepAlive", value);
            return this;
        }

        public Builder maxChannels(int value) {
            if (value < 1 || value > 1000) {
                throw InvalidConfigException.of("maxChannels", value, "must be 1..1000 (servers allow ~10 by default: MaxSessions)");
            }
            this.maxChannels = value;
            return this;
        }

        /** The clock for "unavailable since" timestamps. */
        public Builder clock(Clock value) {
            this.clock = InvalidConfigException.required(value, "clock");
            return this;
        }

        public SshConfig build() {
            if (identities.isEmpty() && !useAgent) {
                throw InvalidConfigException.of("identity", "none", "give at least one key file, or useAgent(true) with SSH_AUTH_SOCK set");
            }
            return new SshConfig(this);
        }

        private static Duration positive(String field, Duration value) {
            return InvalidConfigException.requirePositive(field, value);
        }
    }
}
