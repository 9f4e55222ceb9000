package io.meterline.platform.admin;

import io.meterline.platform.common.Money;
import java.math.BigDecimal;
import java.util.List;

/**
 * One service's usage in one unit: OpenAI in tokens, ElevenLabs in characters, Smartflo in minutes,
 * images in images. A provider whose meters have two units has one row per unit, each with the
 * provider's calls.
 *
 * @param service the provider id
 * @param unit the unit its plugin declares for the meters added up, such as {@code token}
 * @param quantity those meters' total
 * @param cost the cost of those meters in the view's currency (see {@link CostFigures}; the rollup keeps a provider's
 *             cost, not its units': a provider with two units shows it on its first unit's row, every installed plugin has one)
 * @param originalCost the priced amount of those meters, one per currency
 * @param unconvertedCost billing-currency amounts no rate converts into the view's currency yet
 * @param unconvertedRequests priced calls to the provider still waiting for a rate into the billing currency
 * @param calls calls to the provider
 * @param errorCalls calls to the provider that ended with an error status
 */
public record ServiceUsage(String service, String unit, BigDecimal quantity, Money cost, List<Money> originalCost, List<Money> unconvertedCost,
                           long unconvertedRequests, long calls, long errorCalls) {

    ServiceUsage(String service, String unit, BigDecimal quantity, CostFigures figures, long calls, long errorCalls) {
        this(service, unit, quantity, figures.cost(), figures.originalCost(), figures.unconvertedCost(), figures.unconvertedRequests(), calls, errorCalls);
    }
}
