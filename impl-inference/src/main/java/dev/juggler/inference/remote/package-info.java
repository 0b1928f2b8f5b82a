/**
 * The wire format of the Open Inference Protocol (KServe "v2", Triton's HTTP/REST API) with Triton's
 * binary tensor data extension: {@link dev.juggler.inference.remote.InferTensor},
 * {@link dev.juggler.inference.remote.InferRequest} and {@link dev.juggler.inference.remote.InferResponse}
 * are the values, {@link dev.juggler.inference.remote.InferCodec} turns them into HTTP bodies and back.
 * Nothing here does I/O; the remote-inference client and server build on it.
 *
 * <p>Decoding treats every body as hostile: each way a body can be wrong is an
 * {@link dev.juggler.inference.remote.InferenceProtocolException} that names the tensor and the problem,
 * and no allocation is made before its size has been checked against the body and the element limit.
 */
package dev.juggler.inference.remote;
