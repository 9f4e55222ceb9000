package io.meterline.platform.support;

import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** A test against one running server on the chosen test database, shared by the class's tests. */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ServerTest implements TestPropertyProvider {

    @Inject
    protected EmbeddedServer server;

    @Inject
    protected JsonMapper jsonMapper;

    protected TestApi api;

    @Override
    public Map<String, String> getProperties() {
        return TestDatabase.properties();
    }

    @BeforeAll
    void startApi() {
        api = new TestApi(server.getURI(), jsonMapper);
    }
}
