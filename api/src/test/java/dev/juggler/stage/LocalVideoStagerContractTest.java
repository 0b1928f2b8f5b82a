package dev.juggler.stage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

/** {@link LocalVideoStager} keeps the {@link VideoStagerContract}. */
class LocalVideoStagerContractTest extends VideoStagerContract {

    @TempDir
    Path root;
    private int workspaces;

    @Override
    protected Workspace newWorkspace() {
        return new LocalWorkspace(root.resolve("workspace-" + workspaces++));
    }

    /** A local directory, read and written with {@link Files}. */
    static final class LocalWorkspace implements Workspace {
        private final Path dir;

        LocalWorkspace(Path dir) {
            this.dir = dir;
        }

        @Override
        public VideoStager open(long budgetBytes) {
            return LocalVideoStager.builder(dir).budgetBytes(budgetBytes).build();
        }

        @Override
        public void write(String name, byte[] bytes) throws Exception {
            Files.createDirectories(dir);
            Files.write(dir.resolve(name), bytes);
        }

        @Override
        public Optional<String> sha256(String name) throws Exception {
            Path file = dir.resolve(name);
            if (!Files.isRegularFile(file)) {
                return Optional.empty();
            }
            return Optional.of(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(file))));
        }

        @Override
        public Set<String> names() throws Exception {
            if (!Files.isDirectory(dir)) {
                return Set.of();
            }
            try (Stream<Path> files = Files.list(dir)) {
                return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).collect(Collectors.toSet());
            }
        }

        @Override
        public void remove(String name) throws Exception {
            Files.delete(dir.resolve(name));
        }
    }
}
