package dev.juggler.slurm.stage;

import dev.juggler.slurm.ssh.ExecResult;
import dev.juggler.slurm.ssh.RemoteCommand;
import dev.juggler.slurm.ssh.SshClient;
import dev.juggler.stage.VideoStager;
import dev.juggler.stage.VideoStagerContract;
import java.io.ByteArrayInputStream;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/** A remote workspace directory for {@link VideoStagerContract}, read and written over the same SSH client. */
final class RemoteWorkspace implements VideoStagerContract.Workspace {

    private final SshClient ssh;
    private final String dir;
    private final UnaryOperator<SftpVideoStager.Builder> settings;

    /** A workspace whose stagers are plain SFTP stagers. */
    RemoteWorkspace(SshClient ssh, String dir) {
        this(ssh, dir, UnaryOperator.identity());
    }

    /** A workspace whose stagers get {@code settings} on top of the budget. */
    RemoteWorkspace(SshClient ssh, String dir, UnaryOperator<SftpVideoStager.Builder> settings) {
        this.ssh = ssh;
        this.dir = dir;
        this.settings = settings;
    }

    @Override
    public VideoStager open(long budgetBytes) {
        return settings.apply(SftpVideoStager.builder(ssh, dir).budgetBytes(budgetBytes)).build();
    }

    @Override
    public void write(String name, byte[] bytes) {
        ssh.files().mkdirs(dir);
        ssh.files().write(new ByteArrayInputStream(bytes), dir + "/" + name, false, total -> { });
    }

    @Override
    public Optional<String> sha256(String name) {
        if (ssh.files().size(dir + "/" + name).isEmpty()) {
            return Optional.empty();
        }
        ExecResult r = ssh.exec(RemoteCommand.of("sha256sum", "--", dir + "/" + name));
        if (!r.ok()) {
            throw new AssertionError("sha256sum failed: " + r.err());
        }
        return Optional.of(r.out().replaceFirst("^\\\\", "").split("\\s+")[0]);
    }

    @Override
    public Set<String> names() {
        return ssh.files().list(dir).stream().map(e -> e.name()).collect(Collectors.toSet());
    }

    @Override
    public void remove(String name) {
        ssh.files().remove(dir + "/" + name);
    }
}
