/**
 * The JDBC work ledger: {@link dev.juggler.jdbc.JdbcLedger#builder()} builds a
 * {@link dev.juggler.ledger.WorkLedger} on PostgreSQL (production) or an embedded H2 file database
 * (one machine). Everything in {@code dev.juggler.jdbc.internal} is an implementation detail.
 */
package dev.juggler.jdbc;
