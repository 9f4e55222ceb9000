package io.meterline.platform.allocation;

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
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** GraphQL wiring of cost centers, allocation rules and {@code costAllocation}. */
@Singleton
public class AllocationGraphQL implements GraphQLWiring {

    private final AllocationService service;
    private final TenantScope tenantScope;
    private final ViewerZones zones;
    private final Clock clock;

    AllocationGraphQL(AllocationService service, TenantScope tenantScope, ViewerZones zones, Clock clock) {
        this.service = service;
        this.tenantScope = tenantScope;
        this.zones = zones;
        this.clock = clock;
    }

    @Override
    public void wire(RuntimeWiring.Builder wiring) {
        wiring.type("Query", type -> type
                .dataFetcher("costCenters", this::costCenters)
                .dataFetcher("allocationRules", this::rules)
                .dataFetcher("costAllocation", this::report));
        wiring.type("Mutation", type -> type
                .dataFetcher("costCenterCreate", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    AllocationService.CostCenterCreateInput create = new AllocationService.CostCenterCreateInput((String) input.get("organizationId"),
                            (String) input.get("code"), (String) input.get("name"));
                    return Payloads.of("costCenter", () -> service.create(viewer(environment), create));
                })
                .dataFetcher("costCenterUpdate", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    AllocationService.CostCenterUpdateInput update = new AllocationService.CostCenterUpdateInput((String) input.get("id"),
                            (String) input.get("code"), (String) input.get("name"));
                    return Payloads.of("costCenter", () -> service.update(viewer(environment), update));
                })
                .dataFetcher("costCenterArchive", environment -> {
                    String id = (String) environment.<Map<String, Object>>getArgument("input").get("id");
                    return Payloads.of("costCenter", () -> service.archive(viewer(environment), id));
                })
                .dataFetcher("allocationRuleSet", environment -> {
                    AllocationService.RuleSetInput input = ruleSetInput(environment.getArgument("input"));
                    return Payloads.of("allocationRule", () -> service.setRule(viewer(environment), input));
                })
                .dataFetcher("allocationRuleDelete", environment -> {
                    String id = (String) environment.<Map<String, Object>>getArgument("input").get("id");
                    return Payloads.of("allocationRule", () -> service.deleteRule(viewer(environment), id));
                }));
        wiring.type("CostCenter", type -> type
                .dataFetcher("id", environment -> GlobalId.encode(CostCenter.TYPE, environment.<CostCenter>getSource().id())));
        wiring.type("AllocationRule", type -> type
                .dataFetcher("id", environment -> GlobalId.encode(AllocationRule.TYPE, environment.<AllocationRule>getSource().id()))
                .dataFetcher("dimension", environment -> environment.<AllocationRule>getSource().dimension().name()));
    }

    /** Reads {@code allocationRuleSet}'s input once; the schema has already checked each value's type and that the lists are there. */
    @SuppressWarnings("unchecked")
    private static AllocationService.RuleSetInput ruleSetInput(Map<String, Object> input) {
        List<AllocationService.SplitInput> splits = ((List<Map<String, Object>>) input.get("splits")).stream()
                .map(split -> new AllocationService.SplitInput((String) split.get("costCenterId"), (BigDecimal) split.get("percent"))).toList();
        return new AllocationService.RuleSetInput((String) input.get("organizationId"), AllocationDimension.valueOf((String) input.get("dimension")),
                (String) input.get("value"), splits);
    }

    private Connection<CostCenter> costCenters(DataFetchingEnvironment environment) {
        long organizationId = tenantScope.organizationFor(viewer(environment), environment.getArgument("organizationId"));
        int first = Connection.first(environment);
        boolean includeArchived = Boolean.TRUE.equals(environment.getArgument("includeArchived"));
        return Connection.of(service.costCenters(organizationId, Connection.after(environment, 0), includeArchived, first + 1), first, CostCenter::id,
                environment.getArgument("after") != null, service.countCostCenters(organizationId, includeArchived));
    }

    private Connection<AllocationRule> rules(DataFetchingEnvironment environment) {
        long organizationId = tenantScope.organizationFor(viewer(environment), environment.getArgument("organizationId"));
        int first = Connection.first(environment);
        return Connection.of(service.rules(organizationId, Connection.after(environment, 0), first + 1), first, AllocationRule::id,
                environment.getArgument("after") != null, service.countRules(organizationId));
    }

    private Map<String, Object> report(DataFetchingEnvironment environment) {
        Viewer viewer = viewer(environment);
        long organizationId = tenantScope.organizationFor(viewer, environment.getArgument("organizationId"));
        ZoneId zone = zones.zoneFor(viewer.userId(), organizationId, environment.getArgument("timeZone"));
        DayRange days = DayRange.of(environment.<Map<String, Object>>getArgument("range"), DayRange.Preset.CURRENT_MONTH, zone, clock);
        AllocationService.CostAllocation report = service.report(organizationId, days);
        Map<String, Object> result = new HashMap<>();
        result.put("from", days.from());
        result.put("to", days.to());
        result.put("timeZone", days.zone().getId());
        result.put("costCenters", report.costCenters().stream().map(line -> line(line, report.currency())).toList());
        result.put("unallocated", line(report.unallocated(), report.currency()));
        result.put("total", line(report.total(), report.currency()));
        result.put("asOf", report.asOf());
        return result;
    }

    private static Map<String, Object> line(AllocationService.Line line, String currency) {
        Map<String, Object> result = new HashMap<>();
        result.put("costCenter", line.costCenter());
        result.put("cost", new Money(line.cost(), currency));
        result.put("originalCost", line.originalCost().entrySet().stream().map(entry -> new Money(entry.getValue(), entry.getKey())).toList());
        result.put("tokens", line.tokens());
        result.put("requests", line.requests());
        return result;
    }

    private static Viewer viewer(DataFetchingEnvironment environment) {
        return GraphQLContextKeys.viewer(environment);
    }

    /** Cost centers and rules are nodes owned by their organization. */
    @Factory
    static class AllocationNodes {

        @Singleton
        NodeLoader<CostCenter> costCenterNodes(AllocationStore store) {
            return NodeLoader.of(CostCenter.TYPE, CostCenter.class, store::costCenter, costCenter -> Owner.organization(costCenter.organizationId()));
        }

        @Singleton
        NodeLoader<AllocationRule> allocationRuleNodes(AllocationStore store) {
            return NodeLoader.of(AllocationRule.TYPE, AllocationRule.class, store::rule, rule -> Owner.organization(rule.organizationId()));
        }
    }
}
