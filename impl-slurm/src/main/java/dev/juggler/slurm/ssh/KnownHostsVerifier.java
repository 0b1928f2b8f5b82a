package dev.juggler.slurm.ssh;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.UserInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * known_hosts verification with OpenSSH's accept-new semantics as an explicit option: an unknown key
 * is added only when allowed; a changed key is always refused. Thread-safe as far as JSch's own
 * repository is (JSch checks keys while a session connects, under the connection's lock).
 */
final class KnownHostsVerifier implements HostKeyRepository {
    private static final Logger LOG = LoggerFactory.getLogger(JschSshClient.class);
    private final HostKeyRepository known;
    private final SshConfig config;

    KnownHostsVerifier(HostKeyRepository known, SshConfig config) {
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
