package io.meterline.plugin.testkit;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterline.plugin.spi.Meter;
import io.meterline.plugin.spi.Model;
import io.meterline.plugin.spi.Rate;

import java.util.List;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

class ProviderPluginTestKitTest {

    @Test
    void correctPluginPasses() {
        assertThatCode(() -> ProviderPluginTestKit.verify(new FakeProviderPluginFactory())).doesNotThrowAnyException();
    }

    @Test
    void registeredFactoryIsDiscoverable() {
        assertThatCode(() -> ProviderPluginTestKit.verifyDiscoverable(FakeProviderPluginFactory.class)).doesNotThrowAnyException();
    }

    @Test
    void unregisteredFactoryIsNotDiscoverable() {
        assertThatThrownBy(() -> ProviderPluginTestKit.verifyDiscoverable(UnregisteredProviderPluginFactory.class))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("UnregisteredProviderPluginFactory is not discoverable")
                .hasMessageContaining("META-INF/services/io.meterline.plugin.spi.ProviderPluginFactory");
    }

    @Test
    void upperCaseFactoryIdFails() {
        assertFailure(parts -> parts.withFactoryId("Fake"), "must match [a-z0-9-]+");
    }

    @Test
    void pluginIdDifferentFromFactoryIdFails() {
        assertFailure(parts -> parts.withPluginId("other"), "plugin.id() is 'other' but the factory id is 'fake'");
    }

    @Test
    void versionThatIsNotSemanticFails() {
        assertFailure(parts -> parts.withVersion("latest"), "version 'latest' is not a semantic version");
    }

    @Test
    void blankDisplayNameFails() {
        assertFailure(parts -> parts.withDisplayName(" "), "displayName() is blank");
    }

    @Test
    void noMetersFails() {
        assertFailure(parts -> parts.withMeters(List.of()).withRates(List.of()), "meters() is empty");
    }

    @Test
    void badMeterKeyFails() {
        assertFailure(parts -> parts.withMeters(List.of(new Meter("Input-Tokens", "token", true, "Tokens."))).withRates(List.of()),
                "meter key 'Input-Tokens' must match [a-z_]+");
    }

    @Test
    void duplicateMeterFails() {
        Meter requests = new Meter("requests", "request", true, "Calls made.");
        assertFailure(parts -> parts.withMeters(List.of(requests, requests)).withRates(List.of()), "meter requests is declared twice");
    }

    @Test
    void duplicateModelFails() {
        assertFailure(parts -> parts.withModels(List.of(new Model("large", "Large"), new Model("large", "Large again"))),
                "model large is declared twice");
    }

    @Test
    void rateOfUnknownMeterFails() {
        assertFailure(parts -> parts.withRates(List.of(Rate.of(Rate.ANY_MODEL, "minutes", "0.02", 1, "USD"))),
                "refers to unknown meter minutes");
    }

    @Test
    void rateOfUnknownModelFails() {
        assertFailure(parts -> parts.withRates(List.of(Rate.of("huge", "requests", "0.02", 1, "USD"))),
                "refers to unknown model huge");
    }

    @Test
    void twoRatesForOneModelAndMeterFail() {
        assertFailure(parts -> parts.withRates(List.of(Rate.of("large", "requests", "0.02", 1, "USD"),
                Rate.of("large", "requests", "0.03", 1, "USD"))), "default rate large/requests is declared twice");
    }

    @Test
    void pluginThatSkipsValidationFails() {
        assertFailure(FakeProviderPluginFactory.Parts::withoutValidation, "normalize() accepted an unknown meter");
    }

    @Test
    void pluginThatAcceptsFractionsOfIntegralMeterFails() {
        assertFailure(FakeProviderPluginFactory.Parts::withFractionsAccepted, "accepted a fraction of integral meter requests");
    }

    @Test
    void unpricedMeterPricedAsFreeFails() {
        assertFailure(FakeProviderPluginFactory.Parts::withUnpricedAsFree, "must stay unpriced, not free");
    }

    @Test
    void billingLessThanUsedFails() {
        assertFailure(parts -> parts.withBillableFactor("0.5"), "less than the quantity used");
    }

    @Test
    void roundingUpIsAllowed() {
        assertThatCode(() -> ProviderPluginTestKit.verify(FakeProviderPluginFactory.brokenBy(parts -> parts.withBillableFactor("2"))))
                .doesNotThrowAnyException();
    }

    @Test
    void factoryThatAcceptsUnknownConfigurationFails() {
        assertFailure(FakeProviderPluginFactory.Parts::withoutConfigurationCheck, "accepted unknown configuration key");
    }

    private static void assertFailure(UnaryOperator<FakeProviderPluginFactory.Parts> breakage, String message) {
        assertThatThrownBy(() -> ProviderPluginTestKit.verify(FakeProviderPluginFactory.brokenBy(breakage)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(message);
    }
}
