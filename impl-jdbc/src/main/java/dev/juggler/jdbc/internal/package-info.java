/** Implementation details of the JDBC ledger; nothing outside this module may use them. */
package dev.juggler.jdbc.internal;
