package dev.juggler.slurm.ssh;

import java.nio.file.Path;

/** Lets tests in other packages use the in-process server (which stays package-private). */
public final class MinaAccess implements AutoCloseable {
    private final MinaServer server;
    private final SshClient client;

    private MinaAccess(MinaServer server) {
        this.server = server;
        this.client = SshClient.open(server.config().maxChannels(6).build());
    }

    public static MinaAccess start(Path dir) throws Exception {
        return new MinaAccess(new MinaServer(dir));
    }

    public SshClient client() {
        return client;
    }

    @Override
    public void close() throws Exception {
        client.close();
        server.close();
    }
}
