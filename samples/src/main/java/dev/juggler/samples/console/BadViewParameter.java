package dev.juggler.samples.console;

import dev.juggler.samples.config.Escape;
import java.util.Collection;

/**
 * A view parameter (a command-line option or a URL query parameter of the console) that cannot be used: an
 * unknown key, a value outside the allowed set, a malformed time. The message names the parameter, shows
 * the offending value escaped and lists what is allowed, so it can be shown to a person as it is (the web
 * console answers it as a 400). Immutable and thread-safe.
 */
public final class BadViewParameter extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String parameter;

    /**
     * @param parameter the parameter's key, e.g. {@code sort}
     * @param message what is wrong and what is allowed (values from the caller already escaped)
     */
    public BadViewParameter(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    /** The parameter's key (as given by the caller: possibly hostile; escape it before showing it). */
    public String parameter() {
        return parameter;
    }

    /** {@code parameter 'value': why; allowed: a, b, c}. */
    static BadViewParameter of(String parameter, String value, String why, Collection<String> allowed) {
        StringBuilder s = new StringBuilder().append(Escape.visible(parameter));
        if (value != null) {
            s.append(" = ").append(Escape.quoted(cut(value)));
        }
        s.append(": ").append(why);
        if (allowed != null && !allowed.isEmpty()) {
            s.append("; allowed: ").append(String.join(", ", allowed.stream().map(Escape::visible).toList()));
        }
        return new BadViewParameter(parameter, s.toString());
    }

    // A hostile value may be megabytes long; the message shows its start.
    private static String cut(String value) {
        return value.length() > 120 ? value.substring(0, 120) + "…" : value;
    }
}
