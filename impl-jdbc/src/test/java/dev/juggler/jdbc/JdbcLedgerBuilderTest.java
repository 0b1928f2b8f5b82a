package dev.juggler.jdbc;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.UnavailableException;
import dev.juggler.ledger.WorkLedger;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Validation and secret handling of {@link JdbcLedger.Builder}. */
class JdbcLedgerBuilderTest {

    @Test
    void rejectsBadSettingsNamingFieldValueAndRule() {
        InvalidConfigException prefix = assertThrows(InvalidConfigException.class, () -> JdbcLedger.builder().tablePrefix("Bad-Prefix"));
        assertTrue(prefix.getMessage().contains("tablePrefix") && prefix.getMessage().contains("Bad-Prefix")
                && prefix.getMessage().contains("[a-z_]"), prefix.getMessage());
        assertThrows(InvalidConfigException.class, () -> JdbcLedger.builder().tablePrefix("x; DROP TABLE y"));
        assertThrows(InvalidConfigException.class, () -> JdbcLedger.builder().tablePrefix("a".repeat(22)));
        assertThrows(InvalidConfigException.class, () -> JdbcLedger.builder().tablePrefix("1abc"));
        JdbcLedger.builder().tablePrefix("a".repeat(21));
        JdbcLedger.builder().tablePrefix("_");
        InvalidConfigException schema = assertThrows(InvalidConfigException.class, () -> JdbcLedger.builder().schema("public; DROP"));
        assertTrue(schema.getMessage().contains("schema") && schema.getMessage().contains("public; DROP"), schema.getMessage());
        assertThrows(InvalidConfigException.class, () -> JdbcLedger.builder().schema("Ledger"));
        assertThrows(InvalidConfigException.class, () -> JdbcLedger.builder().schema(null));
        JdbcLedger.builder().schema("juggler_ledger");
        InvalidConfigException pool = assertThrows(InvalidConfigException.class, () -> JdbcLedger.builder().poolSize(0));
        assertTrue(pool.getMessage().startsWith("poolSize = 0"), pool.getMessage());
        assertThrows(InvalidConfigException.class, () -> JdbcLedger.builder().poolSize(501));
        InvalidConfigException attempts = assertThrows(InvalidConfigException.class, () -> JdbcLedger.builder().maxAttempts(0));
        assertTrue(attempts.getMessage().startsWith("maxAttempts = 0"), attempts.getMessage());
        assertThrows(InvalidConfigException.class, () -> JdbcLedger.builder().url("postgres://nope"));
        assertThrows(InvalidConfigException.class, () -> JdbcLedger.builder().clock(null));
        InvalidConfigException neither = assertThrows(InvalidConfigException.class, () -> JdbcLedger.builder().build());
        assertTrue(neither.getMessage().contains("url"), neither.getMessage());
        assertThrows(InvalidConfigException.class, () -> JdbcLedger.builder().url("jdbc:h2:mem:x")
                .dataSource(new org.h2.jdbcx.JdbcDataSource()).build());
        assertThrows(InvalidConfigException.class, () -> JdbcLedger.h2FileUrl(Path.of("/tmp/a;INIT=RUNSCRIPT FROM 'x'")));
    }

    @Test
    void passwordNeverShows() {
        JdbcLedger.Builder builder = JdbcLedger.builder().url("jdbc:postgresql://127.0.0.1:1/none?password=urlsecret").user("u")
                .password("s3cret-pw");
        assertFalse(builder.toString().contains("s3cret-pw"), builder.toString());
        assertFalse(builder.toString().contains("urlsecret"), builder.toString());
        try (WorkLedger ledger = builder.build()) {
            assertFalse(ledger.toString().contains("s3cret-pw"), ledger.toString());
            assertFalse(ledger.toString().contains("urlsecret"), ledger.toString());
        }
    }

    @Test
    void unreachableDatabaseIsTransientAndNamesTheOperationWithoutTheSecret() {
        org.postgresql.ds.PGSimpleDataSource unreachable = new org.postgresql.ds.PGSimpleDataSource();
        unreachable.setServerNames(new String[] {"127.0.0.1"});
        unreachable.setPortNumbers(new int[] {1});
        unreachable.setUser("u");
        unreachable.setPassword("s3cret-pw");
        try (WorkLedger ledger = JdbcLedger.builder().dataSource(unreachable).build()) {
            JugglerException e = assertThrows(JugglerException.class, () -> ledger.video("v"));
            assertTrue(e.isTransient(), e.toString());
            assertTrue(e instanceof UnavailableException, e.toString());
            assertFalse(String.valueOf(e.getMessage()).contains("s3cret-pw"), e.getMessage());
            assertTrue(e.getMessage().contains("schema migration"), e.getMessage());
        }
    }
}
