package dev.juggler.slurm.ssh;

import java.util.List;

/**
 * Quotes arguments for a remote POSIX shell ({@code sh}, {@code bash}, {@code dash}): the one place
 * where a remote command line is made from Java strings. Every command this module runs remotely is
 * built by {@link #join(List)} (through {@link RemoteCommand}), so an argument can never become shell
 * syntax, whatever it holds.
 *
 * <p>Each argument is wrapped in single quotes, inside which a POSIX shell interprets nothing; an
 * embedded single quote is written as {@code '\''} (close the quote, an escaped quote, reopen). Inside
 * single quotes, newlines, {@code $}, backticks, backslashes, {@code ;}, globs and non-ASCII text are
 * all literal, so every argument arrives byte-exact as one word. A leading {@code -} is not changed
 * (that is the program's business: callers put {@code --} before operands that may start with it).
 *
 * <p>NUL cannot be passed through a shell command line at all and is rejected.
 *
 * <p>Stateless and thread-safe.
 */
public final class ShellQuote {

    private ShellQuote() {
    }

    /**
     * One argument, quoted so that the remote shell sees exactly {@code arg} as one word.
     *
     * @throws IllegalArgumentException if {@code arg} contains a NUL character
     */
    public static String quote(String arg) {
        if (arg.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an argument for a remote shell cannot contain NUL");
        }
        if (!arg.isEmpty() && isPlain(arg)) {
            // Readable command lines in logs for the common case; these characters mean nothing to sh.
            return arg;
        }
        StringBuilder out = new StringBuilder(arg.length() + 8).append('\'');
        for (int i = 0; i < arg.length(); i++) {
            char c = arg.charAt(i);
            if (c == '\'') {
                out.append("'\\''");
            } else {
                out.append(c);
            }
        }
        return out.append('\'').toString();
    }

    /** The arguments quoted and joined by single spaces: a command line for {@code sh -c}. */
    public static String join(List<String> args) {
        StringBuilder out = new StringBuilder();
        for (String arg : args) {
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(quote(arg));
        }
        return out.toString();
    }

    private static boolean isPlain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_' || c == '.' || c == '/' || c == ',' || c == ':' || c == '+' || c == '@' || c == '%';
            if (!ok) {
                return false;
            }
        }
        // "=" is deliberately not plain (assignment words), nor "~" (tilde expansion) or "#" (comments).
        return true;
    }
}
