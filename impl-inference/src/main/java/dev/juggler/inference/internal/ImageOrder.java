package dev.juggler.inference.internal;

import java.util.Comparator;
import java.util.Locale;

/**
 * The frame order of an image folder: natural order of the file names. Runs of ASCII digits compare by
 * their value ({@code img2} before {@code img10}; {@code img007} and {@code img7} are equal at this
 * step), everything else case-insensitively ({@code IMG2} next to {@code img3}). Names still equal after
 * that (they differ only in case or leading zeros) fall back to plain {@link String#compareTo}, so the
 * order is total and the same on every machine, whatever order the file system lists the names in.
 *
 * <p>Why ASCII digits only: other scripts' digits have no agreed value next to ASCII ones, and a
 * comparator that mixed them could contradict itself. Stateless and thread-safe.
 */
public final class ImageOrder implements Comparator<String> {

    /** The one instance. */
    public static final ImageOrder INSTANCE = new ImageOrder();

    private ImageOrder() {
    }

    @Override
    public int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (digit(ca) && digit(cb)) {
                int endA = digitsEnd(a, i);
                int endB = digitsEnd(b, j);
                int c = compareNumbers(a, skipZeros(a, i, endA), endA, b, skipZeros(b, j, endB), endB);
                if (c != 0) {
                    return c;
                }
                i = endA;
                j = endB;
            } else {
                int c = Character.compare(fold(ca), fold(cb));
                if (c != 0) {
                    return c;
                }
                i++;
                j++;
            }
        }
        int c = Boolean.compare(i < a.length(), j < b.length()); // the shorter name (a prefix) first
        return c != 0 ? c : a.compareTo(b);
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int digitsEnd(String s, int from) {
        int k = from;
        while (k < s.length() && digit(s.charAt(k))) {
            k++;
        }
        return k;
    }

    // Leading zeros do not change the value; one zero stays so that "0" is still a number.
    private static int skipZeros(String s, int from, int end) {
        int k = from;
        while (k < end - 1 && s.charAt(k) == '0') {
            k++;
        }
        return k;
    }

    // Any length: more significant digits is larger, equal lengths compare digit by digit.
    private static int compareNumbers(String a, int fromA, int endA, String b, int fromB, int endB) {
        int c = Integer.compare(endA - fromA, endB - fromB);
        for (int k = 0; c == 0 && k < endA - fromA; k++) {
            c = Character.compare(a.charAt(fromA + k), b.charAt(fromB + k));
        }
        return c;
    }

    private static char fold(char c) {
        return c < 128 ? Character.toLowerCase(c) : String.valueOf(c).toLowerCase(Locale.ROOT).charAt(0);
    }
}
