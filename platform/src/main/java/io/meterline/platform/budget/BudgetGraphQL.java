package io.meterline.platform.budget;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.meterline.platform.account.ApiKey;
import io.meterline.platform.account.ApiKeyService;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.graphql.BatchLoaders;
import io.meterline.platform.graphql.Connection;
import io.meterline.platform.graphql.GraphQLContextKeys;
import io.meterline.platform.graphql.GraphQLWiring;
import io.meterline.platform.graphql.NodeLoader;
import io.meterline.platform.graphql.Payloads;
import io.meterline.platform.graphql.SharedLoaders;
import io.meterline.platform.security.Owner;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.micronaut.context.annotation.Factory;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dataloader.DataLoaderRegistry;

/** GraphQL wiring of budgets, their status, colour bands and {@code usageAuthorize}. */
@Singleton
public class BudgetGraphQL implements GraphQLWiring, BatchLoaders {

    /** DataLoader of budget statuses by budget row id. */
    static final String STATUSES = "budgetStatuses";

    private final BudgetService budgets;
    private final AuthorizationService authorization;
    private final ApiKeyService apiKeys;
    private final TenantScope tenantScope;

    public BudgetGraphQL(BudgetService budgets, AuthorizationService authorization, ApiKeyService apiKeys, TenantScope tenantScope) {
        this.budgets = budgets;
        this.authorization = authorization;
        this.apiKeys = apiKeys;
        this.tenantScope = tenantScope;
    }

    @Override
    public void register(DataLoaderRegistry registry) {
        registry.register(STATUSES, BatchLoaders.byId(budgets::statuses, BudgetStatus::budgetId));
    }

    @Override
    public void wire(RuntimeWiring.Builder wiring) {
        wiring.type("Query", type -> type
                .dataFetcher("budgets", this::page)
                .dataFetcher("budgetBands", environment -> budgets.bands(viewer(environment), environment.getArgument("organizationId"))));
        wiring.type("Mutation", type -> type
                .dataFetcher("budgetCreate", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("budget", () -> budgets.create(viewer(environment), new BudgetService.NewBudget((String) input.get("organizationId"),
                            (String) input.get("name"), Budget.Metric.valueOf((String) input.get("metric")), (String) input.get("provider"), (String) input.get("meter"),
                            enumOf(Budget.Scope.class, input.get("scope")), (String) input.get("scopeKey"), Budget.Period.valueOf((String) input.get("period")),
                            (BigDecimal) input.get("limit"), integers(input.get("thresholds")), enumOf(Budget.Enforcement.class, input.get("enforcement")),
                            enumOf(Budget.Type.class, input.get("type")), (String) input.get("currency"))));
                })
                .dataFetcher("budgetUpdate", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("budget", () -> budgets.update(viewer(environment), new BudgetService.BudgetChange((String) input.get("id"),
                            (String) input.get("name"), (BigDecimal) input.get("limit"), Boolean.TRUE.equals(input.get("unlimited")),
                            integers(input.get("thresholds")), enumOf(Budget.Enforcement.class, input.get("enforcement")))));
                })
                .dataFetcher("budgetArchive", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("budget", () -> budgets.archive(viewer(environment), (String) input.get("id")));
                })
                .dataFetcher("budgetBandsUpdate", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    List<Map<String, Object>> bands = (List<Map<String, Object>>) input.get("bands");
                    return Payloads.of("bands", () -> budgets.updateBands(viewer(environment), (String) input.get("organizationId"),
                            bands.stream().map(band -> new BudgetStore.Band((String) band.get("name"), (Integer) band.get("fromPercent"))).toList()));
                })
                .dataFetcher("usageAuthorize", this::authorize));
        wiring.type("Budget", type -> type
                .dataFetcher("id", environment -> GlobalId.encode(Budget.TYPE, environment.<Budget>getSource().id()))
                .dataFetcher("organization", environment -> BatchLoaders.load(environment, SharedLoaders.ORGANIZATIONS, environment.<Budget>getSource().organizationId()))
                .dataFetcher("scope", environment -> environment.<Budget>getSource().scopeKind())
                .dataFetcher("scopeKey", environment -> scopeKeyOf(environment.getSource()))
                .dataFetcher("period", environment -> environment.<Budget>getSource().periodKind())
                .dataFetcher("limit", environment -> environment.<Budget>getSource().limitAmount())
                .dataFetcher("thresholds", environment -> environment.<Budget>getSource().thresholdList())
                .dataFetcher("type", environment -> environment.<Budget>getSource().budgetType())
                .dataFetcher("status", environment -> BatchLoaders.load(environment, STATUSES, environment.<Budget>getSource().id()))
                .dataFetcher("history", environment -> budgets.history(environment.getSource(), environment.<Integer>getArgument("periods"))));
        wiring.type("BudgetHold", type -> type
                .dataFetcher("scope", environment -> environment.<AuthorizationService.Hold>getSource().budget().scopeKind())
                .dataFetcher("period", environment -> environment.<AuthorizationService.Hold>getSource().budget().periodKind())
                .dataFetcher("limit", environment -> environment.<AuthorizationService.Hold>getSource().budget().limitAmount()));
    }

    /** The scope key as clients know it: API keys by their global id. */
    @Nullable
    static String scopeKeyOf(Budget budget) {
        if (budget.scopeKind() == Budget.Scope.API_KEY && budget.scopeKey() != null) {
            return GlobalId.encode(ApiKeyService.TYPE, Long.parseLong(budget.scopeKey()));
        }
        return budget.scopeKey();
    }

    private Connection<Budget> page(DataFetchingEnvironment environment) {
        long organizationId = tenantScope.organizationFor(viewer(environment), environment.getArgument("organizationId"));
        int first = Connection.first(environment);
        boolean includeArchived = Boolean.TRUE.equals(environment.getArgument("includeArchived"));
        Budget.Scope scope = enumOf(Budget.Scope.class, environment.getArgument("scope"));
        List<Budget> page = budgets.page(organizationId, Connection.after(environment, 0), includeArchived, scope, first + 1);
        return Connection.of(page, first, Budget::id, environment.getArgument("after") != null, budgets.count(organizationId, includeArchived, scope));
    }

    private Map<String, Object> authorize(DataFetchingEnvironment environment) {
        Viewer viewer = viewer(environment);
        Map<String, Object> input = environment.getArgument("input");
        // A hold takes room from everyone in the organization, so placing one is managing its budgets: members only read.
        long organizationId = tenantScope.organizationToManage(viewer, (String) input.get("organizationId"));
        Long apiKeyId = null;
        if (input.get("apiKeyId") != null) {
            ApiKey key = apiKeys.find(viewer, (String) input.get("apiKeyId"));
            if (key.organizationId() != organizationId) {
                throw MeterlineException.notFound((String) input.get("apiKeyId"));
            }
            apiKeyId = key.id();
        }
        Map<String, Object> estimate = (Map<String, Object>) input.get("estimate");
        BudgetMeasure.Caller caller = new BudgetMeasure.Caller(apiKeyId, (String) input.get("accountId"), (String) input.get("member"),
                (String) input.get("team"), (String) input.get("project"), (String) input.get("department"));
        AuthorizationService.Request request = new AuthorizationService.Request(caller, (String) input.get("provider"), (String) input.get("model"),
                new AuthorizationService.Estimate(decimal(estimate.get("tokens")), (BigDecimal) estimate.get("cost"), (String) estimate.get("currency"),
                        decimal(estimate.get("requests")), (BigDecimal) estimate.get("meterUnits")), (Integer) input.get("ttlSeconds"));
        return Payloads.of("authorization", () -> {
            AuthorizationService.Answer answer = authorization.authorize(organizationId, request);
            Map<String, Object> result = new HashMap<>();
            result.put("decision", answer.decision().name());
            result.put("reservationId", answer.reservationId());
            result.put("expiresAt", answer.expiresAt());
            result.put("reason", answer.reason());
            result.put("deniedBy", answer.deniedBy());
            AuthorizationService.Hold tightest = answer.tightest();
            result.put("remaining", tightest == null ? null : tightest.remaining());
            result.put("resetsAt", tightest == null ? null : tightest.resetsAt());
            result.put("budgets", answer.holds());
            return result;
        });
    }

    private static Viewer viewer(DataFetchingEnvironment environment) {
        return GraphQLContextKeys.viewer(environment);
    }

    @Nullable
    private static BigDecimal decimal(@Nullable Object value) {
        return value == null ? null : new BigDecimal(value.toString());
    }

    @Nullable
    private static <E extends Enum<E>> E enumOf(Class<E> type, @Nullable Object value) {
        return value == null ? null : Enum.valueOf(type, value.toString());
    }

    @SuppressWarnings("unchecked")
    @Nullable
    private static List<Integer> integers(@Nullable Object value) {
        return value == null ? null : List.copyOf((List<Integer>) value);
    }

    /** Node loader of budgets. */
    @Factory
    static class BudgetNodes {

        @Singleton
        NodeLoader<Budget> budgetNodes(BudgetRepository repository) {
            return NodeLoader.of(Budget.TYPE, Budget.class, repository::findById, budget -> Owner.organization(budget.organizationId()));
        }
    }
}
