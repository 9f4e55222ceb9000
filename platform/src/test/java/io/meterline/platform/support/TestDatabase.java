package io.meterline.platform.support;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MySQLContainer;

/**
 * Chooses the tests' database: {@code METERLINE_TEST_DB_URL} (CI points it at the local MariaDB),
 * else a Testcontainers MySQL 8 where Docker runs, else an in-memory H2 in MySQL mode.
 * {@code METERLINE_TEST_DB=h2} forces H2.
 */
public final class TestDatabase {

    private static MySQLContainer<?> mysql;

    private TestDatabase() {
    }

    /** Datasource properties for one application context; each context starts from an empty schema. */
    public static synchronized Map<String, String> properties() {
        Map<String, String> properties = new HashMap<>();
        String url = System.getenv("METERLINE_TEST_DB_URL");
        boolean forceH2 = "h2".equalsIgnoreCase(System.getenv("METERLINE_TEST_DB"));
        if (!forceH2 && url != null && !url.isBlank()) {
            properties.put("datasources.default.url", url);
            properties.put("datasources.default.username", env("METERLINE_TEST_DB_USER", "root"));
            properties.put("datasources.default.password", env("METERLINE_TEST_DB_PASSWORD", ""));
            properties.put("flyway.datasources.default.clean-schema", "true");
        }
        else if (!forceH2 && dockerAvailable()) {
            if (mysql == null) {
                mysql = new MySQLContainer<>("mysql:8.4");
                mysql.start();
            }
            properties.put("datasources.default.url", mysql.getJdbcUrl());
            properties.put("datasources.default.username", mysql.getUsername());
            properties.put("datasources.default.password", mysql.getPassword());
            properties.put("flyway.datasources.default.clean-schema", "true");
        }
        else {
            properties.put("datasources.default.url", "jdbc:h2:mem:" + UUID.randomUUID()
                    + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;CASE_INSENSITIVE_IDENTIFIERS=TRUE;DB_CLOSE_DELAY=-1");
            properties.put("datasources.default.username", "sa");
            properties.put("datasources.default.password", "");
        }
        // A free port per server, so tests never collide with a server already running on 8080.
        properties.put("micronaut.server.port", "-1");
        properties.put("meterline.jwt-secret", "test-secret-test-secret-test-secret-test-secret-0123456789");
        properties.put("meterline.bootstrap-admin.email", TestApi.ADMIN_EMAIL);
        properties.put("meterline.bootstrap-admin.password", TestApi.ADMIN_PASSWORD);
        // Tests have no internet: the ECB loader runs only where a test calls it (fx.FxRatesIT, against WireMock).
        properties.put("meterline.fx.ecb-enabled", "false");
        return properties;
    }


    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        }
        catch (RuntimeException e) {
            return false;
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null ? fallback : value;
    }
}
