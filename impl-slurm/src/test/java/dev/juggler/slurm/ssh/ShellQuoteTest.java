package dev.juggler.slurm.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quoting function against hostile arguments: through a local {@code /bin/sh -c} and through the
 * in-process SSH server (which also runs {@code sh -c}, as OpenSSH does). Seeded: set
 * {@code -Djuggler.quote.seed=N} to replay a failure; the seed is in every assertion message.
 */
class ShellQuoteTest {

    @TempDir
    static Path tmp;
    static MinaServer server;
    static SshClient client;

    @BeforeAll
    static void up() throws Exception {
        server = new MinaServer(Files.createDirectories(tmp.resolve("ssh")));
        client = SshClient.open(server.config().maxChannels(4).build());
    }

    @AfterAll
    static void down() throws Exception {
        client.close();
        server.close();
    }

    @Test
    void quotesOnlyWhatNeedsIt() {
        assertEquals("abc", ShellQuote.quote("abc"));
        assertEquals("/a/b-c_d.e", ShellQuote.quote("/a/b-c_d.e"));
        assertEquals("''", ShellQuote.quote(""));
        assertEquals("'a b'", ShellQuote.quote("a b"));
        assertEquals("'it'\\''s'", ShellQuote.quote("it's"));
        assertEquals("'$(x)'", ShellQuote.quote("$(x)"));
        assertEquals("'a=b'", ShellQuote.quote("a=b"));
        assertEquals("'~'", ShellQuote.quote("~"));
        assertEquals("a 'b c' ''", ShellQuote.join(List.of("a", "b c", "")));
        assertThrows(IllegalArgumentException.class, () -> ShellQuote.quote("a\0b"));
    }

    @Test
    void hostileArgumentsArriveByteExactThroughLocalShell() throws Exception {
        long seed = Long.getLong("juggler.quote.seed", System.nanoTime());
        Path marker = tmp.resolve("marker-local");
        Random random = new Random(seed);
        for (int round = 0; round < 150; round++) {
            List<String> args = hostileArgs(random, marker);
            List<String> argv = new ArrayList<>(List.of("printf", "%s\\0"));
            argv.addAll(args);
            Process p = new ProcessBuilder("/bin/sh", "-c", ShellQuote.join(argv)).redirectErrorStream(false).start();
            byte[] out = p.getInputStream().readAllBytes();
            assertEquals(0, p.waitFor(), "seed " + seed);
            assertEquals(args, split(out), "seed " + seed + " round " + round);
        }
        assertFalse(Files.exists(marker), "a quoted argument was executed (seed " + seed + ")");
    }

    @Test
    void hostileArgumentsArriveByteExactOverSsh() throws Exception {
        long seed = Long.getLong("juggler.quote.seed", System.nanoTime());
        Path marker = tmp.resolve("marker-ssh");
        Random random = new Random(seed);
        boolean utf8 = "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"));
        for (int round = 0; round < 60; round++) {
            List<String> args = hostileArgs(random, marker);
            if (!utf8) {
                // The in-process server hands the command to ProcessBuilder, which can only pass what
                // the JVM's file-name charset encodes; the real-sshd test covers Unicode then.
                args.replaceAll(s -> s.replaceAll("[^\\x00-\\x7F]", "u"));
            }
            List<String> argv = new ArrayList<>(List.of("printf", "%s\\0"));
            argv.addAll(args);
            ExecResult r = client.exec(RemoteCommand.of(argv));
            assertEquals(0, r.exitCode(), "seed " + seed + ": " + r.err());
            assertEquals(args, split(r.stdout()), "seed " + seed + " round " + round);
        }
        // A fixed script with hostile positional parameters: still data, never code.
        List<String> args = hostileArgs(random, marker);
        ExecResult r = client.exec(RemoteCommand.script("for a in \"$@\"; do printf '%s\\0' \"$a\"; done", args));
        assertEquals(args.stream().map(s -> utf8 ? s : s.replaceAll("[^\\x00-\\x7F]", "u")).toList().size(),
                split(r.stdout()).size(), "seed " + seed);
        assertFalse(Files.exists(marker), "a quoted argument was executed (seed " + seed + ")");
    }

    /** Random mixes of fragments that would run {@code touch marker} if any were interpreted. */
    static List<String> hostileArgs(Random random, Path marker) {
        String m = marker.toString();
        String[] fragments = {
            " ", "  ", "'", "''", "\"", "\\", "\\'", "$(touch " + m + ")", "`touch " + m + "`", "; touch " + m,
            "\ntouch " + m + "\n", "&& touch " + m, "| touch " + m, "$HOME", "${PATH}", "*", "?", "[a]", "~", "#",
            "-", "--", "-rf", "--help", "=", "a=b", "\t", "\r", "é", "日本語", "😀", "ä ö ü", "{a,b}", "!", "!!",
            "%s", "%n", ">" + m, "<" + m, "2>&1", "(", ")", "{", "}", "$'\\x41'", "'\"'\"'", "\u00a0", "\u202e",
            "plain", "a-b_c.d", "/tmp/x y",
        };
        int n = 1 + random.nextInt(6);
        List<String> args = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder s = new StringBuilder();
            int parts = random.nextInt(5); // 0 parts: the empty argument
            for (int j = 0; j < parts; j++) {
                s.append(fragments[random.nextInt(fragments.length)]);
            }
            if (random.nextInt(8) == 0) {
                s.insert(0, '-'); // leading dash: still one literal word
            }
            if (random.nextInt(10) == 0) {
                s.appendCodePoint(0x20 + random.nextInt(0x2FFF)); // any BMP char except controls below 0x20
            }
            String arg = s.toString();
            if (arg.codePoints().anyMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF)) {
                continue; // unpaired surrogates are not text; they cannot be sent as UTF-8
            }
            args.add(arg);
        }
        return args;
    }

    static List<String> split(byte[] nulTerminated) {
        List<String> parts = new ArrayList<>();
        ByteArrayOutputStream current = new ByteArrayOutputStream();
        for (byte b : nulTerminated) {
            if (b == 0) {
                parts.add(current.toString(StandardCharsets.UTF_8));
                current.reset();
            } else {
                current.write(b);
            }
        }
        return parts;
    }
}
