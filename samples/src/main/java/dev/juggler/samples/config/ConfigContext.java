package dev.juggler.samples.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What reading a config needs besides the text: the folder relative paths resolve against and the
 * environment that {@code ${VAR}} references read. Immutable.
 */
record ConfigContext(Path baseDir, Map<String, String> env) {
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    /**
     * Expands {@code ${VAR}} from the environment and a leading {@code ~/} (or a lone {@code ~}) to the home
     * folder. {@code $VAR} without braces is left alone.
     *
     * @throws IllegalArgumentException naming the variable that is not set
     */
    String expand(String text) {
        Matcher m = VAR.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            if (value == null) {
                throw new IllegalArgumentException("refers to ${" + m.group(1) + "}, which is not set in the environment; "
                        + "set it or write the path out");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        String s = out.toString();
        if (s.equals("~") || s.startsWith("~/")) {
            String home = env.getOrDefault("HOME", System.getProperty("user.home"));
            s = home + s.substring(1);
        }
        return s;
    }
}
