package dev.juggler.samples.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import dev.juggler.testing.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A client that stopped reading holds up only itself, and is dropped. */
class SseHubTest {

    @Test
    void aClientWhoseWritesHangMissesEventsAndIsDroppedWhileTheOthersGetThem() throws Exception {
        CountDownLatch unblock = new CountDownLatch(1);
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        OutputStream hanging = new OutputStream() {
            @Override
            public void write(int b) {
                await(unblock);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                await(unblock);
            }
        };
        OutputStream reading = new OutputStream() {
            @Override
            public void write(int b) {
                received.add(String.valueOf((char) b));
            }

            @Override
            public void write(byte[] b, int off, int len) {
                received.add(new String(b, off, len, StandardCharsets.UTF_8));
            }
        };
        AtomicInteger reads = new AtomicInteger();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        // Timers far away: the test pushes by hand.
        try (SseHub hub = new SseHub(8, Duration.ofSeconds(1), Duration.ofHours(1),
                () -> "{\"n\":" + reads.incrementAndGet() + "}", scheduler, clock)) {
            assertTrue(hub.join(new FakeExchange(hanging)));
            assertTrue(hub.join(new FakeExchange(reading)));
            assertTrue(poll(received).contains("\"n\":"), "the reading client gets the first status");
            for (int push = 0; push < 3; push++) {
                String seen = pushUntilSeen(hub, received);
                assertTrue(seen.contains("event: status"), "push " + push + " reaches the reading client: " + seen);
                assertEquals(2, hub.clients(), "a write that hangs for less than " + SseHub.MIN_STUCK + " is waited for");
            }
            // Let the reading client's writes finish before time jumps: one under way across the jump would look hung.
            while (received.poll(300, TimeUnit.MILLISECONDS) != null) {
                Thread.onSpinWait();
            }
            clock.advance(SseHub.MIN_STUCK);
            pushUntilSeen(hub, received);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (hub.clients() != 1 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(1, hub.clients(), "the client whose write hung for " + SseHub.MIN_STUCK + " is dropped");
            assertTrue(pushUntilSeen(hub, received).contains("event: status"), "the other one still gets every status");
        } finally {
            unblock.countDown();
            scheduler.shutdownNow();
        }
    }

    /**
     * Pushes until the reading client has a new message: a push that comes while its previous write is still
     * finishing waits in the client's slot, and the next push replaces it (only the newest status matters).
     */
    private static String pushUntilSeen(SseHub hub, LinkedBlockingQueue<String> received) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            hub.pushSoon();
            String text = received.poll(200, TimeUnit.MILLISECONDS);
            if (text != null) {
                return text;
            }
        }
        throw new AssertionError("no push reached the reading client within 10 s");
    }

    private static String poll(LinkedBlockingQueue<String> queue) throws InterruptedException {
        String text = queue.poll(10, TimeUnit.SECONDS);
        if (text == null) {
            throw new AssertionError("nothing written within 10 s");
        }
        return text;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Only what the hub uses: response headers, the body stream, close. */
    private static final class FakeExchange extends HttpExchange {
        private final Headers responseHeaders = new Headers();
        private final OutputStream body;

        FakeExchange(OutputStream body) {
            this.body = body;
        }

        @Override
        public Headers getRequestHeaders() {
            return new Headers();
        }

        @Override
        public Headers getResponseHeaders() {
            return responseHeaders;
        }

        @Override
        public URI getRequestURI() {
            return URI.create("/api/v1/events");
        }

        @Override
        public String getRequestMethod() {
            return "GET";
        }

        @Override
        public HttpContext getHttpContext() {
            return null;
        }

        @Override
        public void close() {
        }

        @Override
        public InputStream getRequestBody() {
            return new ByteArrayInputStream(new byte[0]);
        }

        @Override
        public OutputStream getResponseBody() {
            return body;
        }

        @Override
        public void sendResponseHeaders(int code, long length) {
        }

        @Override
        public InetSocketAddress getRemoteAddress() {
            return new InetSocketAddress("127.0.0.1", 1);
        }

        @Override
        public int getResponseCode() {
            return 200;
        }

        @Override
        public InetSocketAddress getLocalAddress() {
            return new InetSocketAddress("127.0.0.1", 2);
        }

        @Override
        public String getProtocol() {
            return "HTTP/1.1";
        }

        @Override
        public Object getAttribute(String name) {
            return null;
        }

        @Override
        public void setAttribute(String name, Object value) {
        }

        @Override
        public void setStreams(InputStream in, OutputStream out) {
        }

        @Override
        public HttpPrincipal getPrincipal() {
            return null;
        }
    }
}
