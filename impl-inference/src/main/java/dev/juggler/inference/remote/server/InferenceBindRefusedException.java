package dev.juggler.inference.remote.server;

import dev.juggler.InvalidConfigException;

/**
 * The inference server refused to listen on an address other machines can reach because no access token
 * was given: anyone on the network could otherwise run the models and read their answers. Permanent.
 * Immutable and thread-safe.
 */
public final class InferenceBindRefusedException extends InvalidConfigException {
    private static final long serialVersionUID = 1L;

    InferenceBindRefusedException(String hostPort) {
        super("inference server bind = " + hostPort + ": this address is reachable from other machines, so the "
                + "server needs an access token (InferenceServer.Builder.token, or juggler serve --token-env VAR); "
                + "or bind 127.0.0.1");
    }
}
