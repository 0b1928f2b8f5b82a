/**
 * The two loops: {@link dev.juggler.run.Juggler}, which keeps the cluster busy, the workspace within
 * budget and lost work found, and {@link dev.juggler.run.Worker}, which runs inside each cluster job.
 */
package dev.juggler.run;
