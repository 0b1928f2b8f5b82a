/**
 * Cleaning of pose tracks: identities, outliers, gap filling and smoothing over whole tracks streamed
 * from the result store.
 */
package dev.juggler.inference.clean;
