package io.meterline.platform.billing;

import io.meterline.platform.common.Money;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * A token top-up on sale: so many tokens for a price in one currency.
 *
 * @param id the stable id the API takes, {@code CURRENCY-TOKENS} such as {@code CAD-1000000}
 * @param tokens the top-up tokens it adds (they never expire)
 * @param price what it costs
 */
public record TopUpPack(String id, long tokens, Money price) {

    public TopUpPack {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(price, "price is null");
    }

    static TopUpPack of(String currency, long tokens, BigDecimal price) {
        return new TopUpPack(currency + "-" + tokens, tokens, new Money(price, currency));
    }
}
