/**
 * An Open Inference Protocol server (KServe v2 over HTTP/REST, Triton-compatible, with Triton's binary
 * tensor data and statistics extensions) for {@link dev.juggler.inference.remote.ServedModel}s:
 * {@link dev.juggler.inference.remote.server.InferenceServer} is the one public entry point, built by its
 * validated builder. Requests of each model are batched dynamically (up to the batch size, or until the
 * oldest has waited the queue delay) and run as one model call; the server keeps Triton-style running
 * statistics and exposes them as JSON and as Prometheus text.
 *
 * <p>Security follows the project's servers: loopback by default, a bearer token required to bind any
 * other address, every request checked before a model is reached, and every malformed body answered
 * with 400 and a message rather than a crash.
 */
package dev.juggler.inference.remote.server;
