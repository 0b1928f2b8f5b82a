package dev.juggler.samples.console;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import dev.juggler.jdbc.JdbcLedger;
import dev.juggler.ledger.WorkLedger;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The operator commands on PostgreSQL (JUGGLER_PG_URL, JUGGLER_PG_USER, JUGGLER_PG_PASSWORD, as prepared by the
 * project's setup scripts), each test in its own tables (a unique table prefix), dropped afterwards. The
 * password reaches the commands only through {@code --ledger-password-env}. Skipped without the settings;
 * failed when CI=true.
 */
class OperatorCommandsPgTest extends OperatorCommandsContract {

    private static final String URL = System.getenv("JUGGLER_PG_URL");
    private static final String USER = System.getenv("JUGGLER_PG_USER");
    private static final String PASSWORD_ENV = "JUGGLER_PG_PASSWORD";

    private final String prefix = "jc" + UUID.randomUUID().toString().replace("-", "").substring(0, 10) + "_";

    @BeforeEach
    @Override
    void seed() {
        if (URL == null || USER == null || System.getenv(PASSWORD_ENV) == null) {
            String reason = "no PostgreSQL (JUGGLER_PG_URL/_USER/_PASSWORD unset): source /tmp/jtest-env.sh or run "
                    + "scripts/setup.d/20-postgresql.sh";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but " + reason);
            }
            abort(reason);
        }
        super.seed();
    }

    @AfterEach
    void dropTables() throws SQLException {
        if (URL == null) {
            return;
        }
        try (Connection c = DriverManager.getConnection(URL, USER, System.getenv(PASSWORD_ENV)); Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                    + "AND table_name LIKE '" + prefix.replace("_", "\\_") + "%'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String table : tables) {
                s.execute("DROP TABLE IF EXISTS \"" + table + "\" CASCADE");
            }
        }
    }

    @Override
    WorkLedger openLedger() {
        return JdbcLedger.builder().url(URL).user(USER).password(System.getenv(PASSWORD_ENV)).tablePrefix(prefix).build();
    }

    @Override
    List<String> ledgerArgs() {
        return List.of("--ledger", URL, "--ledger-user", USER, "--ledger-password-env", PASSWORD_ENV, "--table-prefix", prefix);
    }
}
