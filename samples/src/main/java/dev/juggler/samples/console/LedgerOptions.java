package dev.juggler.samples.console;

import dev.juggler.InvalidConfigException;
import dev.juggler.jdbc.JdbcLedger;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.config.Escape;
import dev.juggler.samples.config.JugglerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Where an operator command finds the ledger: the run's config file ({@code -c FILE}, its {@code ledger:}
 * section) or the ledger itself ({@code --ledger}, a {@code jdbc:} URL or an H2 database file such as the
 * demo's {@code juggler-demo/ledger}). A picocli mixin shared by {@code status}, the table views, {@code failures},
 * {@code reschedule}, {@code export} and {@code console}. A password is only ever read from an environment
 * variable ({@code --ledger-password-env}) or the config's password source, never from the command line, and is
 * never printed. Not thread-safe (picocli fills it once); the ledger it opens is.
 */
public final class LedgerOptions {

    /** The H2 database file name (without {@code .mv.db}) that {@code juggler demo} writes under its ledger folder. */
    public static final String DEMO_DB_NAME = "juggler";
    private static final String H2_SUFFIX = ".mv.db";

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "The run's config file: use its ledger section.")
    Path config;

    @Option(names = "--ledger", paramLabel = "URL|PATH",
            description = "The ledger: a jdbc: URL (jdbc:postgresql://host/db) or an H2 database (the demo's "
                    + "juggler-demo/ledger folder, or its .mv.db file).")
    String ledger;

    @Option(names = "--ledger-user", paramLabel = "NAME", description = "The database user (with --ledger).")
    String user;

    @Option(names = "--ledger-password-env", paramLabel = "VAR",
            description = "The environment variable that holds the database password (with --ledger).")
    String passwordEnv;

    @Option(names = "--table-prefix", paramLabel = "PREFIX",
            description = "The ledger's table prefix (with --ledger; default " + JdbcLedger.DEFAULT_TABLE_PREFIX + ").")
    String tablePrefix;

    @Option(names = "--schema", paramLabel = "NAME", description = "The database schema of the ledger's tables (with --ledger).")
    String schema;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    /**
     * Opens the ledger. It does not create or upgrade tables: a wrong URL, prefix or schema is reported by the
     * first read instead of being answered with an empty new ledger.
     *
     * @throws ParameterException when neither or both of {@code --config}/{@code --ledger} are given, an option
     *     does not fit, the H2 file does not exist or the password variable is not set
     * @throws dev.juggler.samples.config.ConfigException when the config file has problems
     */
    public WorkLedger open() {
        return builder().manageSchema(false).build();
    }

    /** Where the ledger is, for people: the config file or the URL, never a password. */
    public String describe() {
        if (config != null) {
            return "config " + Escape.quoted(config.toString());
        }
        return ledger == null ? "(no ledger)" : "ledger " + Escape.quoted(redact(ledger));
    }

    JdbcLedger.Builder builder() {
        if ((config == null) == (ledger == null)) {
            throw usage(config == null ? "give the ledger: --config FILE (the run's config) or --ledger URL|PATH"
                    : "give either --config or --ledger, not both");
        }
        if (config != null) {
            for (String[] other : new String[][] {{"--ledger-user", user}, {"--ledger-password-env", passwordEnv},
                    {"--table-prefix", tablePrefix}, {"--schema", schema}}) {
                if (other[1] != null) {
                    throw usage(other[0] + " goes with --ledger; with --config the config's ledger section says it");
                }
            }
            return JugglerConfig.load(config).ledger().builder();
        }
        try {
            JdbcLedger.Builder b = JdbcLedger.builder().url(url());
            if (user != null) {
                b.user(user);
            }
            if (passwordEnv != null) {
                String password = System.getenv(passwordEnv);
                if (password == null) {
                    throw usage("--ledger-password-env " + Escape.quoted(passwordEnv) + ": the environment variable is not set");
                }
                b.password(password);
            }
            if (tablePrefix != null) {
                b.tablePrefix(tablePrefix);
            }
            if (schema != null) {
                b.schema(schema);
            }
            return b;
        } catch (InvalidConfigException e) {
            throw usage(Escape.visible(e.getMessage()));
        }
    }

    /** The JDBC URL of {@code --ledger}: as given for a {@code jdbc:} URL, else the H2 file it names. */
    String url() {
        if (ledger.startsWith("jdbc:")) {
            if (!redact(ledger).equals(ledger)) {
                // A password on the command line lands in shell histories and process lists.
                throw usage("--ledger: the URL carries a password; put it in an environment variable and give "
                        + "--ledger-password-env VAR");
            }
            return ledger;
        }
        return JdbcLedger.h2FileUrl(h2File(Path.of(ledger)));
    }

    // The demo keeps <work>/ledger/juggler.mv.db: accept the work folder, the ledger folder, the file with or
    // without its suffix.
    private Path h2File(Path given) {
        Path[] candidates = {given.resolve("ledger").resolve(DEMO_DB_NAME), given.resolve(DEMO_DB_NAME), withoutSuffix(given)};
        for (Path c : candidates) {
            if (Files.isRegularFile(Path.of(c + H2_SUFFIX))) {
                return c;
            }
        }
        throw usage("--ledger " + Escape.quoted(ledger) + ": no H2 ledger there (looked for "
                + Escape.quoted(withoutSuffix(given) + H2_SUFFIX) + " and " + Escape.quoted(given.resolve(DEMO_DB_NAME) + H2_SUFFIX)
                + "); give the demo's ledger folder, an .mv.db file or a jdbc: URL");
    }

    private static Path withoutSuffix(Path p) {
        String s = p.toString();
        return s.endsWith(H2_SUFFIX) ? Path.of(s.substring(0, s.length() - H2_SUFFIX.length())) : p;
    }

    // A JDBC URL may carry password=... as a parameter; it is never shown.
    static String redact(String url) {
        return url.replaceAll("(?i)(password|passwd|pwd)=[^&;]*", "$1=***").replaceAll("//([^/@:]+):[^/@]*@", "//$1:***@");
    }

    private ParameterException usage(String message) {
        return new ParameterException(mixee.commandLine(), message);
    }
}
