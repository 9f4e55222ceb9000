package io.meterline.platform.budget;

import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.fx.Conversion;
import io.meterline.platform.fx.FxConverter;
import io.meterline.platform.pricing.MeterClass;
import io.meterline.platform.pricing.PluginRegistry;
import io.meterline.platform.usage.RecordedUsage;
import io.meterline.platform.usage.StoredLine;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which calls a budget counts, and how much of a recorded event or of an authorization's estimate
 * counts against it. A COST budget counts money in its own currency: an event's figure in the
 * billing currency ({@link RecordedUsage#billing()}) as it is when the budget is in that currency
 * (every budget created since issue 16), else converted into the budget's currency at the rate of the
 * event's UTC day (a budget kept from a former billing currency). An event without a billing figure
 * (unpriced, or held unconverted) counts nothing until it has one; a currency without any rate on or
 * before the day counts nothing (the fx converter falls back to the last published rate, so only a
 * currency that never had one).
 */
@Singleton
public class BudgetMeasure {

    private final PluginRegistry plugins;
    private final FxConverter fx;
    private final Clock clock;

    public BudgetMeasure(PluginRegistry plugins, FxConverter fx, Clock clock) {
        this.plugins = plugins;
        this.fx = fx;
        this.clock = clock;
    }

    /**
     * Who made a call: the scope values it is attributed to.
     *
     * @param apiKeyId the API key's row id, or null
     */
    public record Caller(@Nullable Long apiKeyId, @Nullable String accountId, @Nullable String member, @Nullable String team,
                         @Nullable String project, @Nullable String department) {
    }

    /** Whether a budget's scope and provider filter cover a call by this caller to this provider. */
    public boolean covers(Budget budget, Caller caller, String provider) {
        if (budget.provider() != null && !budget.provider().equals(provider)) {
            return false;
        }
        String key = budget.scopeKey();
        return switch (budget.scopeKind()) {
            case ORGANIZATION -> true;
            case API_KEY -> caller.apiKeyId() != null && String.valueOf(caller.apiKeyId()).equals(key);
            case ACCOUNT_ID -> Objects.equals(key, caller.accountId());
            case MEMBER -> Objects.equals(key, caller.member());
            case TEAM -> Objects.equals(key, caller.team());
            case PROJECT -> Objects.equals(key, caller.project());
            case DEPARTMENT -> Objects.equals(key, caller.department());
        };
    }

    static Caller callerOf(RecordedUsage usage) {
        return new Caller(usage.apiKeyId(), usage.dimensions().accountId(), usage.dimensions().member(), usage.dimensions().team(),
                usage.dimensions().project(), usage.dimensions().department());
    }

    /** How much of a recorded event counts against a budget; zero when it is not covered. */
    public BigDecimal amountOf(Budget budget, RecordedUsage usage) {
        if (!covers(budget, callerOf(usage), usage.provider())) {
            return BigDecimal.ZERO;
        }
        return switch (budget.metric()) {
            case REQUESTS -> BigDecimal.valueOf(usage.requests());
            case COST -> costIn(budget, usage);
            case TOKENS -> {
                BigDecimal tokens = BigDecimal.ZERO;
                // Every meter whose unit is tokens, whatever the provider calls it (MeterClass: input plus output).
                Map<String, String> units = plugins.units(usage.provider());
                for (StoredLine line : usage.lines()) {
                    if (MeterClass.of(line.meter(), units.get(line.meter())).tokens()) {
                        tokens = tokens.add(line.quantity());
                    }
                }
                yield tokens;
            }
            case METER_UNITS -> {
                BigDecimal units = BigDecimal.ZERO;
                for (StoredLine line : usage.lines()) {
                    if (line.meter().equals(budget.meter())) {
                        units = units.add(line.quantity());
                    }
                }
                yield units;
            }
        };
    }

    private BigDecimal costIn(Budget budget, RecordedUsage usage) {
        Conversion billing = usage.billing();
        if (billing == null || budget.currency() == null) {
            return BigDecimal.ZERO;
        }
        if (budget.currency().equals(billing.currencyCode())) {
            return billing.amount();
        }
        return fx.convert(billing.amount(), billing.currencyCode(), budget.currency(), LocalDate.ofInstant(usage.timestamp(), ZoneOffset.UTC))
                .map(Conversion::amount).orElse(BigDecimal.ZERO);
    }

    /**
     * What a call's estimate would add to a budget. A cost estimate in another currency than the
     * budget's is converted at today's rate (UTC day, as usage is).
     *
     * @throws UserInputException NO_EXCHANGE_RATE when the estimate's currency has no rate into the budget's yet
     */
    public BigDecimal requested(Budget budget, AuthorizationService.Estimate estimate) {
        BigDecimal value = switch (budget.metric()) {
            case TOKENS -> estimate.tokens();
            case COST -> estimate.cost() == null || estimate.currency() == null || estimate.currency().equals(budget.currency()) ? estimate.cost()
                    : fx.convert(estimate.cost(), estimate.currency(), budget.currency(), LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC))
                            .map(Conversion::amount)
                            .orElseThrow(() -> new UserInputException(new UserError(List.of("input", "estimate", "currency"), "There is no exchange rate from "
                                    + estimate.currency() + " to " + budget.currency() + " (the currency of budget " + budget.name() + ") yet",
                                    BudgetErrorCode.NO_EXCHANGE_RATE)));
            case REQUESTS -> estimate.requests() == null ? BigDecimal.ONE : estimate.requests();
            case METER_UNITS -> estimate.meterUnits();
        };
        return value == null ? BigDecimal.ZERO : value;
    }

    /** The unit of a provider's meter, if both exist. */
    public Optional<String> unitOf(String provider, String meter) {
        return Optional.ofNullable(plugins.units(provider).get(meter));
    }

    public boolean providerExists(String provider) {
        return plugins.find(provider).isPresent();
    }
}
