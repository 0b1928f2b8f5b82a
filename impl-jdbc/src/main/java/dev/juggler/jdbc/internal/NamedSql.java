package dev.juggler.jdbc.internal;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A statement with named parameters ({@code :name}), parsed once into JDBC's positional form, so that
 * long statements bind by name instead of by counting question marks. A name may occur more than once;
 * every occurrence gets the same value. Immutable and thread-safe; its {@link Params} are not.
 */
final class NamedSql {

    private final String sql;
    private final List<String> order;

    private NamedSql(String sql, List<String> order) {
        this.sql = sql;
        this.order = List.copyOf(order);
    }

    /**
     * Parses {@code template}: each {@code :name} (a letter then letters or digits, outside quotes and not
     * part of a {@code ::} cast) becomes {@code ?}.
     */
    static NamedSql parse(String template) {
        StringBuilder out = new StringBuilder(template.length());
        List<String> order = new ArrayList<>();
        boolean quoted = false;
        for (int i = 0; i < template.length(); i++) {
            char ch = template.charAt(i);
            if (ch == '\'') {
                quoted = !quoted;
            }
            boolean startsName = !quoted && ch == ':' && i + 1 < template.length() && Character.isLetter(template.charAt(i + 1))
                    && (i == 0 || template.charAt(i - 1) != ':');
            if (!startsName) {
                out.append(ch);
                continue;
            }
            int end = i + 1;
            while (end < template.length() && Character.isLetterOrDigit(template.charAt(end))) {
                end++;
            }
            order.add(template.substring(i + 1, end));
            out.append('?');
            i = end - 1;
        }
        return new NamedSql(out.toString(), order);
    }

    /** The statement in JDBC's positional form (table prefixes still as templates). */
    String sql() {
        return sql;
    }

    /** Binds every occurrence of every name; fails on a name the statement uses but {@code params} lacks. */
    void bind(PreparedStatement statement, Params params) throws SQLException {
        for (int i = 0; i < order.size(); i++) {
            String name = order.get(i);
            if (!params.values.containsKey(name)) {
                throw new IllegalArgumentException("no value for parameter :" + name + " of " + sql);
            }
            Sql.bind(statement, i + 1, params.values.get(name));
        }
    }

    /** The names the statement uses, for checks. */
    Set<String> names() {
        return Set.copyOf(order);
    }

    /** Named values for one execution; {@code null} values bind as SQL NULL. Not thread-safe. */
    static final class Params {
        private final Map<String, Object> values = new HashMap<>();

        /** Sets {@code name} to {@code value} and returns this. */
        Params set(String name, Object value) {
            values.put(name, value);
            return this;
        }
    }

    /** Fresh, empty parameters. */
    static Params params() {
        return new Params();
    }
}
