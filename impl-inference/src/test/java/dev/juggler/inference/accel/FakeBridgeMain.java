package dev.juggler.inference.accel;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A stand-in stick bridge for tests: speaks the line protocol of {@code docs/stick-bridge-protocol.md}
 * without any hardware. Its "model" reverses each input line. Options:
 * <pre>
 *   --temp C          starting temperature (default 40)
 *   --step C          temperature rise per inferred frame (default 0.5)
 *   --level-at C      report throttling level 1 from this temperature on (default 70)
 *   --max-batch N     batch size announced on load (default 4)
 *   --crash-after N   exit with code 3 in the middle of the N-th infer request
 *   --hang-after N    stop answering at the N-th infer request
 *   --greeting TEXT   replace the ready line (to test a wrong protocol version)
 * </pre>
 * An input line {@code poison} gets {@code err permanent}; a model path containing {@code missing} is refused.
 */
public final class FakeBridgeMain {

    private FakeBridgeMain() {
    }

    public static void main(String[] args) throws Exception {
        double temp = 40;
        double step = 0.5;
        double levelAt = 70;
        int maxBatch = 4;
        int crashAfter = -1;
        int hangAfter = -1;
        String greeting = "ready 1 fake-bridge java";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--temp" -> temp = Double.parseDouble(args[++i]);
                case "--step" -> step = Double.parseDouble(args[++i]);
                case "--level-at" -> levelAt = Double.parseDouble(args[++i]);
                case "--max-batch" -> maxBatch = Integer.parseInt(args[++i]);
                case "--crash-after" -> crashAfter = Integer.parseInt(args[++i]);
                case "--hang-after" -> hangAfter = Integer.parseInt(args[++i]);
                case "--greeting" -> greeting = args[++i];
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        out.println(greeting);
        out.flush();
        boolean loaded = false;
        int inferRequests = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] words = line.split(" ", 3);
            switch (words[0]) {
                case "load" -> {
                    if (words.length < 3) {
                        out.println("err permanent usage: load <device> <model>");
                    } else if (words[2].contains("missing")) {
                        out.println("err permanent model not found: " + words[2]);
                    } else {
                        loaded = true;
                        System.err.println("loaded " + words[2] + " on " + words[1]);
                        out.println("ok " + maxBatch);
                    }
                }
                case "infer" -> {
                    int n = Integer.parseInt(words[1]);
                    String[] inputs = new String[n];
                    for (int i = 0; i < n; i++) {
                        inputs[i] = in.readLine();
                    }
                    inferRequests++;
                    if (inferRequests == crashAfter) {
                        System.err.println("simulated crash");
                        System.exit(3);
                    }
                    if (inferRequests == hangAfter) {
                        Thread.sleep(60_000);
                    }
                    if (!loaded) {
                        out.println("err permanent no model loaded");
                    } else if (n > maxBatch) {
                        out.println("err permanent batch " + n + " > " + maxBatch);
                    } else if (java.util.Arrays.asList(inputs).contains("poison")) {
                        out.println("err permanent cannot decode input");
                    } else {
                        out.println("ok " + n);
                        for (String input : inputs) {
                            out.println(new StringBuilder(input).reverse());
                        }
                        temp += step * n;
                    }
                }
                case "thermal" -> out.println(String.format(Locale.ROOT, "ok %.2f %d", temp, temp >= levelAt ? 1 : 0));
                case "close" -> {
                    out.println("ok");
                    out.flush();
                    return;
                }
                default -> out.println("err permanent unknown request " + words[0]);
            }
            out.flush();
        }
    }
}
