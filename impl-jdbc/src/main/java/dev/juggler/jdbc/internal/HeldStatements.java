package dev.juggler.jdbc.internal;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source whose connections keep the statements prepared on them open after {@code close()}, and hand the
 * same statement out again when the same SQL text is prepared on the same connection: a statement cache such as
 * PostgreSQL's driver has built in and H2's does not.
 *
 * <p>Why: H2 parses a statement again on every {@code prepareStatement} unless it is still in its session's query
 * cache, which holds 8 statements by default and never holds a {@code SELECT ... FOR UPDATE}. The ledger runs a few
 * dozen statements thousands of times a second (claims, heartbeats, completions, the progress read), so in the
 * capacity simulation most of them were parsed afresh each time. A larger H2 query cache was measured and was slower
 * (docs/simulate.md). A statement held here is reused as a compiled command; H2 compiles it again by itself when
 * the schema changed since.
 *
 * <p>What is held: statements prepared with the SQL text alone ({@link Connection#prepareStatement(String)}), at most
 * {@link #PER_CONNECTION} per connection, the least recently used dropped first. H2 keeps a query's last result (up to
 * its in-memory row limit) with the compiled query until the query runs again, so a read whose result may be large
 * is prepared with its result type given ({@link Connection#prepareStatement(String, int, int)}), which is never
 * held. A statement that is still open when its SQL is prepared again (a nested use) is not shared: the second caller
 * gets a statement of its own, closed for real when it is closed. On {@code close()} a held statement's open result,
 * parameters and batch are cleared; other settings (a fetch size) stay, so a caller sets what it needs each time.
 * Closing the connection closes every statement it holds.
 *
 * <p>Thread-safety: the data source is thread-safe. Each connection, like any pooled JDBC connection, is meant for
 * one thread at a time; its cache is guarded by the connection's handler all the same.
 */
public final class HeldStatements implements DataSource {

    /** Most statements one connection keeps open. The ledger's fixed statements are fewer than this. */
    public static final int PER_CONNECTION = 64;

    private final DataSource source;

    private HeldStatements(DataSource source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    /** Connections from {@code source}, each keeping its prepared statements open for reuse. */
    public static DataSource around(DataSource source) {
        return new HeldStatements(source);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return Cache.wrap(source.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return Cache.wrap(source.getConnection(username, password));
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return source.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        source.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        source.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return source.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return source.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(source) ? type.cast(source) : source.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(source) || source.isWrapperFor(type);
    }

    @Override
    public String toString() {
        return "HeldStatements[" + source.getClass().getName() + "]";
    }

    /** One connection's held statements; the invocation handler of the connection handed out. */
    private static final class Cache implements InvocationHandler {

        private final Connection connection;
        private Connection self;
        private final LinkedHashMap<String, Held> statements = new LinkedHashMap<>(32, 0.75f, true);

        private Cache(Connection connection) {
            this.connection = connection;
        }

        static Connection wrap(Connection connection) {
            Cache cache = new Cache(connection);
            cache.self = (Connection) Proxy.newProxyInstance(HeldStatements.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, cache);
            return cache.self;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
                return objectMethod(proxy, method, args, "Connection", connection);
            }
            switch (method.getName()) {
                case "prepareStatement":
                    if (args.length == 1) {
                        return prepare((String) args[0]);
                    }
                    break;
                case "close":
                    closeAll();
                    break;
                case "abort":
                    forgetAll();
                    break;
                default:
                    break;
            }
            return forward(connection, method, args);
        }

        private synchronized PreparedStatement prepare(String sql) throws SQLException {
            Held held = statements.get(sql);
            if (held != null && !held.open) {
                held.open = true;
                return held.proxy;
            }
            PreparedStatement fresh = connection.prepareStatement(sql);
            if (held != null) {
                return fresh; // the held one is in use further up this thread's stack
            }
            held = new Held(this, fresh);
            held.open = true;
            statements.put(sql, held);
            if (statements.size() > PER_CONNECTION) {
                Iterator<Held> eldest = statements.values().iterator();
                eldest.next().drop();
                eldest.remove();
            }
            return held.proxy;
        }

        private synchronized void evict(Held held) {
            statements.values().removeIf(h -> h == held);
        }

        private synchronized void closeAll() {
            List<Held> all = new ArrayList<>(statements.values());
            statements.clear();
            for (Held held : all) {
                held.drop();
            }
        }

        private synchronized void forgetAll() {
            statements.clear();
        }
    }

    /** One held statement and the proxy callers see. */
    private static final class Held implements InvocationHandler {

        private final Cache cache;
        private final PreparedStatement statement;
        private final PreparedStatement proxy;
        /** Between a caller's prepare and close. Guarded by the cache. */
        private boolean open;
        /** Taken out of the cache: the caller's close closes it for real. Guarded by the cache. */
        private boolean dropped;

        Held(Cache cache, PreparedStatement statement) {
            this.cache = cache;
            this.statement = statement;
            this.proxy = (PreparedStatement) Proxy.newProxyInstance(HeldStatements.class.getClassLoader(),
                    new Class<?>[] {PreparedStatement.class}, this);
        }

        @Override
        public Object invoke(Object self, Method method, Object[] args) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
                return objectMethod(self, method, args, "Statement", statement);
            }
            switch (method.getName()) {
                case "close":
                    release();
                    return null;
                case "isClosed":
                    return isReleased() || statement.isClosed();
                case "getConnection":
                    return cache.self;
                default:
                    if (isReleased()) {
                        throw new SQLException("statement is closed", "HY010");
                    }
                    return forward(statement, method, args);
            }
        }

        private boolean isReleased() {
            synchronized (cache) {
                return !open;
            }
        }

        private void release() throws SQLException {
            synchronized (cache) {
                if (!open) {
                    return;
                }
                open = false;
                if (dropped) {
                    statement.close();
                    return;
                }
            }
            try {
                ResultSet result = statement.getResultSet();
                if (result != null) {
                    result.close();
                }
                statement.clearParameters();
                statement.clearBatch();
            } catch (SQLException e) {
                cache.evict(this);
                statement.close();
            }
        }

        /** Taken out of the cache: closed now if idle, else by its caller's close. Called with the cache held. */
        void drop() {
            dropped = true;
            if (!open) {
                try {
                    statement.close();
                } catch (SQLException ignored) {
                    // closing a statement the connection no longer needs; the connection reports its own failures
                }
            }
        }
    }

    /** {@code equals}, {@code hashCode} or {@code toString} of a proxy: by the proxy's identity, naming what it wraps. */
    private static Object objectMethod(Object proxy, Method method, Object[] args, String kind, Object wrapped) {
        return switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> "HeldStatements." + kind + "[" + wrapped + "]";
        };
    }

    private static Object forward(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** For tests: how many statements {@code connection} (from this data source) holds, open or idle. */
    static int heldCount(Connection connection) {
        if (!Proxy.isProxyClass(connection.getClass()) || !(Proxy.getInvocationHandler(connection) instanceof Cache cache)) {
            throw new IllegalArgumentException("not a connection of HeldStatements: " + connection);
        }
        synchronized (cache) {
            return cache.statements.size();
        }
    }
}
