package io.meterline.platform.ledger;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.Money;
import io.meterline.platform.graphql.Connection;
import io.meterline.platform.graphql.GraphQLContextKeys;
import io.meterline.platform.graphql.GraphQLWiring;
import io.meterline.platform.graphql.NodeLoader;
import io.meterline.platform.graphql.Payloads;
import io.meterline.platform.security.Owner;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.time.DayRange;
import io.meterline.platform.time.ViewerZones;
import io.micronaut.context.annotation.Factory;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** GraphQL wiring of plans, the ledger and balances. */
@Singleton
public class LedgerGraphQL implements GraphQLWiring {

    private final LedgerService ledger;
    private final TenantScope tenantScope;
    private final ViewerZones zones;
    private final Clock clock;

    public LedgerGraphQL(LedgerService ledger, TenantScope tenantScope, ViewerZones zones, Clock clock) {
        this.ledger = ledger;
        this.tenantScope = tenantScope;
        this.zones = zones;
        this.clock = clock;
    }

    @Override
    public void wire(RuntimeWiring.Builder wiring) {
        wiring.type("Query", type -> type
                .dataFetcher("plans", environment -> {
                    // Hidden plans are assigned by platform admins; organization users see them only as their own plan.
                    boolean everything = viewer(environment).isPlatformAdmin();
                    return ledger.plans(Boolean.TRUE.equals(environment.getArgument("includeInactive"))).stream()
                            .filter(plan -> everything || plan.visible() || plan.freeBaseline()).toList();
                })
                .dataFetcher("balance", environment -> ledger.balance(viewer(environment), environment.getArgument("organizationId")))
                .dataFetcher("ledgerEntries", environment -> entries(environment, "kinds", null))
                .dataFetcher("transactions", environment -> {
                    Viewer viewer = viewer(environment);
                    Map<String, Object> range = environment.getArgument("range");
                    DayRange days = range == null ? null : DayRange.of(range, DayRange.Preset.CURRENT_MONTH,
                            zones.zoneFor(viewer.userId(), tenantScope.organizationFor(viewer, environment.getArgument("organizationId"))), clock);
                    return entries(environment, "types", days);
                }));
        wiring.type("Mutation", type -> type
                .dataFetcher("planCreate", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("plan", () -> ledger.createPlan(viewer(environment), planInput(input)));
                })
                .dataFetcher("planUpdate", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("plan", () -> ledger.updatePlan(viewer(environment), (String) input.get("id"), planInput(input)));
                })
                .dataFetcher("organizationPlanSet", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("balance", () -> ledger.setPlan(viewer(environment), (String) input.get("organizationId"), (String) input.get("planId")));
                })
                .dataFetcher("ledgerEntryCreate", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.fields(() -> {
                        Viewer viewer = viewer(environment);
                        LedgerEntry entry = ledger.createEntry(viewer, new LedgerService.AdminEntry((String) input.get("organizationId"),
                                LedgerEntryKind.valueOf((String) input.get("kind")), LedgerAccount.valueOf((String) input.get("account")),
                                (BigDecimal) input.get("amount"), (String) input.get("reason"), (String) input.get("description")));
                        Map<String, Object> payload = new HashMap<>();
                        payload.put("entry", entry);
                        payload.put("balance", ledger.balance(viewer, (String) input.get("organizationId")));
                        return payload;
                    });
                })
                .dataFetcher("balanceSettingsUpdate", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("balance", () -> ledger.updateSettings(viewer(environment), (String) input.get("organizationId"),
                            (BigDecimal) input.get("lowBalanceThreshold")));
                }));
        wiring.type("Plan", type -> type
                .dataFetcher("id", environment -> GlobalId.encode(Plan.TYPE, environment.<Plan>getSource().id()))
                .dataFetcher("monthlyPrice", environment -> environment.<Plan>getSource().monthlyPriceMoney()));
        wiring.type("LedgerEntry", type -> type
                .dataFetcher("id", environment -> GlobalId.encode(LedgerEntry.TYPE, environment.<LedgerEntry>getSource().id()))
                .dataFetcher("amount", environment -> {
                    LedgerEntry entry = environment.getSource();
                    return entry.account().isTokens() ? entry.amount().setScale(0, RoundingMode.UNNECESSARY) : entry.amount();
                })
                .dataFetcher("money", environment -> {
                    LedgerEntry entry = environment.getSource();
                    return entry.account().isTokens() ? null : new Money(entry.amount(), entry.currencyCode());
                }));
    }

    /** {@code ledgerEntries} (kinds in {@code kinds}) and {@code transactions} (kinds in {@code types}, and a range of days). */
    private Connection<LedgerEntry> entries(DataFetchingEnvironment environment, String kindsArgument, @Nullable DayRange range) {
        int first = Connection.first(environment);
        List<String> kinds = environment.getArgument(kindsArgument);
        Set<LedgerEntryKind> filter = EnumSet.noneOf(LedgerEntryKind.class);
        if (kinds != null) {
            kinds.forEach(kind -> filter.add(LedgerEntryKind.valueOf(kind)));
        }
        return ledger.entries(viewer(environment), environment.getArgument("organizationId"), first, Connection.afterPosition(environment, null), filter, range);
    }

    private static LedgerService.PlanInput planInput(Map<String, Object> input) {
        Object tokens = input.get("monthlyTokens");
        return new LedgerService.PlanInput((String) input.get("name"), (BigDecimal) input.get("monthlyPrice"), (String) input.get("currencyCode"),
                tokens == null ? null : ((Number) tokens).longValue(), (Integer) input.get("resetDay"), (Boolean) input.get("active"),
                (String) input.get("stripePriceId"), (Boolean) input.get("visible"));
    }

    private static Viewer viewer(DataFetchingEnvironment environment) {
        return GraphQLContextKeys.viewer(environment);
    }

    /** Plans resolve through {@code node(id:)}; every signed-in user may read them. */
    @Factory
    static class LedgerNodes {

        @Singleton
        NodeLoader<Plan> planNodes(PlanRepository repository) {
            return NodeLoader.of(Plan.TYPE, Plan.class, repository::findById, plan -> Owner.everyone());
        }
    }
}
