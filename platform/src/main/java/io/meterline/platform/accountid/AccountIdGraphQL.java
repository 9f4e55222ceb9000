package io.meterline.platform.accountid;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.meterline.platform.account.Organization;
import io.meterline.platform.budget.Budget;
import io.meterline.platform.budget.BudgetRepository;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.graphql.BatchLoaders;
import io.meterline.platform.graphql.Connection;
import io.meterline.platform.graphql.GraphQLContextKeys;
import io.meterline.platform.graphql.GraphQLWiring;
import io.meterline.platform.graphql.NodeLoader;
import io.meterline.platform.graphql.Payloads;
import io.meterline.platform.security.Owner;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.dataloader.DataLoader;
import org.dataloader.DataLoaderFactory;
import org.dataloader.DataLoaderRegistry;

/** GraphQL wiring of Account IDs: listing with usage figures, the overview, the mutations and the tool user's sign-in. */
@Singleton
public class AccountIdGraphQL implements GraphQLWiring, BatchLoaders {

    static final String FIGURES = "accountIdFigures";
    static final String BUDGETS = "accountIdBudgets";
    private static final int MAX_DAYS = 92;

    private final AccountIdService accountIds;
    private final AccountIdUsageStore usage;
    private final AccountIdSignIn signIn;
    private final AccountIdRepository rows;
    private final BudgetRepository budgets;
    private final TenantScope tenantScope;
    private final Clock clock;

    public AccountIdGraphQL(AccountIdService accountIds, AccountIdUsageStore usage, AccountIdSignIn signIn, AccountIdRepository rows, BudgetRepository budgets,
                            TenantScope tenantScope, Clock clock) {
        this.accountIds = accountIds;
        this.usage = usage;
        this.signIn = signIn;
        this.rows = rows;
        this.budgets = budgets;
        this.tenantScope = tenantScope;
        this.clock = clock;
    }

    @Override
    public void register(DataLoaderRegistry registry) {
        registry.register(BUDGETS, BatchLoaders.byId(budgets::findByIdIn, Budget::id));
        registry.register(FIGURES, DataLoaderFactory.newMappedDataLoader((Set<AccountId> keys) -> CompletableFuture.completedFuture(figures(keys))));
    }

    /** The usage figures of a page of Account IDs: two queries per organization, however many rows. */
    private Map<AccountId, AccountIdUsageStore.Figures> figures(Set<AccountId> keys) {
        Map<AccountId, AccountIdUsageStore.Figures> result = new HashMap<>();
        Instant now = clock.instant();
        keys.stream().collect(Collectors.groupingBy(AccountId::organizationId)).forEach((organizationId, group) -> {
            ZoneId zone = accountIds.organization(organizationId).zone();
            Map<String, AccountIdUsageStore.Figures> byCode = usage.figures(organizationId, group.stream().map(AccountId::code).toList(), zone, now);
            group.forEach(accountId -> result.put(accountId, byCode.getOrDefault(accountId.code(), AccountIdUsageStore.Figures.NONE)));
        });
        return result;
    }

    @Override
    public void wire(RuntimeWiring.Builder wiring) {
        wiring.type("Query", type -> type
                .dataFetcher("accountIds", this::page)
                .dataFetcher("accountIdOverview", this::overview)
                .dataFetcher("accountIdGenerateCode", environment -> accountIds.generateCode(viewer(environment), environment.getArgument("organizationId")))
                .dataFetcher("accountIdViewer", environment -> {
                    Viewer viewer = viewer(environment);
                    if (!viewer.isToolUser()) {
                        throw MeterlineException.forbidden("Only tool users signed in with an Account ID have one");
                    }
                    return rows.findById(viewer.accountId()).orElseThrow(() -> MeterlineException.notFound("Account ID"));
                }));
        wiring.type("Mutation", type -> type
                .dataFetcher("accountIdCreate", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("accountId", () -> accountIds.create(viewer(environment), new AccountIdService.NewAccountId((String) input.get("organizationId"),
                            (String) input.get("code"), (String) input.get("label"), longOrNull(input.get("dailyTokenLimit")))));
                })
                .dataFetcher("accountIdUpdate", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("accountId", () -> accountIds.update(viewer(environment), new AccountIdService.Change((String) input.get("id"),
                            (String) input.get("label"), longOrNull(input.get("dailyTokenLimit")), Boolean.TRUE.equals(input.get("unlimited")))));
                })
                .dataFetcher("accountIdSuspend", environment -> Payloads.of("accountId", () -> accountIds.suspend(viewer(environment), id(environment))))
                .dataFetcher("accountIdReactivate", environment -> Payloads.of("accountId", () -> accountIds.reactivate(viewer(environment), id(environment))))
                .dataFetcher("accountIdArchive", environment -> Payloads.of("accountId", () -> accountIds.archive(viewer(environment), id(environment))))
                .dataFetcher("accountIdSignIn", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.fields(() -> {
                        AccountIdSignIn.Session session = signIn.signIn((String) input.get("organization"), (String) input.get("code"),
                                GraphQLContextKeys.clientAddress(environment));
                        Map<String, Object> payload = new HashMap<>();
                        payload.put("accessToken", session.accessToken());
                        payload.put("expiresAt", session.expiresAt());
                        payload.put("code", session.accountId().code());
                        payload.put("label", session.accountId().label());
                        return payload;
                    });
                }));
        wiring.type("AccountId", type -> type
                .dataFetcher("id", environment -> GlobalId.encode(AccountId.TYPE, environment.<AccountId>getSource().id()))
                .dataFetcher("dailyLimitBudget", environment -> BatchLoaders.load(environment, BUDGETS, environment.<AccountId>getSource().budgetId()))
                .dataFetcher("tokensToday", environment -> figure(environment).thenApply(AccountIdUsageStore.Figures::tokensToday))
                .dataFetcher("tokensThisMonth", environment -> figure(environment).thenApply(AccountIdUsageStore.Figures::tokensThisMonth))
                .dataFetcher("requestsThisMonth", environment -> figure(environment).thenApply(AccountIdUsageStore.Figures::requestsThisMonth))
                .dataFetcher("lastActivityAt", environment -> figure(environment).thenApply(AccountIdUsageStore.Figures::lastActivityAt))
                .dataFetcher("dailyUsage", this::dailyUsage));
    }

    private static CompletableFuture<AccountIdUsageStore.Figures> figure(DataFetchingEnvironment environment) {
        DataLoader<AccountId, AccountIdUsageStore.Figures> loader = environment.getDataLoader(FIGURES);
        return loader.load(environment.getSource());
    }

    private List<AccountIdUsageStore.Day> dailyUsage(DataFetchingEnvironment environment) {
        AccountId accountId = environment.getSource();
        Integer argument = environment.getArgument("days");
        int days = argument == null ? 30 : argument;
        if (days < 1 || days > MAX_DAYS) {
            throw MeterlineException.badInput("days must be between 1 and " + MAX_DAYS);
        }
        Organization organization = accountIds.organization(accountId.organizationId());
        LocalDate today = LocalDate.now(clock.withZone(organization.zone()));
        return usage.days(accountId.organizationId(), accountId.code(), today.minusDays(days - 1L), today, organization.zone());
    }

    private Connection<AccountId> page(DataFetchingEnvironment environment) {
        long organizationId = tenantScope.organizationFor(viewer(environment), environment.getArgument("organizationId"));
        int first = Connection.first(environment);
        String status = environment.getArgument("status");
        AccountIdStatus filter = status == null ? null : AccountIdStatus.valueOf(status);
        boolean includeArchived = Boolean.TRUE.equals(environment.getArgument("includeArchived"));
        String search = environment.getArgument("search");
        List<AccountId> page = accountIds.page(organizationId, Connection.after(environment, 0), includeArchived, filter, search, first + 1);
        return Connection.of(page, first, AccountId::id, environment.getArgument("after") != null, accountIds.count(organizationId, includeArchived, filter, search));
    }

    private Map<String, Object> overview(DataFetchingEnvironment environment) {
        long organizationId = tenantScope.organizationFor(viewer(environment), environment.getArgument("organizationId"));
        long active = accountIds.countByStatus(organizationId, AccountIdStatus.ACTIVE);
        long suspended = accountIds.countByStatus(organizationId, AccountIdStatus.SUSPENDED);
        long archived = accountIds.countByStatus(organizationId, AccountIdStatus.ARCHIVED);
        long withActivity = active + suspended + archived == 0 ? 0
                : usage.activeThisMonth(organizationId, accountIds.organization(organizationId).zone(), clock.instant());
        Map<String, Object> result = new HashMap<>();
        result.put("hasAccountIds", active + suspended > 0);
        result.put("activeCount", active);
        result.put("suspendedCount", suspended);
        result.put("archivedCount", archived);
        result.put("withActivityThisMonthCount", withActivity);
        result.put("hasActivityThisMonth", withActivity > 0);
        return result;
    }

    private static String id(DataFetchingEnvironment environment) {
        Map<String, Object> input = environment.getArgument("input");
        return (String) input.get("id");
    }

    private static Long longOrNull(Object value) {
        return value == null ? null : ((Number) value).longValue();
    }

    private static Viewer viewer(DataFetchingEnvironment environment) {
        return GraphQLContextKeys.viewer(environment);
    }

    /** Account IDs are nodes owned by their organization. */
    @Factory
    static class AccountIdNodes {

        @Singleton
        NodeLoader<AccountId> accountIdNodes(AccountIdRepository repository) {
            return NodeLoader.of(AccountId.TYPE, AccountId.class, repository::findById, accountId -> Owner.organization(accountId.organizationId()));
        }
    }
}
