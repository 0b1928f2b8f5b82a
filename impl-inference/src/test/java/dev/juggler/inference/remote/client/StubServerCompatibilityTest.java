package dev.juggler.inference.remote.client;

import java.io.IOException;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Nested;

/** The client contract against stubs of other servers' quirks (see {@link StubOipServer.Quirks}). */
class StubServerCompatibilityTest {

    private abstract static class Stub extends OipClientContract {
        abstract StubOipServer.Quirks quirks();

        @Override
        protected Target start() throws IOException {
            StubOipServer server = new StubOipServer(quirks());
            return new Target() {
                @Override
                public URI url() {
                    return server.url();
                }

                @Override
                public Optional<String> version() {
                    return quirks().versionSegment() == null ? Optional.empty() : Optional.of("1");
                }

                @Override
                public boolean binary() {
                    return quirks().binary();
                }

                @Override
                public long poisonCalls() {
                    return server.poisonCalls.get();
                }

                @Override
                public void close() {
                    server.close();
                }
            };
        }
    }

    @Nested
    class TritonLike extends Stub {
        @Override
        StubOipServer.Quirks quirks() {
            return StubOipServer.Quirks.TRITON_LIKE;
        }
    }

    @Nested
    class JsonOnly extends Stub {
        @Override
        StubOipServer.Quirks quirks() {
            return StubOipServer.Quirks.JSON_ONLY;
        }
    }

    @Nested
    class NotReady424 extends Stub {
        @Override
        StubOipServer.Quirks quirks() {
            return StubOipServer.Quirks.NOT_READY_424;
        }
    }

    @Nested
    class SingularVersionPath extends Stub {
        @Override
        StubOipServer.Quirks quirks() {
            return StubOipServer.Quirks.SINGULAR_VERSION;
        }
    }

    @Nested
    class Unversioned extends Stub {
        @Override
        StubOipServer.Quirks quirks() {
            return StubOipServer.Quirks.UNVERSIONED;
        }
    }
}
