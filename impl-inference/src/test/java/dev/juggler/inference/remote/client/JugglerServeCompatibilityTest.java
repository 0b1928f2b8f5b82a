package dev.juggler.inference.remote.client;

import dev.juggler.inference.remote.server.InferenceServer;
import java.net.URI;
import java.util.Optional;

/** The client contract against Juggler's own server ({@code juggler serve}'s). */
class JugglerServeCompatibilityTest extends OipClientContract {

    @Override
    protected Target start() {
        AdderModel model = new AdderModel();
        InferenceServer server = InferenceServer.builder().model(model).bind("127.0.0.1:0").start();
        return new Target() {
            @Override
            public URI url() {
                return URI.create(server.url());
            }

            @Override
            public Optional<String> version() {
                return Optional.of("1");
            }

            @Override
            public boolean binary() {
                return true;
            }

            @Override
            public long poisonCalls() {
                return model.poisonCalls.get();
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }
}
