package dev.juggler.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Set;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

class NamedSqlTest {

    @Test
    void namesBecomePositionalAndRepeatedNamesBindTheSameValue() throws Exception {
        NamedSql statement = NamedSql.parse("SELECT :a + :b + :a, 'x:y', CAST(:b AS BIGINT)::varchar");
        assertEquals("SELECT ? + ? + ?, 'x:y', CAST(? AS BIGINT)::varchar", statement.sql());
        assertEquals(Set.of("a", "b"), statement.names());
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:named;MODE=PostgreSQL");
        try (Connection c = h2.getConnection();
                PreparedStatement select = c.prepareStatement("SELECT CAST(? AS BIGINT) + CAST(? AS BIGINT) + CAST(? AS BIGINT)"
                        + ", CAST(? AS VARCHAR)")) {
            NamedSql.parse("SELECT :a + :b + :a, :c").bind(select, NamedSql.params().set("a", 1L).set("b", 10L).set("c", null));
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                assertEquals(12L, rows.getLong(1));
                assertEquals(null, rows.getString(2));
            }
        }
    }

    @Test
    void aMissingValueIsRefused() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:named2");
        try (Connection c = h2.getConnection(); PreparedStatement select = c.prepareStatement("SELECT CAST(? AS BIGINT)")) {
            assertThrows(IllegalArgumentException.class, () -> NamedSql.parse("SELECT :a").bind(select, NamedSql.params()));
        }
    }
}
