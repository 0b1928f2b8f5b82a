package dev.juggler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.juggler.accel.AcceleratorPool;
import dev.juggler.cluster.JobSpec;
import dev.juggler.cluster.LocalClusterBackend;
import dev.juggler.ledger.InMemoryWorkLedger;
import dev.juggler.pipeline.FramePipeline;
import dev.juggler.pipeline.PipelineReport;
import dev.juggler.pipeline.PipelineRequest;
import dev.juggler.run.Juggler;
import dev.juggler.run.Worker;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** A missing setting is a typed, named configuration error, never a bare NullPointerException. */
class NullConfigTest {

    private static final FramePipeline NONE = new FramePipeline() {
        @Override
        public PipelineReport run(PipelineRequest request) {
            throw new AssertionError("never run");
        }

        @Override
        public void close() {
        }
    };

    private static void refused(String field, Executable setting) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, setting);
        assertEquals(field + " is required (was null)", e.getMessage());
        assertEquals(false, e.isTransient());
    }

    @Test
    void buildersNameTheMissingSetting() {
        try (InMemoryWorkLedger ledger = new InMemoryWorkLedger();
                LocalClusterBackend backend = LocalClusterBackend.builder().build()) {
            JobSpec job = JobSpec.builder("w", List.of("true")).build();
            refused("ledger", () -> Juggler.builder(null, backend, null, job));
            refused("clock", () -> Worker.builder(ledger, NONE).clock(null));
            refused("listener", () -> Worker.builder(ledger, NONE).listener(null));
            refused("pipeline", () -> Worker.builder(ledger, null));
            refused("queue", () -> Worker.builder(null, ledger, NONE));
        }
        refused("clock", () -> AcceleratorPool.builder().clock(null));
    }

    @Test
    void theMessageFactoriesSayTransientOrPermanent() {
        RuntimeException cause = new RuntimeException("x");
        assertEquals(true, JugglerException.transientFailure("lost", cause).isTransient());
        assertEquals(false, JugglerException.permanentFailure("corrupt", cause).isTransient());
        assertEquals(cause, JugglerException.permanentFailure("corrupt", cause).getCause());
    }
}
