package dev.juggler.samples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.juggler.inference.testing.OpenPoseShapes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The folder reading of {@code bench/storage.sh}'s own-output step ({@code StorageBench files}). */
class StorageBenchTest {

    @TempDir
    Path dir;

    @Test
    void aShotIsRepeatedFromMultiplesOf64FramesLeavingOutOtherAndDamagedFiles() throws Exception {
        OpenPoseShapes.Scene scene = new OpenPoseShapes(7).scene(OpenPoseShapes.Shape.FULL_TWO);
        List<String> shot = new ArrayList<>();
        for (int frame = 0; frame < 70; frame++) {
            String json = scene.json();
            shot.add(json);
            Files.writeString(dir.resolve(String.format(Locale.ROOT, "clip_%012d_keypoints.json", frame)), json);
        }
        Files.writeString(dir.resolve("clip_000000000070_keypoints.json"), shot.get(0).substring(0, 40)); // cut short
        Files.writeString(dir.resolve("camera.json"), "{\"fps\": 25}");
        Path rows = dir.resolve("rows.tsv");

        StorageBench.main(new String[] {"files", dir.toString(), "200", rows.toString()});

        List<String> lines = Files.readAllLines(rows, StandardCharsets.UTF_8);
        assertEquals(3 * 70, lines.size(), "whole copies until at least 200 frames");
        for (int i = 0; i < lines.size(); i++) {
            int copy = i / 70;
            int frame = i % 70;
            assertEquals("1\t" + (copy * 128 + frame) + "\t" + shot.get(frame), lines.get(i),
                    "row " + i + ": each copy starts on a multiple of 64 and holds the shot's frames in order");
        }
    }

    @Test
    void renamedOutputIsReadInNaturalOrderAndAFolderWithoutJsonIsAnError() throws Exception {
        for (String name : List.of("b10.json", "a.json", "b2.json")) {
            Files.writeString(dir.resolve(name), "{}");
        }
        Files.writeString(dir.resolve("notes.txt"), "not json");
        assertEquals(List.of("a.json", "b2.json", "b10.json"),
                StorageBench.openPoseFiles(dir).stream().map(p -> p.getFileName().toString()).toList());

        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThrows(IllegalArgumentException.class, () -> StorageBench.openPoseFiles(empty));
    }

    @Test
    void aFolderOfNothingButDamagedFilesIsAnErrorNamingIt() throws Exception {
        Files.writeString(dir.resolve("x_000000000000_keypoints.json"), "{\"version\":1.3,\"people\":[");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StorageBench.main(new String[] {"files", dir.toString(), "10", dir.resolve("rows.tsv").toString()}));
        assertEquals("none of the 1 JSON files in " + dir + " is OpenPose JSON", e.getMessage());
    }
}
