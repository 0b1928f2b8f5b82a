package dev.juggler.jdbc.internal;

import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.SQLException;

/**
 * Tells the ledger's own HikariCP pool to drop a connection after a connection-class failure that
 * Hikari does not recognise by itself (H2 reports a broken client connection, e.g. after the process
 * serving an {@code AUTO_SERVER} file exited, as code 90067 rather than an SQLState of class 08), so the
 * retry gets a fresh connection. Stateless and thread-safe.
 */
public final class EvictBrokenConnections implements SQLExceptionOverride {

    @java.lang.Override
    public Override adjudicate(SQLException e) {
        return SqlErrors.classify(e) == SqlErrors.Kind.CONNECTION ? Override.MUST_EVICT : Override.CONTINUE_EVICT;
    }
}
