package dev.juggler.samples.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The {@code console:} section, reserved for the web console. Immutable and thread-safe.
 *
 * @param enabled whether {@code juggler run} starts the console
 * @param host the address to bind
 * @param port the port, {@code 0} for any free one
 * @param readOnly refuse changes (re-scheduling) from the console
 * @param tokenEnv the environment variable holding the access token, required to bind a non-loopback address
 */
public record ConsoleConfig(boolean enabled, String host, int port, boolean readOnly, Optional<String> tokenEnv) {

    /** Default {@code console.bind}. */
    public static final String DEFAULT_BIND = "127.0.0.1:0";

    public ConsoleConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(tokenEnv, "tokenEnv");
    }

    /** {@code host:port}. */
    public String bind() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    static ConsoleConfig read(Section s) {
        boolean enabled = s.bool("enabled", s.present());
        String bind = s.string("bind", DEFAULT_BIND).trim();
        String host = "127.0.0.1";
        int port = 0;
        int colon = bind.lastIndexOf(':');
        try {
            if (colon <= 0) {
                throw new NumberFormatException();
            }
            host = bind.substring(0, colon).replaceAll("^\\[(.*)]$", "$1");
            port = Integer.parseInt(bind.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            s.error("bind", Section.show(bind) + " is not HOST:PORT; write e.g. 127.0.0.1:8080 (port 0 = any free port)");
            host = "127.0.0.1";
            port = 0;
        }
        boolean readOnly = s.bool("readOnly", true);
        Optional<String> token = Optional.ofNullable(s.string("tokenEnv", null));
        boolean loopback = host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1");
        if (!loopback && token.isEmpty()) {
            s.error("bind", Section.show(bind) + " is reachable from other machines; set console.tokenEnv (an "
                    + "environment variable with an access token) or bind 127.0.0.1");
        }
        s.finish();
        return new ConsoleConfig(enabled, host, port, readOnly, token);
    }
}
