/**
 * The client side of the Open Inference Protocol: {@link dev.juggler.inference.remote.client.RemoteAccelerator}
 * runs a model's batches on one or more inference servers ({@code juggler serve}, Triton, KServe, MLServer,
 * OpenVINO Model Server), each reached through an {@link dev.juggler.inference.remote.client.OipEndpoint} and
 * chosen by an {@link dev.juggler.inference.remote.client.EndpointSet}; a
 * {@link dev.juggler.inference.remote.client.TensorMapping} says how a model's inputs and outputs become tensors.
 *
 * <p>Bad input (HTTP 400/404) is the frames' fault and is never retried elsewhere; every other failure is the
 * endpoint's, and the batch goes to another one.
 */
package dev.juggler.inference.remote.client;
