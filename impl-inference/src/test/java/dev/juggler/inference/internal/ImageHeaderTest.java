package dev.juggler.inference.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.internal.ImageHeader.Format;
import dev.juggler.inference.testing.ImageFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageHeaderTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void needsFfmpeg() {
        ImageFixtures.requireFfmpeg();
    }

    @Test
    void readsFormatAndSizeOfEachFormat() throws Exception {
        for (String ext : new String[] {"jpg", "png", "bmp", "webp"}) {
            int height = ext.equals("jpg") ? 50 : 51; // ffmpeg's JPEG encoder wants an even height for 4:2:0
            Path file = ImageFixtures.picture(dir.resolve("p." + ext), 98, height);
            ImageHeader h = ImageHeader.read(file);
            assertEquals(new ImageHeader(Format.byExtension(ext), 98, height), h, ext);
            assertEquals(h, ImageHeader.parse(Files.readAllBytes(file)), ext + " from memory");
        }
        Path lossless = dir.resolve("lossless.webp");
        ImageFixtures.ffmpeg("-f", "lavfi", "-i", "testsrc=size=33x17:rate=1", "-frames:v", "1", "-c:v", "libwebp",
                "-lossless", "1", lossless.toString());
        assertEquals(new ImageHeader(Format.WEBP, 33, 17), ImageHeader.read(lossless));
    }

    @Test
    void formatComesFromTheBytesNotTheName() throws Exception {
        Path png = ImageFixtures.picture(dir.resolve("named-wrong.png"), 20, 10);
        Path jpgName = dir.resolve("really-a-png.jpg");
        Files.move(png, jpgName);
        assertEquals(Format.PNG, ImageHeader.read(jpgName).format());
    }

    @Test
    void brokenFilesSayWhy() throws Exception {
        Path jpg = ImageFixtures.picture(dir.resolve("cut.jpg"), 200, 150);
        ImageFixtures.truncate(jpg, 0.6);
        assertReason(jpg, "JPEG cut short: no end-of-image marker");
        Path png = ImageFixtures.picture(dir.resolve("cut.png"), 200, 150);
        ImageFixtures.truncate(png, 0.6);
        assertReason(png, "PNG cut short");
        Path bmp = ImageFixtures.picture(dir.resolve("cut.bmp"), 200, 150);
        ImageFixtures.truncate(bmp, 0.6);
        assertReason(bmp, "BMP cut short");
        Path webp = ImageFixtures.picture(dir.resolve("cut.webp"), 200, 150);
        ImageFixtures.truncate(webp, 0.6);
        assertReason(webp, "WebP cut short");
        Path headOnly = ImageFixtures.picture(dir.resolve("head.jpg"), 200, 150);
        ImageFixtures.truncate(headOnly, 0.01);
        assertReason(headOnly, "JPEG cut short");

        Path empty = Files.createFile(dir.resolve("empty.jpg"));
        assertReason(empty, "empty file (0 bytes)");
        Path text = Files.writeString(dir.resolve("notes.jpg"), "hello, not a picture\n", StandardCharsets.UTF_8);
        assertReason(text, "not a JPEG, PNG, BMP or WebP image (it starts with 68 65 6c 6c 6f 2c 20 6e, text \"hello, n\")");
        Path garbage = ImageFixtures.picture(dir.resolve("garbage.png"), 50, 50);
        ImageFixtures.garbage(garbage, 42);
        assertReason(garbage, "not a JPEG, PNG, BMP or WebP image");
        assertReason(dir.resolve("missing.png"), "no such file");
    }

    @Test
    void animatedWebpIsNotAFrame() throws IOException {
        Path anim = dir.resolve("anim.webp");
        // Without -c:v libwebp the CLI writes an animated WebP even for one frame.
        ImageFixtures.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=40x30:rate=5", "-frames:v", "3", anim.toString());
        assertReason(anim, "an animated WebP");
    }

    @Test
    void absurdSizesAreDamage() throws Exception {
        Path png = ImageFixtures.picture(dir.resolve("huge.png"), 10, 10);
        byte[] bytes = Files.readAllBytes(png);
        bytes[16] = 0x7f; // width 0x7f00000a
        Files.write(png, bytes);
        assertReason(png, "PNG header damaged: size 2130706442x10 is outside 1..32768");
    }

    private static void assertReason(Path file, String expected) {
        ImageHeader.Unreadable e = assertThrows(ImageHeader.Unreadable.class, () -> ImageHeader.read(file));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }
}
