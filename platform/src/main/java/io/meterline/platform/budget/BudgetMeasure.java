package io.meterline.platform.budget;

import io.meterline.platform.pricing.MeterClass;
import io.meterline.platform.pricing.PluginRegistry;
import io.meterline.platform.usage.RecordedUsage;
import io.meterline.platform.usage.StoredLine;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Which calls a budget counts, and how much of a recorded event counts against it. */
@Singleton
public class BudgetMeasure {

    private final PluginRegistry plugins;

    public BudgetMeasure(PluginRegistry plugins) {
        this.plugins = plugins;
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
            case COST -> usage.cost() != null && budget.currency() != null && budget.currency().equals(usage.currency()) ? usage.cost() : BigDecimal.ZERO;
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

    /** The unit of a provider's meter, if both exist. */
    public Optional<String> unitOf(String provider, String meter) {
        return Optional.ofNullable(plugins.units(provider).get(meter));
    }

    public boolean providerExists(String provider) {
        return plugins.find(provider).isPresent();
    }
}
