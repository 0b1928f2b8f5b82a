package dev.juggler.samples.config;

import dev.juggler.jdbc.JdbcLedger;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code ledger:} section: where the work ledger lives. Holds no password, only where to find it (an
 * environment variable's name or a file); the password is read by {@link #builder()} and nowhere else.
 * Immutable and thread-safe.
 *
 * @param url the JDBC URL; a relative H2 file path is already resolved against the config's folder
 * @param user the database user, if any
 * @param passwordEnv the environment variable that holds the password, if any
 * @param passwordFile a file that holds the password (plain first line, or PostgreSQL passfile lines), if any
 * @param tablePrefix prefix of the ledger's table names
 * @param schema the database schema, if not the default one
 * @param poolSize connections of the ledger's pool
 * @param maxAttempts failed leases before a range fails for good
 */
public record LedgerConfig(String url, Optional<String> user, Optional<String> passwordEnv, Optional<Path> passwordFile,
        String tablePrefix, Optional<String> schema, int poolSize, int maxAttempts) {

    /** Default {@code ledger.tablePrefix}. */
    public static final String DEFAULT_TABLE_PREFIX = JdbcLedger.DEFAULT_TABLE_PREFIX;
    /** Default {@code ledger.poolSize}. */
    public static final int DEFAULT_POOL_SIZE = JdbcLedger.DEFAULT_POOL_SIZE;
    /** Default {@code ledger.maxAttempts}. */
    public static final int DEFAULT_MAX_ATTEMPTS = JdbcLedger.DEFAULT_MAX_ATTEMPTS;

    private static final Pattern H2 = Pattern.compile("jdbc:h2:(file:)?([^;]*)(;.*)?", Pattern.DOTALL);

    public LedgerConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(passwordEnv, "passwordEnv");
        Objects.requireNonNull(passwordFile, "passwordFile");
        Objects.requireNonNull(tablePrefix, "tablePrefix");
        Objects.requireNonNull(schema, "schema");
    }

    /** {@code true} for an H2 database (embedded or file). */
    public boolean isH2() {
        return url.startsWith("jdbc:h2:");
    }

    /**
     * A {@link JdbcLedger.Builder} with every setting of this section. The password is read here (from the
     * environment or the file) and only handed to the builder, whose {@code toString} hides it.
     *
     * @throws ConfigException if the password variable is not set or the file cannot be used (the message
     *     names the variable or the file, never the password)
     */
    public JdbcLedger.Builder builder() {
        return builder(System.getenv());
    }

    JdbcLedger.Builder builder(java.util.Map<String, String> env) {
        JdbcLedger.Builder b = JdbcLedger.builder().url(url).tablePrefix(tablePrefix).poolSize(poolSize)
                .maxAttempts(maxAttempts);
        user.ifPresent(b::user);
        schema.ifPresent(b::schema);
        password(env).ifPresent(b::password);
        return b;
    }

    /**
     * Reads the password now from its variable or file, for a host that must hand it on (e.g. as a worker
     * job's secret environment). The caller must never log or print it.
     *
     * @return empty when the section names no password source
     * @throws ConfigException if the variable is not set or the file cannot be used
     */
    public Optional<String> password() {
        return password(System.getenv());
    }

    Optional<String> password(java.util.Map<String, String> env) {
        if (passwordEnv.isPresent()) {
            String password = env.get(passwordEnv.get());
            if (password == null) {
                throw new ConfigException(new ConfigProblem("config", 0, 0, "ledger.passwordEnv",
                        "the environment variable " + passwordEnv.get() + " is not set; export it before starting"));
            }
            return Optional.of(password);
        }
        return passwordFile.map(f -> PasswordFile.read(f, url, user.orElse(null)));
    }

    @Override
    public String toString() {
        return "LedgerConfig[url=" + url + ", user=" + user.orElse("-") + ", password="
                + passwordEnv.map(e -> "(from env " + e + ")").orElse(passwordFile.map(f -> "(hidden, from " + f + ")")
                .orElse("(none)")) + ", tablePrefix=" + tablePrefix + ", schema=" + schema.orElse("-") + "]";
    }

    /** Reads the section; problems go to the section's sink. */
    static LedgerConfig read(Section s) {
        String url = s.expanded("url");
        if (url == null) {
            s.error("url", "is required: the ledger's JDBC URL, e.g. jdbc:h2:file:ledger/juggler (a file next to this "
                    + "config) or jdbc:postgresql://db.example:5432/juggler");
            url = "jdbc:h2:mem:invalid";
        } else if (url.startsWith("jdbc:h2:")) {
            url = resolveH2(url, s);
        } else if (!url.startsWith("jdbc:postgresql:")) {
            s.error("url", Section.show(url) + " is not a supported JDBC URL; write jdbc:postgresql://HOST:PORT/DB or "
                    + "jdbc:h2:file:PATH");
        }
        Optional<String> user = Optional.ofNullable(s.string("user", null));
        Optional<String> env = Optional.ofNullable(s.string("passwordEnv", null));
        env.filter(e -> !e.matches("[A-Za-z_][A-Za-z0-9_]*")).ifPresent(e -> s.error("passwordEnv",
                Section.show(e) + " is not an environment variable name; write the variable's NAME (e.g. "
                        + "JUGGLER_LEDGER_PASSWORD), not the password"));
        Optional<Path> file = Optional.ofNullable(s.localPath("passwordFile", null));
        if (env.isPresent() && file.isPresent()) {
            s.error("passwordFile", "give either passwordEnv or passwordFile, not both");
        }
        file.ifPresent(f -> {
            String problem = PasswordFile.check(f);
            if (problem != null) {
                s.error("passwordFile", problem);
            }
        });
        // `password:` is accepted only as the mask that effectiveYaml() writes, so its output reads back.
        String mask = s.text("password");
        if (mask != null && !(mask.equals("(hidden)") || mask.startsWith("(from env ") || mask.startsWith("(hidden, from "))) {
            s.error("password", "passwords are never written in the config (the value is not shown): use passwordEnv "
                    + "(an environment variable's name) or passwordFile (a file readable only by you)");
        }
        String prefix = s.string("tablePrefix", DEFAULT_TABLE_PREFIX);
        if (!prefix.matches("[a-z_][a-z0-9_]{0,20}")) {
            s.error("tablePrefix", Section.show(prefix) + " is not allowed; write 1-21 of a-z 0-9 _ starting with a "
                    + "letter or _, e.g. " + DEFAULT_TABLE_PREFIX);
            prefix = DEFAULT_TABLE_PREFIX;
        }
        Optional<String> schema = Optional.ofNullable(s.string("schema", null));
        schema.filter(v -> !v.matches("[a-z_][a-z0-9_]{0,40}")).ifPresent(v -> s.error("schema",
                Section.show(v) + " is not allowed; write 1-41 of a-z 0-9 _ starting with a letter or _"));
        int pool = s.integer("poolSize", DEFAULT_POOL_SIZE, 1, 500);
        int attempts = s.integer("maxAttempts", DEFAULT_MAX_ATTEMPTS, 1, 1000);
        s.finish();
        return new LedgerConfig(url, user, env, file, prefix, schema, pool, attempts);
    }

    // jdbc:h2:file:PATH or jdbc:h2:PATH; mem:, tcp:, ssl: and zip: URLs are left as they are.
    private static String resolveH2(String url, Section s) {
        Matcher m = H2.matcher(url);
        if (!m.matches() || url.startsWith("jdbc:h2:mem:") || url.startsWith("jdbc:h2:tcp:")
                || url.startsWith("jdbc:h2:ssl:") || url.startsWith("jdbc:h2:zip:")) {
            return url;
        }
        String path = m.group(2);
        String settings = m.group(3) == null ? "" : m.group(3);
        if (path.isBlank()) {
            s.error("url", Section.show(url) + " names no database file; write e.g. jdbc:h2:file:ledger/juggler");
            return url;
        }
        Path file = path.startsWith("~") ? Path.of(s.context.expand(path)) : s.context.baseDir().resolve(path);
        String absolute = file.toAbsolutePath().normalize().toString();
        if (absolute.endsWith(".mv.db")) {
            absolute = absolute.substring(0, absolute.length() - ".mv.db".length());
        }
        // Worker processes on this machine share the file through H2's automatic mixed mode.
        if (!settings.toUpperCase(java.util.Locale.ROOT).contains("AUTO_SERVER")) {
            settings = settings + ";AUTO_SERVER=TRUE";
        }
        return "jdbc:h2:file:" + absolute + settings;
    }
}
