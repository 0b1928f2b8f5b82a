package dev.juggler.inference.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ImageOrderTest {

    private static List<String> sorted(String... names) {
        List<String> list = new ArrayList<>(List.of(names));
        Collections.shuffle(list, new Random(7));
        list.sort(ImageOrder.INSTANCE);
        return list;
    }

    @Test
    void numbersCompareByValue() {
        assertEquals(List.of("img1.jpg", "img2.jpg", "img9.jpg", "img10.jpg", "img11.jpg", "img100.jpg"),
                sorted("img10.jpg", "img2.jpg", "img100.jpg", "img1.jpg", "img11.jpg", "img9.jpg"));
        assertEquals(List.of("a1b2.png", "a1b10.png", "a2b1.png"), sorted("a2b1.png", "a1b10.png", "a1b2.png"));
        // Longer than any primitive type: still by value.
        assertEquals(List.of("f99999999999999999999998.png", "f99999999999999999999999.png", "f100000000000000000000000.png"),
                sorted("f100000000000000000000000.png", "f99999999999999999999999.png", "f99999999999999999999998.png"));
    }

    @Test
    void leadingZerosAndZeroPaddingMix() {
        assertEquals(List.of("frame_0.jpg", "frame_0001.jpg", "frame_2.jpg", "frame_0010.jpg"),
                sorted("frame_0010.jpg", "frame_2.jpg", "frame_0001.jpg", "frame_0.jpg"));
        // Same value: the tie is broken by plain order ("0" < "7"), so the order is total and stable.
        assertEquals(List.of("img007.jpg", "img07.jpg", "img7.jpg"), sorted("img7.jpg", "img007.jpg", "img07.jpg"));
    }

    @Test
    void caseDoesNotSeparateNames() {
        assertEquals(List.of("IMG1.JPG", "img2.jpg", "Img3.jpg", "IMG10.jpg"), sorted("IMG10.jpg", "Img3.jpg", "img2.jpg", "IMG1.JPG"));
        // Equal but for case: plain order decides (upper case first), the same on every machine.
        assertEquals(List.of("A.jpg", "a.jpg"), sorted("a.jpg", "A.jpg"));
    }

    @Test
    void prefixesComeFirstAndOtherScriptsAreText() {
        assertEquals(List.of("cam", "cam.jpg", "cam1.jpg"), sorted("cam1.jpg", "cam.jpg", "cam"));
        assertTrue(ImageOrder.INSTANCE.compare("x\u0663.jpg", "x3.jpg") != 0); // Arabic-Indic three is not ASCII 3
    }

    @Test
    void isATotalOrderOnRandomNames() {
        long seed = System.nanoTime();
        System.out.println("ImageOrderTest seed " + seed);
        Random random = new Random(seed);
        String alphabet = "0001239aAbB_.-é";
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            StringBuilder s = new StringBuilder();
            for (int k = random.nextInt(8); k >= 0; k--) {
                s.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            names.add(s.toString());
        }
        for (String a : names) {
            assertEquals(0, ImageOrder.INSTANCE.compare(a, a));
            for (String b : names) {
                int ab = Integer.signum(ImageOrder.INSTANCE.compare(a, b));
                assertEquals(-ab, Integer.signum(ImageOrder.INSTANCE.compare(b, a)), a + " vs " + b + " (seed " + seed + ")");
                if (ab == 0) {
                    assertEquals(a, b, "only equal names compare equal (seed " + seed + ")");
                }
            }
        }
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(ImageOrder.INSTANCE);
        for (int i = 0; i + 2 < sorted.size(); i++) { // transitivity along the sorted list
            assertTrue(ImageOrder.INSTANCE.compare(sorted.get(i), sorted.get(i + 2)) <= 0, "seed " + seed);
        }
        for (int trial = 0; trial < 20_000; trial++) {
            String a = names.get(random.nextInt(names.size()));
            String b = names.get(random.nextInt(names.size()));
            String c = names.get(random.nextInt(names.size()));
            if (ImageOrder.INSTANCE.compare(a, b) <= 0 && ImageOrder.INSTANCE.compare(b, c) <= 0) {
                assertTrue(ImageOrder.INSTANCE.compare(a, c) <= 0, a + " <= " + b + " <= " + c + " (seed " + seed + ")");
            }
        }
    }
}
