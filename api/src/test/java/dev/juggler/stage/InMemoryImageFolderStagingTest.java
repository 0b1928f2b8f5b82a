package dev.juggler.stage;

/** {@link StagingProtocol} over {@link InMemoryTransport} keeps the {@link ImageFolderStagerContract}. */
class InMemoryImageFolderStagingTest extends ImageFolderStagerContract {

    @Override
    protected VideoStagerContract.Workspace newWorkspace() {
        return new InMemoryStagerContractTest().newWorkspace();
    }
}
