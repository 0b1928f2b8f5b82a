package dev.juggler.slurm.ssh;

import dev.juggler.JugglerException;

/**
 * The SSH server was reached but the connection was refused for a reason that retrying cannot fix:
 * its host key is unknown or differs from known_hosts (a possible man-in-the-middle), or the login was
 * rejected. Permanent. The message names the host and the reason, never a secret. Immutable and
 * thread-safe.
 */
public class SshRefusedException extends JugglerException {
    private static final long serialVersionUID = 1L;

    public SshRefusedException(String message, Throwable cause) {
        super(message, false, cause);
    }
}
