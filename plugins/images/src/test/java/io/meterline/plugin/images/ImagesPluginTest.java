package io.meterline.plugin.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

class ImagesPluginTest {

    private final ProviderPlugin plugin = new ImagesPluginFactory().create(PluginConfig.empty());

    @Test
    void passesTheTestKit() {
        ProviderPluginTestKit.verify(new ImagesPluginFactory());
        ProviderPluginTestKit.verifyDiscoverable(ImagesPluginFactory.class);
    }

    @Test
    void pricesTenThousandImagesAtOneDollar() throws UsageException {
        Map<String, BigDecimal> quantities = plugin.normalize(new UsageInput("dall-e-3", Map.of("images", new BigDecimal("10000")), Map.of()));

        List<PricedLine> lines = plugin.price("dall-e-3", quantities, ProviderPluginTestKit.defaultRateLookup(plugin));

        assertThat(lines).singleElement().extracting(PricedLine::amount).isEqualTo(new BigDecimal("1.000000000000"));
    }

    @Test
    void nativeUsageIsRejected() {
        assertThatThrownBy(() -> plugin.normalize(new UsageInput("vision", Map.of(), Map.of("images", 3))))
                .isInstanceOfSatisfying(UsageException.class,
                        exception -> assertThat(exception.code()).isEqualTo(UsageException.Code.INVALID_USAGE));
    }
}
