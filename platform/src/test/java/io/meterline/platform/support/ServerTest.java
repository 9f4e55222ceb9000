package io.meterline.platform.support;

import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Inject;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import java.util.HashMap;
import java.util.List;
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

    /**
     * Starts a second server instance of this test's deployment (same database without clean, same
     * JWT secret, same Redis and prefix when set), for tests of what must hold across instances.
     * Close it when done.
     */
    protected EmbeddedServer startSecondInstance(Map<String, String> extraProperties) {
        Environment environment = server.getApplicationContext().getEnvironment();
        Map<String, Object> properties = new HashMap<>();
        for (String key : List.of("datasources.default.url", "datasources.default.username", "datasources.default.password", "meterline.jwt-secret")) {
            properties.put(key, environment.getProperty(key, String.class).orElse(""));
        }
        for (String key : List.of("redis.uri", "meterline.redis.prefix")) {
            environment.getProperty(key, String.class).ifPresent(value -> properties.put(key, value));
        }
        properties.put("flyway.datasources.default.clean-schema", "false");
        properties.put("micronaut.server.port", "-1");
        properties.putAll(extraProperties);
        return ApplicationContext.run(EmbeddedServer.class, properties);
    }

    @BeforeAll
    void startApi() {
        api = new TestApi(server.getURI(), jsonMapper);
    }
}
