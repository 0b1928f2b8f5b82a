/**
 * Implementation details of the inference module. Nothing outside this module may use these types;
 * they change without notice.
 */
package dev.juggler.inference.internal;
