package dev.juggler.samples.console;

import dev.juggler.InvalidConfigException;

/**
 * The console refused to listen on an address other machines can reach because no access token was
 * given: anyone on the network could otherwise read the ledger (and, unless read-only, re-schedule work).
 * Permanent. Immutable and thread-safe.
 */
public final class ConsoleBindRefusedException extends InvalidConfigException {
    private static final long serialVersionUID = 1L;

    ConsoleBindRefusedException(String hostPort) {
        super("console bind = " + hostPort + ": this address is reachable from other machines, so the console needs an "
                + "access token (juggler console --token-env VAR, or console.tokenEnv in the config); or bind 127.0.0.1");
    }
}
