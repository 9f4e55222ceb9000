package io.meterline.plugin.smartflo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.meterline.plugin.spi.PluginConfig;
import io.meterline.plugin.spi.PricedLine;
import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.plugin.spi.UsageException;
import io.meterline.plugin.spi.UsageInput;
import io.meterline.plugin.testkit.ProviderPluginTestKit;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SmartfloPluginTest {

    private final ProviderPlugin perMinute = new SmartfloPluginFactory().create(PluginConfig.empty());
    private final ProviderPlugin sixSecondPulses = new SmartfloPluginFactory()
            .create(new PluginConfig(Map.of("billing-increment-seconds", "6")));

    @Test
    void passesTheTestKit() {
        ProviderPluginTestKit.verify(new SmartfloPluginFactory());
        ProviderPluginTestKit.verifyDiscoverable(SmartfloPluginFactory.class);
    }

    @Test
    void durationSecondsBecomeMinutes() throws UsageException {
        assertThat(normalize(perMinute, 75)).containsOnly(entry("minutes", new BigDecimal("1.25")));
        assertThat(normalize(perMinute, 600)).containsOnly(entry("minutes", new BigDecimal("10")));
        assertThat(normalize(perMinute, 10)).containsOnly(entry("minutes", new BigDecimal("0.166666667")));
    }

    @Test
    void perMinuteBillingRoundsAStartedMinuteUp() throws UsageException {
        assertThat(billable(perMinute, 75)).isEqualTo(new BigDecimal("2"));
        assertThat(billable(perMinute, 120)).isEqualTo(new BigDecimal("2"));
        assertThat(billable(perMinute, 121)).isEqualTo(new BigDecimal("3"));
    }

    @Test
    void sixSecondPulsesBillTenthsOfAMinute() throws UsageException {
        assertThat(billable(sixSecondPulses, 75)).isEqualTo(new BigDecimal("1.3"));
        assertThat(billable(sixSecondPulses, 78)).isEqualTo(new BigDecimal("1.3"));
        assertThat(billable(sixSecondPulses, 79)).isEqualTo(new BigDecimal("1.4"));
    }

    @Test
    void shortCallBillsTheMinimum() throws UsageException {
        assertThat(billable(perMinute, 10)).isEqualTo(new BigDecimal("1"));
        assertThat(billable(sixSecondPulses, 10)).isEqualTo(new BigDecimal("1"));
        ProviderPlugin thirtySecondMinimum = new SmartfloPluginFactory()
                .create(new PluginConfig(Map.of("billing-increment-seconds", "6", "minimum-seconds", "30")));
        assertThat(billable(thirtySecondMinimum, 10)).isEqualTo(new BigDecimal("0.5"));
    }

    @Test
    void repeatingMinutesDoNotGainASecond() throws UsageException {
        // 10 s is 0.166666667 min; multiplied back it is 10.00000002 s, which must still bill 10 s.
        ProviderPlugin perSecond = new SmartfloPluginFactory()
                .create(new PluginConfig(Map.of("billing-increment-seconds", "1", "minimum-seconds", "1")));
        assertThat(billable(perSecond, 10)).isEqualTo(new BigDecimal("0.166666667"));
        assertThat(billable(perSecond, 61)).isEqualTo(new BigDecimal("1.016666667"));
        assertThat(perSecond.billableQuantity("minutes", new BigDecimal("0.1666666666"))).isEqualTo(new BigDecimal("0.166666667"));
        // A fraction of a second still counts as a whole one.
        assertThat(perSecond.billableQuantity("minutes", new BigDecimal("0.17"))).isEqualTo(new BigDecimal("0.183333334"));
    }

    @Test
    void pricesBillableMinutes() throws UsageException {
        List<PricedLine> lines = sixSecondPulses.price("voice", normalize(sixSecondPulses, 75),
                ProviderPluginTestKit.defaultRateLookup(sixSecondPulses));

        assertThat(lines).singleElement().satisfies(line -> {
            assertThat(line.quantity()).isEqualTo(new BigDecimal("1.25"));
            assertThat(line.billableQuantity()).isEqualTo(new BigDecimal("1.3"));
            assertThat(line.amount()).isEqualTo(new BigDecimal("0.026000000000"));
        });
    }

    @Test
    void zeroDurationIsNotACall() throws UsageException {
        assertThat(perMinute.price("voice", normalize(perMinute, 0), ProviderPluginTestKit.defaultRateLookup(perMinute))).isEmpty();
    }

    @Test
    void badUsageIsRejected() {
        assertInvalid(Map.of("duration", 10));
        assertInvalid(Map.of("duration_seconds", "10"));
        assertInvalid(Map.of("duration_seconds", -1));
    }

    @Test
    void fractionalSecondsAreAccepted() throws UsageException {
        assertThat(normalize(perMinute, new BigDecimal("4.5"))).containsOnly(entry("minutes", new BigDecimal("0.075")));
    }

    @Test
    void badConfigurationIsRejected() {
        SmartfloPluginFactory factory = new SmartfloPluginFactory();
        for (String bad : List.of("0", "-6", "6.5", "six", "", "1234567890")) {
            assertThatThrownBy(() -> factory.create(new PluginConfig(Map.of("billing-increment-seconds", bad))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("billing-increment-seconds");
            assertThatThrownBy(() -> factory.create(new PluginConfig(Map.of("minimum-seconds", bad))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("minimum-seconds");
        }
        assertThatThrownBy(() -> factory.create(new PluginConfig(Map.of("increment-seconds", "6"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("increment-seconds");
    }

    private static Map<String, BigDecimal> normalize(ProviderPlugin plugin, Object durationSeconds) throws UsageException {
        return plugin.normalize(new UsageInput("voice", Map.of(), Map.of("duration_seconds", durationSeconds)));
    }

    private static BigDecimal billable(ProviderPlugin plugin, int durationSeconds) throws UsageException {
        return plugin.billableQuantity("minutes", normalize(plugin, durationSeconds).get("minutes"));
    }

    private void assertInvalid(Map<String, Object> usage) {
        assertThatThrownBy(() -> perMinute.normalize(new UsageInput("voice", Map.of(), usage)))
                .isInstanceOfSatisfying(UsageException.class, exception -> {
                    assertThat(exception.code()).isEqualTo(UsageException.Code.INVALID_USAGE);
                    assertThat(exception.field()).isEqualTo("usage.duration_seconds");
                });
    }
}
