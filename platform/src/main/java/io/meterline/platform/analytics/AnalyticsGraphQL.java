package io.meterline.platform.analytics;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.meterline.platform.account.ApiKeyService;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.Money;
import io.meterline.platform.graphql.Connection;
import io.meterline.platform.graphql.GraphQLContextKeys;
import io.meterline.platform.graphql.GraphQLWiring;
import io.meterline.platform.profile.ProfileService;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.usage.DayRange;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** GraphQL wiring of {@code usageSeries}, {@code usageBreakdown} and {@code usageTotals}. */
@Singleton
public class AnalyticsGraphQL implements GraphQLWiring {

    private final AnalyticsService analytics;
    private final TenantScope tenantScope;
    private final ProfileService profiles;
    private final Clock clock;

    AnalyticsGraphQL(AnalyticsService analytics, TenantScope tenantScope, ProfileService profiles, Clock clock) {
        this.analytics = analytics;
        this.tenantScope = tenantScope;
        this.profiles = profiles;
        this.clock = clock;
    }

    /** A group as the schema shows it: shares are of {@code whole}. */
    record GroupView(String key, Totals totals, double tokenShare, double costShare, double requestShare) {

        static List<GroupView> of(List<AnalyticsService.Group> groups, Totals whole, Dimension dimension) {
            BigDecimal wholeCost = sum(whole.cost());
            return groups.stream().map(group -> new GroupView(key(dimension, group.key()), group.totals(),
                    AnalyticsService.Breakdown.share(group.totals().tokens(), whole.tokens()),
                    AnalyticsService.Breakdown.share(sum(group.totals().cost()), wholeCost),
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
                .dataFetcher("usageSession", environment -> analytics.session(organization(environment), environment.getArgument("key")).orElse(null)));
        wiring.type("UsageSession", type -> type
                .dataFetcher("durationMs", environment -> {
                    AnalyticsService.Session session = environment.getSource();
                    return java.time.Duration.between(session.firstAt(), session.lastAt()).toMillis();
                })
                .dataFetcher("processingMs", environment -> environment.<AnalyticsService.Session>getSource().totals().durationMs()));
        wiring.type("UsageMeasures", type -> type
                .dataFetcher("cost", environment -> money(environment.<Totals>getSource().cost()))
                .dataFetcher("averageDurationMs", environment -> {
                    Totals totals = environment.getSource();
                    return totals.requests() == 0 ? null : (double) totals.durationMs() / totals.requests();
                }));
    }

    private Map<String, Object> series(DataFetchingEnvironment environment) {
        long organizationId = organization(environment);
        DayRange days = days(environment, organizationId);
        TimeGrid.Granularity granularity = TimeGrid.Granularity.valueOf(environment.getArgument("granularity"));
        String groupArgument = environment.getArgument("groupBy");
        Dimension groupBy = groupArgument == null ? null : Dimension.valueOf(groupArgument);
        AnalyticsService.Series series = analytics.series(organizationId, days, granularity, groupBy);
        Map<String, Object> result = range(days);
        result.put("granularity", granularity.name());
        result.put("groupBy", groupArgument);
        result.put("buckets", series.buckets().stream().map(bucket -> Map.of("start", bucket.bucket().start(), "end", bucket.bucket().end(),
                "date", bucket.bucket().date(), "totals", bucket.totals(),
                "groups", groupBy == null ? List.of() : GroupView.of(bucket.groups(), bucket.totals(), groupBy))).toList());
        result.put("totals", series.totals());
        result.put("asOf", series.asOf());
        return result;
    }

    private Map<String, Object> breakdown(DataFetchingEnvironment environment) {
        long organizationId = organization(environment);
        DayRange days = days(environment, organizationId);
        int first = Connection.first(environment);
        Dimension dimension = Dimension.valueOf(environment.getArgument("by"));
        AnalyticsService.Breakdown breakdown = analytics.breakdown(organizationId, days, dimension);
        Map<String, Object> result = range(days);
        result.put("by", dimension.name());
        List<GroupView> groups = GroupView.of(ordered(breakdown.groups(), environment.getArgument("orderBy")), breakdown.totals(), dimension);
        result.put("groups", groups.subList(0, Math.min(first, groups.size())));
        result.put("totalCount", groups.size());
        result.put("totals", breakdown.totals());
        result.put("asOf", breakdown.asOf());
        return result;
    }

    /** The groups (by cost, then tokens, calls and key) re-ranked by tokens or calls; a stable sort keeps the cost order for ties. */
    private static List<AnalyticsService.Group> ordered(List<AnalyticsService.Group> byCost, String orderBy) {
        if (orderBy == null || "COST".equals(orderBy)) {
            return byCost;
        }
        Comparator<AnalyticsService.Group> order = "TOKENS".equals(orderBy)
                ? Comparator.comparing((AnalyticsService.Group group) -> group.totals().tokens()).reversed()
                : Comparator.comparingLong((AnalyticsService.Group group) -> group.totals().requests()).reversed();
        return byCost.stream().sorted(order).toList();
    }

    private Map<String, Object> totals(DataFetchingEnvironment environment) {
        long organizationId = organization(environment);
        ZoneId zone = profiles.zoneFor(GraphQLContextKeys.viewer(environment), organizationId, environment.getArgument("timeZone"));
        LocalDate today = LocalDate.now(clock.withZone(zone));
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
        result.put("dailyAverageCostThisMonth", month.totals().cost().entrySet().stream()
                .map(entry -> new Money(entry.getValue().divide(days, Money.AMOUNT_SCALE, RoundingMode.HALF_EVEN), entry.getKey())).toList());
        result.put("averageCostPerRequest", lifetime.requests() == 0 ? List.of() : lifetime.cost().entrySet().stream()
                .map(entry -> new Money(entry.getValue().divide(BigDecimal.valueOf(lifetime.requests()), Money.AMOUNT_SCALE, RoundingMode.HALF_EVEN),
                        entry.getKey())).toList());
        result.put("timeZone", zone.getId());
        result.put("asOf", month.asOf());
        return result;
    }

    private Map<String, Object> sessions(DataFetchingEnvironment environment) {
        long organizationId = organization(environment);
        AnalyticsService.Sessions sessions = analytics.sessions(organizationId, days(environment, organizationId), Connection.first(environment));
        return Map.of("nodes", sessions.sessions(), "totalCount", sessions.totalCount());
    }

    private long organization(DataFetchingEnvironment environment) {
        Viewer viewer = GraphQLContextKeys.viewer(environment);
        return tenantScope.organizationFor(viewer, environment.getArgument("organizationId"));
    }

    private DayRange days(DataFetchingEnvironment environment, long organizationId) {
        ZoneId zone = profiles.zoneFor(GraphQLContextKeys.viewer(environment), organizationId, environment.getArgument("timeZone"));
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

    private static BigDecimal sum(Map<String, BigDecimal> amounts) {
        return amounts.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add, (a, b) -> a.add(b, MathContext.DECIMAL128));
    }
}
