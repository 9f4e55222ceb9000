package io.meterline.platform.ledger;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.NotNull;
import java.util.List;

/**
 * The ledger ({@code meterline.ledger.*}); every default lives in application.yml.
 *
 * @param referenceRates the meters, {@code provider/model/meter} ({@code *} for any model), whose rates a plan's
 *                       token allowance is shown against
 */
@ConfigurationProperties("meterline.ledger")
public record LedgerConfiguration(@NotNull List<String> referenceRates) {

    public LedgerConfiguration {
        referenceRates = List.copyOf(referenceRates);
    }
}
