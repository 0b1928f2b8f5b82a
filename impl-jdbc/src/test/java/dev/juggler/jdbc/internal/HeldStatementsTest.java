package dev.juggler.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.DriverDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbc.JdbcPreparedStatement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The statement cache on a real in-memory H2 database, directly and behind the ledger's kind of HikariCP pool. */
class HeldStatementsTest {

    private DataSource source;
    private Connection keepAlive;

    @BeforeEach
    void database() throws SQLException {
        String url = "jdbc:h2:mem:held-" + UUID.randomUUID();
        source = HeldStatements.around(new DriverDataSource(url, null, new Properties(), "sa", ""));
        keepAlive = source.getConnection();
        try (PreparedStatement create = keepAlive.prepareStatement("CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(20))")) {
            create.executeUpdate();
        }
        try (PreparedStatement insert = keepAlive.prepareStatement("INSERT INTO t VALUES (1, 'one'), (2, 'two')")) {
            insert.executeUpdate();
        }
    }

    @AfterEach
    void close() throws SQLException {
        keepAlive.close();
    }

    private static JdbcPreparedStatement raw(PreparedStatement statement) throws SQLException {
        return statement.unwrap(JdbcPreparedStatement.class);
    }

    private static String name(PreparedStatement select, long id) throws SQLException {
        select.setLong(1, id);
        try (ResultSet row = select.executeQuery()) {
            return row.next() ? row.getString(1) : null;
        }
    }

    @Test
    void theSameSqlOnTheSameConnectionIsTheSameStatementAgain() throws SQLException {
        try (Connection c = source.getConnection()) {
            JdbcPreparedStatement first;
            try (PreparedStatement select = c.prepareStatement("SELECT name FROM t WHERE id = ?")) {
                first = raw(select);
                assertEquals("one", name(select, 1));
            }
            assertFalse(first.isClosed(), "a held statement stays open for the next use");
            try (PreparedStatement select = c.prepareStatement("SELECT name FROM t WHERE id = ?")) {
                assertSame(first, raw(select));
                assertEquals("two", name(select, 2));
            }
            assertEquals(1, HeldStatements.heldCount(c));
        }
    }

    @Test
    void aStatementForUpdateIsHeldToo() throws SQLException {
        try (Connection c = source.getConnection()) {
            c.setAutoCommit(false);
            JdbcPreparedStatement first;
            try (PreparedStatement lock = c.prepareStatement("SELECT id FROM t WHERE id = ? FOR UPDATE")) {
                first = raw(lock);
                assertEquals("1", name(lock, 1));
            }
            try (PreparedStatement lock = c.prepareStatement("SELECT id FROM t WHERE id = ? FOR UPDATE")) {
                assertSame(first, raw(lock));
                assertEquals("2", name(lock, 2));
            }
            c.rollback();
        }
    }

    @Test
    void aStatementPreparedWithItsResultTypeIsNeverHeld() throws SQLException {
        try (Connection c = source.getConnection()) {
            JdbcPreparedStatement first;
            try (PreparedStatement select = c.prepareStatement("SELECT name FROM t WHERE id = ?", ResultSet.TYPE_FORWARD_ONLY,
                    ResultSet.CONCUR_READ_ONLY)) {
                first = raw(select);
                assertEquals("one", name(select, 1));
            }
            assertTrue(first.isClosed(), "a large read's statement (and the result H2 keeps with it) is let go");
            assertEquals(0, HeldStatements.heldCount(c));
        }
    }

    @Test
    void aNestedUseOfTheSameSqlGetsAStatementOfItsOwn() throws SQLException {
        try (Connection c = source.getConnection();
             PreparedStatement outer = c.prepareStatement("SELECT name FROM t WHERE id = ?")) {
            outer.setLong(1, 1);
            try (ResultSet rows = outer.executeQuery()) {
                assertTrue(rows.next());
                JdbcPreparedStatement nestedRaw;
                try (PreparedStatement nested = c.prepareStatement("SELECT name FROM t WHERE id = ?")) {
                    nestedRaw = raw(nested);
                    assertNotSame(raw(outer), nestedRaw);
                    assertEquals("two", name(nested, 2));
                }
                assertTrue(nestedRaw.isClosed(), "the nested statement is not held, so its close is real");
                assertEquals("one", rows.getString(1), "the outer statement's result is untouched by the nested use");
            }
        }
    }

    @Test
    void closingClearsParametersAndClosesTheOpenResult() throws SQLException {
        try (Connection c = source.getConnection()) {
            ResultSet left;
            PreparedStatement select = c.prepareStatement("SELECT name FROM t WHERE id = ?");
            select.setLong(1, 1);
            left = select.executeQuery();
            select.close();
            assertTrue(left.isClosed(), "a result left open is closed with its statement");
            assertTrue(select.isClosed());
            assertThrows(SQLException.class, () -> select.setLong(1, 2), "a closed statement cannot be used");
            try (PreparedStatement again = c.prepareStatement("SELECT name FROM t WHERE id = ?")) {
                SQLException unbound = assertThrows(SQLException.class, again::executeQuery);
                assertEquals(90012, unbound.getErrorCode(), "the last use's parameter must not carry over: " + unbound);
            }
        }
    }

    @Test
    void aBatchLeftBehindIsNotRunByTheNextUse() throws SQLException {
        try (Connection c = source.getConnection()) {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO t VALUES (?, ?)")) {
                insert.setLong(1, 10);
                insert.setString(2, "ten");
                insert.addBatch();
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO t VALUES (?, ?)")) {
                insert.setLong(1, 11);
                insert.setString(2, "eleven");
                insert.addBatch();
                assertEquals(1, insert.executeBatch().length);
            }
            try (PreparedStatement select = c.prepareStatement("SELECT name FROM t WHERE id = ?")) {
                assertEquals(null, name(select, 10));
                assertEquals("eleven", name(select, 11));
            }
        }
    }

    @Test
    void aConnectionHoldsAtMostItsLimitAndClosesWhatItDrops() throws SQLException {
        try (Connection c = source.getConnection()) {
            List<JdbcPreparedStatement> raws = new ArrayList<>();
            for (int i = 0; i <= HeldStatements.PER_CONNECTION; i++) {
                try (PreparedStatement select = c.prepareStatement("SELECT name FROM t WHERE id = ? AND " + i + " = " + i)) {
                    raws.add(raw(select));
                    assertEquals("one", name(select, 1));
                }
            }
            assertEquals(HeldStatements.PER_CONNECTION, HeldStatements.heldCount(c));
            assertTrue(raws.get(0).isClosed(), "the least recently used statement is dropped and closed");
            assertFalse(raws.get(1).isClosed());
        }
    }

    @Test
    void closingTheConnectionClosesWhatItHolds() throws SQLException {
        JdbcPreparedStatement held;
        try (Connection c = source.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT name FROM t WHERE id = ?")) {
            held = raw(select);
        }
        assertTrue(held.isClosed());
    }

    @Test
    void aHeldStatementSeesTheSchemaAsItIsNow() throws SQLException {
        try (Connection c = source.getConnection()) {
            try (PreparedStatement select = c.prepareStatement("SELECT * FROM t WHERE id = ?")) {
                select.setLong(1, 1);
                try (ResultSet row = select.executeQuery()) {
                    assertEquals(2, row.getMetaData().getColumnCount());
                }
            }
            try (PreparedStatement alter = keepAlive.prepareStatement("ALTER TABLE t ADD COLUMN size INT DEFAULT 7")) {
                alter.executeUpdate();
            }
            try (PreparedStatement select = c.prepareStatement("SELECT * FROM t WHERE id = ?")) {
                select.setLong(1, 1);
                try (ResultSet row = select.executeQuery()) {
                    assertTrue(row.next());
                    assertEquals(3, row.getMetaData().getColumnCount());
                    assertEquals(7, row.getInt("size"));
                }
            }
        }
    }

    @Test
    void behindAHikariPoolAStatementIsHeldAcrossBorrowings() throws SQLException {
        HikariConfig config = new HikariConfig();
        config.setDataSource(source);
        config.setMaximumPoolSize(1);
        config.setAutoCommit(false);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            JdbcPreparedStatement first;
            try (Connection c = pool.getConnection(); PreparedStatement select = c.prepareStatement("SELECT name FROM t WHERE id = ?")) {
                first = raw(select);
                assertEquals("one", name(select, 1));
                c.commit();
            }
            try (Connection c = pool.getConnection(); PreparedStatement select = c.prepareStatement("SELECT name FROM t WHERE id = ?")) {
                assertSame(first, raw(select), "the pool's statement proxy closed the held statement's proxy, not the statement");
                assertEquals("two", name(select, 2));
                c.commit();
            }
        }
    }
}
