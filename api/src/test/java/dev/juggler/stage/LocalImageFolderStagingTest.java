package dev.juggler.stage;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link LocalVideoStager} keeps the {@link ImageFolderStagerContract}. */
class LocalImageFolderStagingTest extends ImageFolderStagerContract {

    @TempDir
    Path root;
    private int workspaces;

    @Override
    protected VideoStagerContract.Workspace newWorkspace() {
        return new LocalVideoStagerContractTest.LocalWorkspace(root.resolve("workspace-" + workspaces++));
    }
}
