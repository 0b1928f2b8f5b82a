package dev.juggler.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import dev.juggler.inference.pose.ModelNotFoundException;
import dev.juggler.inference.pose.PoseModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AnalysesTest {

    @TempDir
    Path tmp;

    @Test
    void namesVariantsAndTiles() {
        assertEquals(PoseModels.Variant.LITE, Analyses.variant(Analyses.BLAZEPOSE));
        assertEquals(PoseModels.Variant.HEAVY, Analyses.variant(Analyses.BLAZEPOSE_HEAVY));
        assertEquals(null, Analyses.variant(Analyses.MARKER_POSE));
        assertArrayEquals(new int[] {3, 2}, Analyses.Options.parseTiles("3X2"));
        assertThrows(InvalidConfigException.class, () -> Analyses.Options.parseTiles("3by2"));
        assertThrows(InvalidConfigException.class, () -> Analyses.Options.parseTiles("9x9"), "beyond the model's 1..8");
        assertThrows(InvalidConfigException.class, () -> Analyses.Options.parseTiles("0x2"));
        assertThrows(InvalidConfigException.class, () -> Analyses.pipeline("openpose-magic"));
    }

    @Test
    void aMissingModelSaysHowToGetIt() {
        Path absent = tmp.resolve("nowhere").resolve("pose_landmark_full.tflite");
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class,
                () -> Analyses.pipeline(Analyses.BLAZEPOSE_FULL, new Analyses.Options(absent, 1, 1)));
        assertTrue(e.getMessage().contains(PoseModels.SETUP_COMMAND), e.getMessage());

        StringWriter text = new StringWriter();
        CommandLine cli = JugglerCli.commandLine();
        cli.setOut(new PrintWriter(text, true));
        cli.setErr(new PrintWriter(text, true));
        int code = cli.execute("demo", "--work-dir", tmp.resolve("work").toString(), "--analysis", Analyses.BLAZEPOSE_FULL,
                "--pose-model", absent.toString(), "--no-progress");
        assertEquals(JugglerCli.FAILED, code, text.toString());
        assertTrue(text.toString().contains(PoseModels.SETUP_COMMAND), text.toString());
    }
}
