package io.meterline.plugin.elevenlabs;

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

class ElevenLabsPluginTest {

    private final ProviderPlugin plugin = new ElevenLabsPluginFactory().create(PluginConfig.empty());

    @Test
    void passesTheTestKit() {
        ProviderPluginTestKit.verify(new ElevenLabsPluginFactory());
        ProviderPluginTestKit.verifyDiscoverable(ElevenLabsPluginFactory.class);
    }

    @Test
    void characterCountBecomesCharacters() throws UsageException {
        assertThat(normalize(Map.of("character_count", new BigDecimal("1234")))).containsOnly(entry("characters", new BigDecimal("1234")));
    }

    @Test
    void badUsageIsRejected() {
        assertInvalid(Map.of("characters_used", 10), "usage.character_count");
        assertInvalid(Map.of("character_count", "10"), "usage.character_count");
        assertInvalid(Map.of("character_count", -10), "usage.character_count");
        assertInvalid(Map.of("character_count", new BigDecimal("10.5")), "usage.character_count");
    }

    @Test
    void pricesThirtyCentsPerTenThousandCharactersForAnyModel() throws UsageException {
        List<PricedLine> lines = plugin.price("eleven_turbo_v2_5", normalize(Map.of("character_count", 25_000)),
                ProviderPluginTestKit.defaultRateLookup(plugin));

        assertThat(lines).singleElement().extracting(PricedLine::amount).isEqualTo(new BigDecimal("0.750000000000"));
    }

    @Test
    void pricesASingleCharacter() throws UsageException {
        List<PricedLine> lines = plugin.price("eleven_flash_v2_5", normalize(Map.of("character_count", 1)),
                ProviderPluginTestKit.defaultRateLookup(plugin));

        assertThat(lines).singleElement().extracting(PricedLine::amount).isEqualTo(new BigDecimal("0.000030000000"));
    }

    private Map<String, BigDecimal> normalize(Map<String, Object> usage) throws UsageException {
        return plugin.normalize(new UsageInput("eleven_multilingual_v2", Map.of(), usage));
    }

    private void assertInvalid(Map<String, Object> usage, String field) {
        assertThatThrownBy(() -> normalize(usage))
                .isInstanceOfSatisfying(UsageException.class, exception -> {
                    assertThat(exception.code()).isEqualTo(UsageException.Code.INVALID_USAGE);
                    assertThat(exception.field()).isEqualTo(field);
                });
    }
}
