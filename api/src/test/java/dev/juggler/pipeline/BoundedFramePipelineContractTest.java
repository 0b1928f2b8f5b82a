package dev.juggler.pipeline;

import dev.juggler.video.FrameRange;
import dev.juggler.video.VideoException;
import java.util.concurrent.locks.LockSupport;

/** The bounded pipeline keeps the {@link FramePipelineContract}, over a synthetic frame source. */
class BoundedFramePipelineContractTest extends FramePipelineContract {

    /** Frames of the range, one byte of pixels each, damaged at the scenario's frame, paced by its delay. */
    private static final class SyntheticSource implements FrameSource {
        private final Scenario scenario;
        private final String location;
        private final FrameRange range;
        private long next;

        SyntheticSource(Scenario scenario, String location, FrameRange range) {
            this.scenario = scenario;
            this.location = location;
            this.range = range;
            this.next = range.from();
        }

        @Override
        public Frame next() {
            if (next == scenario.brokenAt()) {
                throw new VideoException(location, VideoException.Kind.DAMAGED, next, "broken on purpose", null);
            }
            if (next >= range.to()) {
                return null;
            }
            if (!scenario.frameDelay().isZero()) {
                LockSupport.parkNanos(scenario.frameDelay().toNanos());
            }
            return new Frame(new FrameInfo(next++, 0, 1, 1), new byte[] {0, 0, 0}, 3);
        }

        @Override
        public void close() {
        }
    }

    @Override
    protected FramePipeline newPipeline(Scenario scenario) {
        FrameSourceFactory sources = (location, range) -> new SyntheticSource(scenario, location, range);
        return BoundedFramePipeline.<Long, Long>builder(sources, Frame::index,
                        new BoundedFramePipelineTest.EchoAccelerator(1, -1), (info, out) -> "{\"frame\":" + out + "}")
                .maxInFlight(16)
                .queueCapacity(4)
                .inferenceThreads(2)
                .build();
    }
}
