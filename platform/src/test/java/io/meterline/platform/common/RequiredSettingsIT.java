package io.meterline.platform.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterline.platform.accountid.AccountIdSignInConfiguration;
import io.meterline.platform.support.TestDatabase;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The server refuses to start on an unusable required setting, with one line naming the variable and the rule. */
class RequiredSettingsIT {

    private static final String SECRET_LINE = "METERLINE_JWT_SECRET (meterline.jwt-secret) must be at least 32 bytes, it is 12:"
            + " generate one with `openssl rand -hex 32` and give every instance the same value";

    private static Map<String, Object> settings(String name, String value) {
        Map<String, Object> properties = new HashMap<>(TestDatabase.properties());
        properties.put(name, value);
        return properties;
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable current = failure;
        while (current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    @Test
    void aTwelveCharacterSecretStopsTheStartWithOneLine() {
        assertThatThrownBy(() -> ApplicationContext.run(EmbeddedServer.class, settings("meterline.jwt-secret", "twelve-chars")).close())
                .satisfies(failure -> {
                    assertThat(rootCause(failure)).isInstanceOf(RequiredSettings.SettingsRefused.class);
                    assertThat(rootCause(failure).getMessage()).isEqualTo(SECRET_LINE);
                });
    }

    @Test
    void everyRequiredSettingIsCheckedOneLineEach() {
        Map<String, Object> properties = settings("meterline.jwt-secret", "");
        properties.put("meterline.bootstrap-admin.password", "");
        properties.put("meterline.links.base-url", "app.example.com");
        assertThat(RequiredSettings.problems(ApplicationContext.builder().properties(properties).build().getEnvironment().start())).satisfiesExactly(
                secret -> assertThat(secret).startsWith("METERLINE_JWT_SECRET (meterline.jwt-secret) must be at least 32 bytes, it is 0"),
                admin -> assertThat(admin).startsWith("METERLINE_BOOTSTRAP_ADMIN_EMAIL and METERLINE_BOOTSTRAP_ADMIN_PASSWORD"),
                link -> assertThat(link).startsWith("METERLINE_APP_URL (meterline.links.base-url) must be an absolute"));
    }

    @Test
    void aThirtyTwoByteSecretStarts() {
        try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, settings("meterline.jwt-secret", "0123456789abcdef0123456789abcdef"))) {
            assertThat(server.isRunning()).isTrue();
            assertThat(RequiredSettings.problems(server.getEnvironment())).isEmpty();
        }
    }

    /** Configuration records hold no defaults of their own: each comes from application.yml, the one place. */
    @Test
    void theDefaultsComeFromApplicationYml() {
        try (ApplicationContext context = ApplicationContext.run(new HashMap<>(TestDatabase.properties()))) {
            assertThat(context.getBean(AccountIdSignInConfiguration.class)).isEqualTo(new AccountIdSignInConfiguration(5, 20, Duration.ofMinutes(15), 28800));
        }
    }

    @Test
    void aValueOutOfItsRangeIsRefusedNamingTheSetting() {
        try (ApplicationContext context = ApplicationContext.run(settings("meterline.account-id.sign-in.max-failures-per-code", "0"))) {
            assertThatThrownBy(() -> context.getBean(AccountIdSignInConfiguration.class))
                    .rootCause().hasMessageContaining("AccountIdSignInConfiguration.maxFailuresPerCode - must be greater than or equal to 1");
        }
    }
}
