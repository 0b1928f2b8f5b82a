package dev.juggler.stage;

import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

/** {@link StagingProtocol} over {@link InMemoryTransport} keeps the {@link VideoStagerContract}. */
class InMemoryStagerContractTest extends VideoStagerContract {

    @Override
    protected Workspace newWorkspace() {
        InMemoryTransport transport = new InMemoryTransport();
        return new Workspace() {
            @Override
            public VideoStager open(long budgetBytes) {
                return StagingProtocol.builder().budgetBytes(budgetBytes).build(transport);
            }

            @Override
            public void write(String name, byte[] bytes) {
                transport.files.put(name, bytes.clone());
            }

            @Override
            public Optional<String> sha256(String name) throws Exception {
                byte[] bytes = transport.files.get(name);
                return bytes == null ? Optional.empty()
                        : Optional.of(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
            }

            @Override
            public Set<String> names() {
                return new HashSet<>(transport.files.keySet());
            }

            @Override
            public void remove(String name) {
                transport.files.remove(name);
            }
        };
    }
}
