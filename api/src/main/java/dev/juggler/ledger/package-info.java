/**
 * The work ledger: the durable source of truth of which frames of which video are done, who holds
 * what, what failed and why. {@link dev.juggler.ledger.WorkLedger} for workers and the juggler,
 * {@link dev.juggler.ledger.LedgerReader} for operators.
 */
package dev.juggler.ledger;
