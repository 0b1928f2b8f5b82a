package dev.juggler.samples.boxes;

import dev.juggler.cluster.ClusterBackend;
import dev.juggler.cluster.ClusterBackendContract;
import dev.juggler.cluster.JobSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * The backend contract on two "GPU boxes" that are the test environment's local sshd (skipped without it, failed
 * when CI=true): one slot each, so three jobs at once queue one.
 */
class SshBoxesBackendContractTest extends ClusterBackendContract {

    static TestBoxes boxes;

    private final List<ClusterBackend> opened = new ArrayList<>();

    @BeforeAll
    static void up() {
        boxes = TestBoxes.require();
    }

    @AfterAll
    static void down() throws IOException {
        if (boxes != null) {
            deleteTree(Path.of(boxes.root));
        }
    }

    @Override
    protected ClusterBackend newBackend(String tag) {
        // As in production, jobs outlive a closed backend: each test cancels what it leaves running.
        SshBoxesBackend.Builder b = SshBoxesBackend.builder().tag(tag);
        boxes.two().forEach(b::box);
        ClusterBackend backend = b.build();
        opened.add(backend);
        return backend;
    }

    @Override
    protected JobSpec.Builder spec(String name, List<String> command) {
        return JobSpec.builder(name, command).gpus(1);
    }

    @Override
    protected Path sharedDirectory() {
        return boxes.shared();
    }

    @Override
    protected boolean adoptsEarlierJobs() {
        return true;
    }

    @AfterEach
    void closeAll() {
        opened.forEach(ClusterBackend::close);
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
