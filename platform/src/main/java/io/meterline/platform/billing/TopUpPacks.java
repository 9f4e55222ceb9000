package io.meterline.platform.billing;

import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The top-up packs of {@code meterline.stripe.top-up-packs}, read once at startup: a malformed
 * entry stops the server rather than selling a wrong pack.
 */
@Singleton
public class TopUpPacks {

    private final Map<String, TopUpPack> byId;

    public TopUpPacks(StripeConfiguration configuration) {
        this(configuration.topUpPacks());
    }

    TopUpPacks(List<String> specifications) {
        Map<String, TopUpPack> packs = new LinkedHashMap<>();
        for (String specification : specifications) {
            TopUpPack pack = parse(specification.trim());
            if (packs.putIfAbsent(pack.id(), pack) != null) {
                throw new IllegalArgumentException("meterline.stripe.top-up-packs lists " + pack.id() + " twice");
            }
        }
        this.byId = Map.copyOf(packs);
    }

    private static TopUpPack parse(String specification) {
        String[] parts = specification.split(":");
        if (parts.length != 3) {
            throw new IllegalArgumentException("meterline.stripe.top-up-packs entry '" + specification + "' is not CURRENCY:TOKENS:PRICE");
        }
        String currency = parts[0].trim().toUpperCase(Locale.ROOT);
        try {
            int digits = Currency.getInstance(currency).getDefaultFractionDigits();
            long tokens = Long.parseLong(parts[1].trim());
            BigDecimal price = new BigDecimal(parts[2].trim());
            if (tokens <= 0 || price.signum() <= 0 || price.stripTrailingZeros().scale() > Math.max(digits, 0)) {
                throw new IllegalArgumentException("meterline.stripe.top-up-packs entry '" + specification
                        + "' needs a positive token count and a positive price with at most " + digits + " decimals");
            }
            return TopUpPack.of(currency, tokens, price);
        }
        catch (NumberFormatException e) {
            throw new IllegalArgumentException("meterline.stripe.top-up-packs entry '" + specification + "' has a malformed number", e);
        }
    }

    public Optional<TopUpPack> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The packs in one currency, fewest tokens first. */
    public List<TopUpPack> inCurrency(String currency) {
        List<TopUpPack> packs = new ArrayList<>();
        byId.values().stream().filter(pack -> pack.price().currencyCode().equals(currency)).forEach(packs::add);
        packs.sort((left, right) -> Long.compare(left.tokens(), right.tokens()));
        return List.copyOf(packs);
    }
}
