package dev.juggler.jdbc.internal;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.UUID;

/**
 * Small static helpers the ledger's tables share: positional binding, one-shot updates, batched {@code IN}
 * reads, generated ids, stored-text truncation and lease tokens. Stateless; thread-safe.
 */
final class Sql {

    /** Longest failure or stage-error text that is stored; longer texts are cut. */
    static final int MAX_REASON_LENGTH = 2000;

    /**
     * Per-thread generators: {@link UUID#randomUUID()} shares one SecureRandom whose lock dozens of
     * claiming threads would queue on. Tokens only need to be unique and unguessable by accident, not
     * secret from someone who can read the database.
     */
    private static final ThreadLocal<SecureRandom> TOKENS = ThreadLocal.withInitial(SecureRandom::new);

    private Sql() {
    }

    /** Binds a statement's parameters before it runs. */
    @FunctionalInterface
    interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    /** Takes one row of a result, positioned by the caller. */
    @FunctionalInterface
    interface RowReader {
        void read(ResultSet row) throws SQLException;
    }

    /** {@code count} comma-separated parameter markers, for an {@code IN (...)} list. */
    static String placeholders(int count) {
        return String.join(", ", Collections.nCopies(count, "?"));
    }

    /**
     * Runs a statement once per batch of up to {@code batch} keys and hands every row to {@code reader}.
     * {@code statement} receives the batch's parameter markers (see {@link #placeholders}) and returns the SQL
     * that lists them in its {@code IN (...)}; the keys are bound in order.
     */
    static void forEachInBatches(Connection c, List<?> keys, int batch, Function<String, String> statement, RowReader reader)
            throws SQLException {
        for (int from = 0; from < keys.size(); from += batch) {
            List<?> slice = keys.subList(from, Math.min(keys.size(), from + batch));
            try (PreparedStatement select = c.prepareStatement(statement.apply(placeholders(slice.size())))) {
                bindAll(select, slice.toArray());
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        reader.read(rows);
                    }
                }
            }
        }
    }

    /** Runs one data-changing statement with positional parameters; returns the update count. */
    static int update(Connection c, String statement, Object... parameters) throws SQLException {
        try (PreparedStatement update = c.prepareStatement(statement)) {
            bindAll(update, parameters);
            return update.executeUpdate();
        }
    }

    /** Binds {@code parameters} in order; {@code null} binds as a VARCHAR NULL. */
    static void bindAll(PreparedStatement statement, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            bind(statement, i + 1, parameters[i]);
        }
    }

    /** A typed SQL NULL, for columns where a VARCHAR NULL would not do (numbers in an UPDATE's SET). Immutable. */
    record TypedNull(int sqlType) {
    }

    static final TypedNull NULL_BIGINT = new TypedNull(Types.BIGINT);
    static final TypedNull NULL_INTEGER = new TypedNull(Types.INTEGER);

    /**
     * Binds one value at {@code index} (1-based): {@code null} as a VARCHAR NULL, a {@link TypedNull} as its
     * type's NULL, numbers, booleans and byte arrays as themselves, anything else as its string.
     */
    static void bind(PreparedStatement statement, int index, Object value) throws SQLException {
        if (value instanceof TypedNull typed) {
            statement.setNull(index, typed.sqlType());
        } else if (value instanceof Boolean flag) {
            statement.setBoolean(index, flag);
        } else if (value == null) {
            statement.setNull(index, Types.VARCHAR);
        } else if (value instanceof Long) {
            statement.setLong(index, (Long) value);
        } else if (value instanceof Integer) {
            statement.setInt(index, (Integer) value);
        } else if (value instanceof Double) {
            statement.setDouble(index, (Double) value);
        } else if (value instanceof byte[] bytes) {
            statement.setBytes(index, bytes);
        } else {
            statement.setString(index, value.toString());
        }
    }

    /** Runs an insert and returns the id the database generated for its row. */
    static long insertReturningId(Connection c, Dialect dialect, String statement, Binder binder) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(statement, new String[] {dialect.generatedKeyColumn("id")})) {
            binder.bind(insert);
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                if (!keys.next()) {
                    throw new SQLException("the driver returned no generated id for: " + statement);
                }
                return keys.getLong(1);
            }
        }
    }

    /** Reads a nullable epoch-millisecond column as an instant. */
    static Optional<Instant> instant(ResultSet rows, int column) throws SQLException {
        long millis = rows.getLong(column);
        return rows.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
    }

    /** Cuts a stored failure or error text to {@link #MAX_REASON_LENGTH} characters. */
    static String truncate(String text) {
        if (text == null) {
            return null;
        }
        return text.length() <= MAX_REASON_LENGTH ? text : text.substring(0, MAX_REASON_LENGTH - 1) + "…";
    }

    /** A fresh lease (or completion) token: 128 random bits in UUID form. */
    static String newToken() {
        SecureRandom random = TOKENS.get();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
