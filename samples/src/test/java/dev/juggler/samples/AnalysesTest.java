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
        InvalidConfigException none = assertThrows(InvalidConfigException.class,
                () -> Analyses.check(Analyses.OPENPOSE_BINARY, Analyses.Options.DEFAULT));
        assertTrue(none.getMessage().contains("--openpose-bin") && none.getMessage().contains("JUGGLER_OPENPOSE_BIN"),
                none.getMessage());
    }

    @Test
    void optionsReachTheWorkerUnchangedAndWithAbsolutePaths() {
        String awkward = "it's \"$(id)\"\n -x @file";
        AnalysisOptions demo = new AnalysisOptions();
        new CommandLine(demo).parseArgs("--pose-model", "models dir/pose.tflite", "--pose-people", "one", "--pose-tiles", "2x3",
                "--pose-detector", "models dir/my detector.tflite",
                "--openpose-bin", "bin/openpose.bin", "--openpose-arg=--model_folder", "--openpose-arg=" + awkward,
                "--openpose-arg=", "--num-gpu", "2", "--num-gpu-start", "1");
        AnalysisOptions worker = new AnalysisOptions();
        new CommandLine(worker).parseArgs(demo.toArguments().toArray(String[]::new));
        Analyses.Options options = worker.toOptions();
        assertEquals(Path.of("models dir/pose.tflite").toAbsolutePath().normalize(), options.poseModel());
        assertEquals(Path.of("bin/openpose.bin").toAbsolutePath().normalize(), options.openposeBinary());
        assertEquals(java.util.List.of("--model_folder", awkward, ""), options.openposeArguments());
        assertEquals(Path.of("models dir/my detector.tflite").toAbsolutePath().normalize(), options.poseDetector());
        assertEquals(false, options.everyPerson());
        assertEquals(2, options.tileColumns());
        assertEquals(3, options.tileRows());
        assertEquals(2, options.numGpu());
        assertEquals(1, options.numGpuStart());
        assertEquals(demo.toOptions(), options);
    }

    @Test
    void everyPersonIsTheDefaultAndATileGridNeedsOnePersonPerTile() {
        AnalysisOptions plain = new AnalysisOptions();
        new CommandLine(plain).parseArgs();
        assertTrue(plain.toOptions().everyPerson());
        AnalysisOptions tiled = new AnalysisOptions();
        new CommandLine(tiled).parseArgs("--pose-tiles", "3x2");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, tiled::toOptions);
        assertTrue(e.getMessage().contains("--pose-people one"), e.getMessage());
        AnalysisOptions wrong = new AnalysisOptions();
        new CommandLine(wrong).parseArgs("--pose-people", "some");
        InvalidConfigException bad = assertThrows(InvalidConfigException.class, wrong::toOptions);
        assertTrue(bad.getMessage().contains("pose-people") && bad.getMessage().contains("all"), bad.getMessage());
    }

    @Test
    void remoteServersRunOnePassPerTileAndReachTheWorker() throws Exception {
        AnalysisOptions demo = new AnalysisOptions();
        new CommandLine(demo).parseArgs("--remote", "http://127.0.0.1:8000,http://gpu-2:8001/", "--remote-model", "pose lite",
                "--remote-token-env", "POSE_TOKEN", "--pose-tiles", "2x2");
        Analyses.Options options = demo.toOptions();
        assertEquals(false, options.everyPerson(), "--remote implies one pass per tile");
        assertEquals(2, options.remote().endpoints().size());
        assertEquals("pose lite", options.remote().model());
        AnalysisOptions worker = new AnalysisOptions();
        new CommandLine(worker).parseArgs(demo.toArguments().toArray(String[]::new));
        assertEquals(options, worker.toOptions());
        assertTrue(demo.toArguments().stream().noneMatch(a -> a.contains("secret")));

        AnalysisOptions all = new AnalysisOptions();
        new CommandLine(all).parseArgs("--remote", "http://127.0.0.1:8000", "--pose-people", "all");
        InvalidConfigException people = assertThrows(InvalidConfigException.class, all::toOptions);
        assertTrue(people.getMessage().contains("--pose-people one"), people.getMessage());
        InvalidConfigException marker = assertThrows(InvalidConfigException.class,
                () -> Analyses.check(Analyses.MARKER_POSE, options));
        assertTrue(marker.getMessage().contains("BlazePose"), marker.getMessage());
        AnalysisOptions bad = new AnalysisOptions();
        new CommandLine(bad).parseArgs("--remote", "ftp://127.0.0.1:8000");
        InvalidConfigException scheme = assertThrows(InvalidConfigException.class,
                () -> Analyses.pipeline(Analyses.BLAZEPOSE, bad.toOptions()));
        assertTrue(scheme.getMessage().contains("http://"), scheme.getMessage());
        AnalysisOptions noToken = new AnalysisOptions();
        new CommandLine(noToken).parseArgs("--remote", "http://127.0.0.1:9", "--remote-token-env", "JUGGLER_TEST_UNSET_TOKEN_VAR");
        InvalidConfigException token = assertThrows(InvalidConfigException.class,
                () -> Analyses.pipeline(Analyses.BLAZEPOSE, noToken.toOptions()));
        assertTrue(token.getMessage().contains("JUGGLER_TEST_UNSET_TOKEN_VAR"), token.getMessage());
        AnalysisOptions both = new AnalysisOptions();
        new CommandLine(both).parseArgs("--remote", "http://127.0.0.1:9", "--remote-token-env", "T", "--remote-token-file", "t");
        InvalidConfigException once = assertThrows(InvalidConfigException.class,
                () -> Analyses.pipeline(Analyses.BLAZEPOSE, both.toOptions()));
        assertTrue(once.getMessage().contains("not both"), once.getMessage());
        Path empty = tmp.resolve("empty token");
        java.nio.file.Files.writeString(empty, " \n");
        AnalysisOptions shared = new AnalysisOptions();
        new CommandLine(shared).parseArgs("--remote", "http://127.0.0.1:9", "--remote-token-file", empty.toString());
        java.nio.file.Files.setPosixFilePermissions(empty, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        InvalidConfigException readable = assertThrows(InvalidConfigException.class,
                () -> Analyses.pipeline(Analyses.BLAZEPOSE, shared.toOptions()));
        assertTrue(readable.getMessage().contains("chmod 600"), readable.getMessage());
        java.nio.file.Files.setPosixFilePermissions(empty, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        AnalysisOptions emptyFile = new AnalysisOptions();
        new CommandLine(emptyFile).parseArgs("--remote", "http://127.0.0.1:9", "--remote-token-file", empty.toString());
        InvalidConfigException blank = assertThrows(InvalidConfigException.class,
                () -> Analyses.pipeline(Analyses.BLAZEPOSE, emptyFile.toOptions()));
        assertTrue(blank.getMessage().contains("empty"), blank.getMessage());
    }

    @Test
    void theDetectorIsLookedForNextToAGivenModel() throws Exception {
        Path folder = java.nio.file.Files.createDirectories(tmp.resolve("my models"));
        Path model = java.nio.file.Files.writeString(folder.resolve("pose_landmark_full.tflite"), "a model");
        Path detector = java.nio.file.Files.writeString(folder.resolve(PoseModels.DETECTOR_FILE), "a detector");
        PoseModels none = PoseModels.of(k -> null, tmp.resolve("empty home"));
        assertEquals(detector, Analyses.detector(none, new Analyses.Options(model, true, 1, 1)));
        assertEquals(detector, Analyses.detector(none, new Analyses.Options(folder, true, 1, 1)));
        java.nio.file.Files.delete(detector);
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class,
                () -> Analyses.detector(none, new Analyses.Options(model, true, 1, 1)));
        assertTrue(e.getMessage().contains(PoseModels.DETECTOR_FILE) && e.getMessage().contains(PoseModels.SETUP_COMMAND),
                e.getMessage());
    }

    @Test
    void theObjectDetectorIsOptionalAndLookedForNextToThePersonDetector() throws Exception {
        Path folder = java.nio.file.Files.createDirectories(tmp.resolve("detectors $(x)"));
        Path detector = java.nio.file.Files.writeString(folder.resolve(PoseModels.DETECTOR_FILE), "a detector");
        PoseModels none = PoseModels.of(k -> null, tmp.resolve("empty home"));
        Analyses.Options auto = new Analyses.Options(null, true, 1, 1);
        assertEquals(java.util.Optional.empty(), Analyses.boxDetector(none, auto, detector),
                "none anywhere: the person detector alone");
        Path boxes = java.nio.file.Files.writeString(folder.resolve(PoseModels.BOX_DETECTOR_FILE), "boxes");
        assertEquals(java.util.Optional.of(boxes), Analyses.boxDetector(none, auto, detector));
        AnalysisOptions off = new AnalysisOptions();
        new CommandLine(off).parseArgs("--pose-box-detector", "none");
        assertEquals(java.util.Optional.empty(), Analyses.boxDetector(none, off.toOptions(), detector));
        assertTrue(off.toArguments().contains("--pose-box-detector=none"), off.toArguments().toString());
        AnalysisOptions given = new AnalysisOptions();
        new CommandLine(given).parseArgs("--pose-box-detector", tmp.resolve("nowhere.tflite").toString());
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class,
                () -> Analyses.boxDetector(none, given.toOptions(), detector));
        assertTrue(e.getMessage().contains("nowhere.tflite"), e.getMessage());
    }

    @Test
    void aMissingModelSaysHowToGetIt() {
        Path absent = tmp.resolve("nowhere").resolve("pose_landmark_full.tflite");
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class,
                () -> Analyses.pipeline(Analyses.BLAZEPOSE_FULL, new Analyses.Options(absent, true, 1, 1)));
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
