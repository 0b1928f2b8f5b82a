package dev.juggler.inference.openpose;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.pipeline.FramePipeline;
import dev.juggler.pipeline.FramePipelineContract;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenPose-binary pipeline keeps the {@link FramePipelineContract}, against the stand-in executable: a
 * damaged frame is OpenPose crashing there, a slow video is OpenPose taking its time per frame.
 */
class OpenPoseBinaryPipelineContractTest extends FramePipelineContract {

    @TempDir
    Path tmp;
    private Path fake;
    private Path work;

    @BeforeEach
    void setUp() throws Exception {
        fake = tmp.resolve("openpose.bin");
        try (InputStream in = OpenPoseBinaryPipelineTest.class.getResourceAsStream("fake-openpose.sh")) {
            Files.copy(in, fake);
        }
        assertTrue(fake.toFile().setExecutable(true));
        work = Files.createDirectories(tmp.resolve("work"));
    }

    @Override
    protected String videoLocation() {
        return tmp.resolve("contract.mp4").toString();
    }

    @Override
    protected FramePipeline newPipeline(Scenario scenario) {
        List<String> extra = new ArrayList<>();
        if (scenario.brokenAt() >= 0) {
            extra.addAll(List.of("--fake_crash_at", Long.toString(scenario.brokenAt())));
        }
        if (!scenario.frameDelay().isZero()) {
            extra.addAll(List.of("--fake_delay",
                    String.format(Locale.ROOT, "%.3f", scenario.frameDelay().toNanos() / 1e9)));
        }
        return OpenPoseBinaryPipeline.builder(fake).tempDirectory(work).extraArguments(extra.toArray(String[]::new))
                .build();
    }
}
