package dev.juggler.samples;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs a server in the foreground of a command until {@link #stop()} or Ctrl-C: opens it, announces it, waits,
 * closes it. This program is the host, so it may install a shutdown hook: Ctrl-C (SIGINT, SIGTERM) ends the
 * wait, and the hook waits for the server to close before the JVM exits.
 *
 * <p>Thread-safe: {@link #stop()} and {@link #started()} may be used from any thread while {@link #run} waits.
 *
 * @param <S> the server
 */
public final class Foreground<S extends AutoCloseable> {

    private final String name;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CompletableFuture<S> started = new CompletableFuture<>();

    /** @param name what runs, for the shutdown hook's thread name, e.g. {@code console} */
    public Foreground(String name) {
        this.name = name;
    }

    /** Ends a running {@link #run} as Ctrl-C would. */
    public void stop() {
        stop.countDown();
    }

    /** Completes with the server once it is open (for tests and hosts that embed the command). */
    public CompletableFuture<S> started() {
        return started;
    }

    /**
     * Opens the server, announces it, waits for {@link #stop()} or the JVM's shutdown, and closes it.
     *
     * @return 0 once stopped
     * @throws RuntimeException what opening or closing the server throws (a checked one from closing wrapped in an
     *     {@link IllegalStateException})
     */
    public int run(Supplier<S> open, Consumer<S> announce) {
        CountDownLatch closed = new CountDownLatch(1);
        Thread onExit = new Thread(() -> {
            stop.countDown();
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "juggler-" + name + "-exit");
        Runtime.getRuntime().addShutdownHook(onExit);
        try (S server = open.get()) {
            announce.accept(server);
            started.complete(server);
            stop.await();
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } catch (RuntimeException | Error e) {
            started.completeExceptionally(e);
            throw e;
        } catch (Exception e) {
            started.completeExceptionally(e);
            throw new IllegalStateException(name + ": closing failed: " + e.getMessage(), e);
        } finally {
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting already: the hook runs and sees the latch
            }
        }
    }
}
