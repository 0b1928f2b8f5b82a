package dev.juggler.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import dev.juggler.ledger.FrameResult;
import dev.juggler.testing.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Worker's checkpoint policy on its own: every N frames or T, flush first, then checkpoint. */
class CheckpointingSinkTest {

    private final List<String> events = new ArrayList<>();
    private final FrameResultSink target = new FrameResultSink() {
        @Override
        public void accept(FrameResult result) {
            events.add("accept " + result.frame());
        }

        @Override
        public void flush() {
            events.add("flush");
        }
    };

    private void deliver(CheckpointingSink sink, long frame) {
        sink.accept(new FrameResult(1, frame, "{}"));
        sink.onCheckpoint(frame + 1);
    }

    @Test
    void checkpointsEveryNFramesFromTheStartOfTheRangeAfterFlushing() {
        CheckpointingSink sink = new CheckpointingSink(target, next -> events.add("checkpoint " + next), 25, 10,
                Duration.ofDays(1), Clock.systemUTC());
        for (long f = 25; f < 47; f++) {
            deliver(sink, f);
        }
        assertEquals(List.of("flush", "checkpoint 35"), events.subList(10, 12));
        assertEquals(List.of("flush", "checkpoint 45"), events.subList(22, 24));
        assertEquals(45, sink.durableUntil());
        sink.flush();
        assertEquals(47, sink.durableUntil());
    }

    @Test
    void checkpointsWhenTheIntervalHasPassedByItsClock() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        List<Long> checkpoints = new ArrayList<>();
        CheckpointingSink sink = new CheckpointingSink(target, checkpoints::add, 0, 1000, Duration.ofSeconds(30), clock);
        deliver(sink, 0);
        clock.advance(Duration.ofSeconds(29));
        deliver(sink, 1);
        clock.advance(Duration.ofSeconds(1));
        deliver(sink, 2);
        assertEquals(List.of(3L), checkpoints);
        assertEquals(3, sink.durableUntil());
    }

    @Test
    void aFailingFlushTakesNoCheckpointAndKeepsTheDurablePrefix() {
        List<Long> checkpoints = new ArrayList<>();
        int[] flushes = {0};
        FrameResultSink failing = new FrameResultSink() {
            @Override
            public void accept(FrameResult result) {
            }

            @Override
            public void flush() {
                if (++flushes[0] == 2) {
                    throw new IllegalStateException("disk full");
                }
            }
        };
        CheckpointingSink sink = new CheckpointingSink(failing, checkpoints::add, 0, 5, Duration.ofDays(1),
                Clock.systemUTC());
        for (long f = 0; f < 9; f++) {
            deliver(sink, f);
        }
        sink.accept(new FrameResult(1, 9, "{}"));
        assertThrows(IllegalStateException.class, () -> sink.onCheckpoint(10));
        assertEquals(List.of(5L), checkpoints);
        assertEquals(5, sink.durableUntil());
    }

    @Test
    void aListenerThatSaysStopIsPassedOn() {
        CheckpointingSink sink = new CheckpointingSink(target, next -> false, 0, 2, Duration.ofDays(1), Clock.systemUTC());
        sink.accept(new FrameResult(1, 0, "{}"));
        assertTrue(sink.onCheckpoint(1));
        sink.accept(new FrameResult(1, 1, "{}"));
        assertEquals(false, sink.onCheckpoint(2));
    }

    @Test
    void invalidPeriodsNameTheSetting() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> new CheckpointingSink(target, next -> true, 0, 0, Duration.ofSeconds(1), Clock.systemUTC()));
        assertTrue(e.getMessage().startsWith("checkpointEveryFrames"), e.getMessage());
        e = assertThrows(InvalidConfigException.class,
                () -> new CheckpointingSink(target, next -> true, 0, 1, Duration.ZERO, Clock.systemUTC()));
        assertTrue(e.getMessage().startsWith("checkpointInterval"), e.getMessage());
    }
}
