package io.meterline.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code POST /login} is throttled after repeated failures per account and per client address, across instances, and forgets old failures. */
class SignInThrottleIT extends ServerTest {

    private static final Map<String, String> THROTTLE = Map.of(
            "meterline.sign-in.max-account-failures", "5",
            "meterline.sign-in.max-address-failures", "8",
            "micronaut.server.client-address-header", "X-Forwarded-For");

    @Inject
    TransactionOperations<Connection> transactions;

    Rows rows;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.putAll(THROTTLE);
        return properties;
    }

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        Fixtures.tenant(api, "throttle", "UTC");
    }

    private TestApi.Response signIn(URI base, String address, String email, String password) {
        return api.send(HttpRequest.newBuilder(base.resolve("/login")).header("Content-Type", "application/json").header("X-Forwarded-For", address)
                .POST(HttpRequest.BodyPublishers.ofString(api.write(Map.of("username", email, "password", password)))).build());
    }

    @Test
    void anAccountIsLockedAfterFiveFailuresAcrossTwoInstancesUntilTheyAge() {
        Map<String, String> second = new HashMap<>(THROTTLE);
        try (EmbeddedServer other = startSecondInstance(second)) {
            String email = "admin@throttle.test";
            for (int i = 0; i < 5; i++) {
                URI base = i % 2 == 0 ? server.getURI() : other.getURI();
                assertThat(signIn(base, "10.0.0." + i, email, "wrong-password-" + i).status()).isEqualTo(401);
            }
            // Even the right password, from a fresh address, on either instance.
            for (URI base : new URI[] {server.getURI(), other.getURI()}) {
                TestApi.Response locked = signIn(base, "10.0.1.1", email, Fixtures.PASSWORD);
                assertThat(locked.status()).isEqualTo(429);
                assertThat(locked.at("error")).isEqualTo("too_many_attempts");
                assertThat((String) locked.at("message")).startsWith("Too many failed sign-ins for this account. Try again in 15 minutes");
                assertThat((Integer) locked.at("retryAfterSeconds")).isBetween(1, 900);
            }
            assertThat(signIn(server.getURI(), "10.0.1.2", "member@throttle.test", Fixtures.PASSWORD).status()).as("another account").isEqualTo(200);
            assertThat(rows.count("SELECT COUNT(*) FROM sign_in_failure")).isEqualTo(5);

            rows.execute("UPDATE sign_in_failure SET failed_at = ?", Timestamp.from(Instant.now().minusSeconds(16 * 60)));
            assertThat(signIn(other.getURI(), "10.0.1.1", email, Fixtures.PASSWORD).status()).isEqualTo(200);
            // A success forgets the account's failures.
            assertThat(rows.count("SELECT COUNT(*) FROM sign_in_failure")).isZero();
        }
    }

    @Test
    void anAddressIsThrottledAfterManyFailuresOnAnyAccounts() {
        String address = "192.0.2.77";
        for (int i = 0; i < 8; i++) {
            assertThat(signIn(server.getURI(), address, "nobody" + i + "@throttle.test", "wrong-password-1").status()).isEqualTo(401);
        }
        TestApi.Response blocked = signIn(server.getURI(), address, "member@throttle.test", Fixtures.PASSWORD);
        assertThat(blocked.status()).isEqualTo(429);
        assertThat((String) blocked.at("message")).startsWith("Too many failed sign-ins from your network address");
        assertThat(signIn(server.getURI(), "192.0.2.78", "member@throttle.test", Fixtures.PASSWORD).status()).isEqualTo(200);
        assertThat(rows.count("SELECT COUNT(*) FROM sign_in_failure WHERE client_address = ?", address)).isEqualTo(8);
        rows.execute("DELETE FROM sign_in_failure");
    }
}
