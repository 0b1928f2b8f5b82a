package dev.juggler.samples.config;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a ledger password from a file: either a plain file (its first line is the password) or a PostgreSQL
 * passfile ({@code hostname:port:database:username:password} lines, {@code *} matches anything, {@code \:}
 * and {@code \\} escape; the first matching line wins). A file whose every non-comment line has five such
 * fields is a passfile. Like libpq, files that group or others may access are refused. No message ever
 * contains the file's content. Stateless; thread-safe.
 */
final class PasswordFile {

    private static final Set<PosixFilePermission> PRIVATE = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private PasswordFile() {
    }

    /** What is wrong with the file without reading it, or {@code null} if it is fine. */
    static String check(Path file) {
        if (!Files.isRegularFile(file)) {
            return Escape.quoted(file.toString()) + " is not a file; write the path of a file that holds the password";
        }
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (!PRIVATE.containsAll(permissions)) {
                return Escape.quoted(file.toString()) + " can be accessed by group or others (mode "
                        + PosixFilePermissions.toString(permissions) + "); make it private: chmod 600 "
                        + Escape.quoted(file.toString());
            }
        } catch (UnsupportedOperationException e) {
            return null; // not a POSIX file system: nothing to check
        } catch (IOException e) {
            return Escape.quoted(file.toString()) + " cannot be read (" + e.getClass().getSimpleName() + ")";
        }
        if (!Files.isReadable(file)) {
            return Escape.quoted(file.toString()) + " is not readable by this user";
        }
        return null;
    }

    /**
     * The password for {@code jdbcUrl} and {@code user}.
     *
     * @throws ConfigException if the file is unusable or, for a passfile, no line matches
     */
    static String read(Path file, String jdbcUrl, String user) {
        String problem = check(file);
        if (problem != null) {
            throw fail(problem);
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw fail(Escape.quoted(file.toString()) + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        List<List<String>> entries = new ArrayList<>();
        boolean passfile = false;
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            List<String> fields = split(line);
            if (fields.size() != 5) {
                passfile = false;
                entries.clear();
                break;
            }
            passfile = true;
            entries.add(fields);
        }
        if (!passfile) {
            String first = lines.isEmpty() ? "" : lines.get(0).strip();
            if (first.isEmpty()) {
                throw fail(Escape.quoted(file.toString()) + " is empty; write the password on its first line");
            }
            return first;
        }
        String[] target = target(jdbcUrl, user);
        for (List<String> e : entries) {
            if (matches(e.get(0), target[0]) && matches(e.get(1), target[1]) && matches(e.get(2), target[2])
                    && matches(e.get(3), target[3])) {
                return e.get(4);
            }
        }
        throw fail("no line of the passfile " + Escape.quoted(file.toString()) + " matches " + String.join(":", target)
                + " (host:port:database:user); add one");
    }

    private static boolean matches(String pattern, String value) {
        return pattern.equals("*") || pattern.equals(value);
    }

    // host, port, database, user of a jdbc:postgresql://host[:port]/db URL; H2 URLs match only wildcards.
    private static String[] target(String url, String user) {
        String u = user == null ? "" : user;
        if (url.startsWith("jdbc:postgresql://")) {
            try {
                URI uri = URI.create(url.substring("jdbc:".length()));
                String db = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
                return new String[] {uri.getHost() == null ? "localhost" : uri.getHost(),
                        uri.getPort() < 0 ? "5432" : Integer.toString(uri.getPort()), db, u};
            } catch (IllegalArgumentException e) {
                // fall through
            }
        }
        return new String[] {"localhost", "", url, u};
    }

    private static List<String> split(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                field.append(line.charAt(++i));
            } else if (c == ':' && fields.size() < 4) {
                fields.add(field.toString());
                field.setLength(0);
            } else if (c == ':') {
                return List.of(); // more than five fields
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields;
    }

    private static ConfigException fail(String message) {
        return new ConfigException(new ConfigProblem("config", 0, 0, "ledger.passwordFile", message));
    }
}
