package dev.juggler.samples.config;

import dev.juggler.InvalidConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A bearer token named by an environment variable or by a file, never given itself on a command line (where
 * shell histories and process lists would keep it). A file is held to the ledger password file's rule: only
 * its owner may access it. No message contains the token.
 *
 * <p>Stateless; thread-safe.
 */
public final class TokenSource {

    private TokenSource() {
    }

    /**
     * The token from {@code variable} in {@code env} or from {@code file}, whichever is named; empty if neither.
     *
     * @param envOption how the variable is named to the user, e.g. {@code --token-env}
     * @param fileOption how the file is named to the user, e.g. {@code --token-file}
     * @throws InvalidConfigException if both are named, the variable is unset, or the file is empty, unreadable or
     *     readable by others
     */
    public static Optional<String> read(String envOption, String variable, String fileOption, Path file,
            Map<String, String> env) {
        if (variable != null && file != null) {
            throw new InvalidConfigException("give the token once: " + envOption + " or " + fileOption + ", not both");
        }
        if (variable != null) {
            String token = env.get(variable);
            if (token == null || token.isBlank()) {
                throw InvalidConfigException.of(envOption, Escape.quoted(variable), "the environment variable is not set");
            }
            return Optional.of(token.strip());
        }
        if (file == null) {
            return Optional.empty();
        }
        String problem = PasswordFile.check(file);
        if (problem != null) {
            throw new InvalidConfigException(fileOption + ": " + problem);
        }
        try {
            String token = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (token.isEmpty()) {
                throw InvalidConfigException.of(fileOption, file, "the file is empty");
            }
            return Optional.of(token);
        } catch (IOException e) {
            throw InvalidConfigException.of(fileOption, file, "cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }
}
