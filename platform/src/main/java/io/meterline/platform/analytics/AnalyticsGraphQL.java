package io.meterline.platform.analytics;

import graphql.execution.DataFetcherResult;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.meterline.platform.account.ApiKeyService;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.Money;
import io.meterline.platform.graphql.Connection;
import io.meterline.platform.graphql.GraphQLContextKeys;
import io.meterline.platform.graphql.GraphQLWiring;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.time.DayRange;
import io.meterline.platform.time.ViewerZones;
import io.meterline.platform.usage.BillingFigures;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GraphQL wiring of {@code usageSeries}, {@code usageBreakdown}, {@code usageTotals} and sessions. Every answer carries, as
 * its local context, the {@link BillingFigures.In} its {@code UsageMeasures} show their {@code cost} in: the organization's
 * billing currency, earlier billing currencies converted at the rate of the range's last day (today for the totals).
 */
@Singleton
public class AnalyticsGraphQL implements GraphQLWiring {

    private final AnalyticsService analytics;
    private final UsageSessions sessions;
    private final TenantScope tenantScope;
    private final ViewerZones zones;
    private final BillingFigures figures;
    private final Clock clock;

    AnalyticsGraphQL(AnalyticsService analytics, UsageSessions sessions, TenantScope tenantScope, ViewerZones zones, BillingFigures figures, Clock clock) {
        this.analytics = analytics;
        this.sessions = sessions;
        this.tenantScope = tenantScope;
        this.zones = zones;
        this.figures = figures;
        this.clock = clock;
    }

    /** A group as the schema shows it: shares are of {@code whole}, the cost share of the billing-currency figures. */
    public record GroupView(String key, Totals totals, double tokenShare, double costShare, double requestShare) {

        public static List<GroupView> of(List<AnalyticsService.Group> groups, Totals whole, Dimension dimension, BillingFigures.In figure) {
            BigDecimal wholeCost = figure.amount(whole.billingCost());
            return groups.stream().map(group -> new GroupView(key(dimension, group.key()), group.totals(),
                    AnalyticsService.Breakdown.share(group.totals().tokens(), whole.tokens()),
                    AnalyticsService.Breakdown.share(figure.amount(group.totals().billingCost()), wholeCost),
                    AnalyticsService.Breakdown.share(BigDecimal.valueOf(group.totals().requests()), BigDecimal.valueOf(whole.requests())))).toList();
        }

        private static String key(Dimension dimension, String value) {
            return dimension == Dimension.API_KEY && !value.isEmpty() ? GlobalId.encode(ApiKeyService.TYPE, Long.parseLong(value)) : value;
        }
    }

    @Override
    public void wire(RuntimeWiring.Builder wiring) {
        wiring.type("Query", type -> type
                .dataFetcher("usageSeries", this::series)
                .dataFetcher("usageBreakdown", this::breakdown)
                .dataFetcher("usageTotals", this::totals)
                .dataFetcher("usageSessions", this::sessions)
                .dataFetcher("usageSession", environment -> {
                    long organizationId = organization(environment);
                    // A session has no range: earlier billing currencies convert at today's rate (the UTC day, as events convert).
                    return withFigures(sessions.session(organizationId, environment.getArgument("key")).orElse(null),
                            figures(organizationId, LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC)));
                }));
        wiring.type("UsageSession", type -> type
                .dataFetcher("durationMs", environment -> {
                    UsageSessions.Session session = environment.getSource();
                    return java.time.Duration.between(session.firstAt(), session.lastAt()).toMillis();
                })
                .dataFetcher("processingMs", environment -> environment.<UsageSessions.Session>getSource().totals().durationMs()));
        wiring.type("UsageMeasures", type -> type
                .dataFetcher("cost", environment -> environment.<BillingFigures.In>getLocalContext().money(environment.<Totals>getSource().billingCost()))
                .dataFetcher("originalCost", environment -> money(environment.<Totals>getSource().cost()))
                .dataFetcher("averageDurationMs", environment -> {
                    Totals totals = environment.getSource();
                    return totals.requests() == 0 ? null : (double) totals.durationMs() / totals.requests();
                }));
    }

    private DataFetcherResult<Map<String, Object>> series(DataFetchingEnvironment environment) {
        long organizationId = organization(environment);
        DayRange days = days(environment, organizationId);
        BillingFigures.In figure = figures(organizationId, days.to());
        TimeGrid.Granularity granularity = TimeGrid.Granularity.valueOf(environment.getArgument("granularity"));
        String groupArgument = environment.getArgument("groupBy");
        Dimension groupBy = groupArgument == null ? null : Dimension.valueOf(groupArgument);
        AnalyticsService.Series series = analytics.series(organizationId, days, granularity, groupBy);
        Map<String, Object> result = range(days);
        result.put("granularity", granularity.name());
        result.put("groupBy", groupArgument);
        result.put("buckets", series.buckets().stream().map(bucket -> Map.of("start", bucket.bucket().start(), "end", bucket.bucket().end(),
                "date", bucket.bucket().date(), "totals", bucket.totals(),
                "groups", groupBy == null ? List.of() : GroupView.of(ordered(bucket.groups(), null, figure), bucket.totals(), groupBy, figure))).toList());
        result.put("totals", series.totals());
        result.put("asOf", series.asOf());
        return withFigures(result, figure);
    }

    private DataFetcherResult<Map<String, Object>> breakdown(DataFetchingEnvironment environment) {
        long organizationId = organization(environment);
        DayRange days = days(environment, organizationId);
        BillingFigures.In figure = figures(organizationId, days.to());
        int first = Connection.first(environment);
        Dimension dimension = Dimension.valueOf(environment.getArgument("by"));
        AnalyticsService.Breakdown breakdown = analytics.breakdown(organizationId, days, dimension);
        Map<String, Object> result = range(days);
        result.put("by", dimension.name());
        List<GroupView> groups = GroupView.of(ordered(breakdown.groups(), environment.getArgument("orderBy"), figure), breakdown.totals(), dimension, figure);
        result.put("groups", groups.subList(0, Math.min(first, groups.size())));
        result.put("totalCount", groups.size());
        result.put("totals", breakdown.totals());
        result.put("asOf", breakdown.asOf());
        return withFigures(result, figure);
    }

    /**
     * The groups (by billing cost as summed, then tokens, calls and key) ranked by their figure in the billing currency
     * (the default), by tokens or by calls; a stable sort keeps the earlier order for ties.
     */
    private static List<AnalyticsService.Group> ordered(List<AnalyticsService.Group> groups, String orderBy, BillingFigures.In figure) {
        Comparator<AnalyticsService.Group> order = orderBy == null || "COST".equals(orderBy)
                ? Comparator.comparing((AnalyticsService.Group group) -> figure.amount(group.totals().billingCost())).reversed()
                : "TOKENS".equals(orderBy)
                ? Comparator.comparing((AnalyticsService.Group group) -> group.totals().tokens()).reversed()
                : Comparator.comparingLong((AnalyticsService.Group group) -> group.totals().requests()).reversed();
        return groups.stream().sorted(order).toList();
    }

    private DataFetcherResult<Map<String, Object>> totals(DataFetchingEnvironment environment) {
        long organizationId = organization(environment);
        ZoneId zone = zones.zoneFor(GraphQLContextKeys.viewer(environment).userId(), organizationId, environment.getArgument("timeZone"));
        LocalDate today = LocalDate.now(clock.withZone(zone));
        BillingFigures.In figure = figures(organizationId, today);
        AnalyticsService.Series month = analytics.series(organizationId, DayRange.of(DayRange.Preset.CURRENT_MONTH, null, null, zone, clock),
                TimeGrid.Granularity.MONTH, null);
        LocalDate monday = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        AnalyticsService.Series week = analytics.series(organizationId, new DayRange(monday, today, zone), TimeGrid.Granularity.WEEK, null);
        Totals lifetime = analytics.lifetime(organizationId);
        BigDecimal days = BigDecimal.valueOf(today.getDayOfMonth());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("lifetime", lifetime);
        result.put("thisMonth", month.totals());
        result.put("thisWeek", week.totals());
        result.put("weekFrom", monday);
        result.put("weekTo", monday.plusDays(6));
        result.put("dailyAverageTokensThisMonth", month.totals().tokens().divide(days, 9, RoundingMode.HALF_EVEN));
        result.put("dailyAverageCostThisMonth", new Money(Money.round(figure.amount(month.totals().billingCost()).divide(days, MathContext.DECIMAL128)),
                figure.currency()));
        // Per call whose cost is in the figure: calls still waiting for an exchange rate are not.
        long converted = lifetime.requests() - lifetime.unconvertedRequests();
        result.put("averageCostPerRequest", new Money(converted == 0 ? Money.round(BigDecimal.ZERO)
                : Money.round(figure.amount(lifetime.billingCost()).divide(BigDecimal.valueOf(converted), MathContext.DECIMAL128)), figure.currency()));
        result.put("timeZone", zone.getId());
        result.put("asOf", month.asOf());
        return withFigures(result, figure);
    }

    private DataFetcherResult<Map<String, Object>> sessions(DataFetchingEnvironment environment) {
        long organizationId = organization(environment);
        DayRange days = days(environment, organizationId);
        UsageSessions.Sessions page = this.sessions.sessions(organizationId, days, Connection.first(environment));
        return withFigures(Map.of("nodes", page.sessions(), "totalCount", page.totalCount()), figures(organizationId, days.to()));
    }

    /** Figures in the organization's current billing currency, earlier billing currencies converted at the rate of {@code day}. */
    private BillingFigures.In figures(long organizationId, LocalDate day) {
        return figures.current(organizationId, day);
    }

    /** An answer whose {@code UsageMeasures} show their cost with {@code figure}. */
    private static <T> DataFetcherResult<T> withFigures(T data, BillingFigures.In figure) {
        return DataFetcherResult.<T>newResult().data(data).localContext(figure).build();
    }

    private long organization(DataFetchingEnvironment environment) {
        Viewer viewer = GraphQLContextKeys.viewer(environment);
        return tenantScope.organizationFor(viewer, environment.getArgument("organizationId"));
    }

    private DayRange days(DataFetchingEnvironment environment, long organizationId) {
        ZoneId zone = zones.zoneFor(GraphQLContextKeys.viewer(environment).userId(), organizationId, environment.getArgument("timeZone"));
        return DayRange.of(environment.<Map<String, Object>>getArgument("range"), DayRange.Preset.CURRENT_MONTH, zone, clock);
    }

    private static Map<String, Object> range(DayRange days) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("from", days.from());
        result.put("to", days.to());
        result.put("timeZone", days.zone().getId());
        return result;
    }

    private static List<Money> money(Map<String, BigDecimal> amounts) {
        return amounts.entrySet().stream().map(entry -> new Money(entry.getValue(), entry.getKey())).toList();
    }
}
