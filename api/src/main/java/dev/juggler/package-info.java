/**
 * Juggler's public API and portable core.
 *
 * <p>Sub-packages by concept: {@link dev.juggler.video} (what is analysed), {@link dev.juggler.ledger}
 * (the durable source of truth), {@link dev.juggler.cluster} (batch systems), {@link dev.juggler.stage}
 * (the cluster workspace), {@link dev.juggler.accel} (devices that run models),
 * {@link dev.juggler.pipeline} (the bounded frame pipeline) and {@link dev.juggler.run} (the Juggler
 * control loop and the Worker loop). This module depends on the JDK and SLF4J only.
 *
 * <p>Every exception thrown is a {@link dev.juggler.JugglerException}.
 */
package dev.juggler;
