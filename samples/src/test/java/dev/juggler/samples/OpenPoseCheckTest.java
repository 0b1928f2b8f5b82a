package dev.juggler.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class OpenPoseCheckTest {

    @TempDir
    Path tmp;

    private record Result(int code, String output) {
    }

    private Result check(String... args) {
        StringWriter text = new StringWriter();
        CommandLine cli = JugglerCli.commandLine();
        cli.setOut(new PrintWriter(text, true));
        cli.setErr(new PrintWriter(text, true));
        String[] all = new String[args.length + 2];
        all[0] = "openpose";
        all[1] = "check";
        System.arraycopy(args, 0, all, 2, args.length);
        return new Result(cli.execute(all), text.toString());
    }

    @Test
    void reportsEachFileAndWhetherRewritingReproducesIt() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("json"));
        Files.writeString(dir.resolve("v_000000000000_keypoints.json"),
                "{\"version\":1.3,\"people\":[{\"person_id\":[-1],\"pose_keypoints_2d\":[1.5,2,0.25]}]}");
        Files.writeString(dir.resolve("v_000000000001_keypoints.json"),
                "{\"version\":1.1,\"people\":[{\"pose_keypoints\":[1.23456789,2,0.5]}]}");
        Files.writeString(dir.resolve("v_000000000002_keypoints.json"),
                "{\"version\":1.3,\"people\":[{\"pose_keypoints_2d\":[1,NaN,0.5]}]}");
        Path single = Files.writeString(tmp.resolve("old.json"), "{\"version\":1.0,\"people\":[]}");

        Result r = check(dir.toString(), single.toString());
        assertEquals(JugglerCli.FAILED, r.code(), r.output());
        assertTrue(r.output().contains("OK    " + dir.resolve("v_000000000000_keypoints.json")
                + " (1 people, version 1.3); re-writing reproduces the same data"), r.output());
        assertTrue(r.output().contains("re-writing changes data: people[0].pose_keypoints_2d[0]: 1.2345679 vs 1.23457"),
                r.output());
        assertTrue(r.output().contains("ERROR invalid OpenPose JSON in " + dir.resolve("v_000000000002_keypoints.json")
                + ": people[0].pose_keypoints_2d[1] is NaN"), r.output());
        assertTrue(r.output().contains("OK    " + single + " (0 people, version 1.0)"), r.output());
        assertTrue(r.output().contains("4 file(s): 3 OK (1 not reproduced exactly by re-writing), 1 with errors"), r.output());

        Result good = check("--quiet", dir.resolve("v_000000000000_keypoints.json").toString());
        assertEquals(JugglerCli.OK, good.code(), good.output());
        assertEquals("1 file(s): 1 OK (0 not reproduced exactly by re-writing), 0 with errors", good.output().strip());

        assertEquals(JugglerCli.FAILED, check(tmp.resolve("absent.json").toString()).code());
    }
}
