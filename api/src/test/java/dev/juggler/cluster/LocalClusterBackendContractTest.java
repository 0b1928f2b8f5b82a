package dev.juggler.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The backend contract on local worker processes. */
class LocalClusterBackendContractTest extends ClusterBackendContract {

    @TempDir
    Path dir;

    private final List<ClusterBackend> opened = new ArrayList<>();

    @Override
    protected ClusterBackend newBackend(String tag) {
        ClusterBackend backend = LocalClusterBackend.builder().slots(4).outputDirectory(dir.resolve("out")).cancelOnClose(true).build();
        opened.add(backend);
        return backend;
    }

    @Override
    protected JobSpec.Builder spec(String name, List<String> command) {
        return JobSpec.builder(name, command);
    }

    @Override
    protected Path sharedDirectory() {
        return dir;
    }

    @Override
    protected boolean adoptsEarlierJobs() {
        return false;
    }

    @AfterEach
    void closeAll() {
        opened.forEach(ClusterBackend::close);
    }
}
