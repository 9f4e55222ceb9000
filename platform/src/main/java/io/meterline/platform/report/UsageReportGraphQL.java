package io.meterline.platform.report;

import graphql.execution.DataFetcherResult;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.meterline.platform.account.Organization;
import io.meterline.platform.analytics.AnalyticsGraphQL;
import io.meterline.platform.analytics.AnalyticsService;
import io.meterline.platform.analytics.Dimension;
import io.meterline.platform.analytics.Totals;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.Money;
import io.meterline.platform.graphql.BatchLoaders;
import io.meterline.platform.graphql.Connection;
import io.meterline.platform.graphql.GraphQLContextKeys;
import io.meterline.platform.graphql.GraphQLWiring;
import io.meterline.platform.graphql.NodeLoader;
import io.meterline.platform.security.Owner;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.time.DayRange;
import io.meterline.platform.time.ViewerZones;
import io.meterline.platform.usage.BillingFigures;
import io.micronaut.context.annotation.Factory;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.dataloader.DataLoader;
import org.dataloader.DataLoaderFactory;
import org.dataloader.DataLoaderRegistry;

/**
 * GraphQL wiring of {@code usageReports}, {@code usageReport} and {@code usageReportCustom}. A page of reports reads its
 * figures in one go (the {@link #FIGURES} loader); the heavier parts of a report (days, breakdowns, comparison) are read
 * only when asked for. Every {@code UsageMeasures} carries its {@link BillingFigures.In} as local context, as analytics does.
 */
@Singleton
public class UsageReportGraphQL implements GraphQLWiring, BatchLoaders {

    /** Every report of a request's level, read in one go. */
    static final String FIGURES = "usageReportFigures";

    private final UsageReportService reports;
    private final TenantScope tenantScope;
    private final ViewerZones zones;
    private final Clock clock;

    UsageReportGraphQL(UsageReportService reports, TenantScope tenantScope, ViewerZones zones, Clock clock) {
        this.reports = reports;
        this.tenantScope = tenantScope;
        this.zones = zones;
        this.clock = clock;
    }

    /** {@code usageReports}' arguments, read once. */
    record ListInput(@Nullable String organizationId, @Nullable Integer month, @Nullable Integer year, int first, long after) {

        static ListInput of(DataFetchingEnvironment environment) {
            Integer month = environment.getArgument("month");
            if (month != null && (month < 1 || month > 12)) {
                throw MeterlineException.badInput("month must be between 1 and 12");
            }
            return new ListInput(environment.getArgument("organizationId"), month, environment.getArgument("year"), Connection.first(environment),
                    Connection.after(environment, Long.MAX_VALUE));
        }

        boolean matches(UsageReport report) {
            return (month == null || report.month().getMonthValue() == month) && (year == null || report.month().getYear() == year) && report.monthKey() < after;
        }
    }

    /** {@code usageReportCustom}'s arguments, read once. */
    record CustomInput(DayRange range, DayRange compareTo, @Nullable String model, @Nullable String feature) {
    }

    @Override
    public void register(DataLoaderRegistry registry) {
        registry.register(FIGURES, DataLoaderFactory.newDataLoader((List<UsageReport> keys) -> CompletableFuture.completedFuture(reports.figures(keys))));
    }

    @Override
    public void wire(RuntimeWiring.Builder wiring) {
        wiring.type("Query", type -> type
                .dataFetcher("usageReports", this::list)
                .dataFetcher("usageReport", environment -> {
                    String id = environment.getArgument("id");
                    UsageReport report = reports.find(GlobalId.require(id, UsageReport.TYPE)).orElseThrow(() -> MeterlineException.notFound(id));
                    tenantScope.check(GraphQLContextKeys.viewer(environment), Owner.organization(report.organizationId()), id);
                    return report;
                })
                .dataFetcher("usageReportCustom", this::custom));
        wiring.type("UsageReport", type -> type
                .dataFetcher("id", environment -> environment.<UsageReport>getSource().globalId())
                .dataFetcher("period", environment -> environment.<UsageReport>getSource().month().toString())
                .dataFetcher("year", environment -> environment.<UsageReport>getSource().month().getYear())
                .dataFetcher("month", environment -> environment.<UsageReport>getSource().month().getMonthValue())
                .dataFetcher("from", environment -> environment.<UsageReport>getSource().days().from())
                .dataFetcher("to", environment -> environment.<UsageReport>getSource().days().to())
                .dataFetcher("start", environment -> local(environment.getSource(), environment.<UsageReport>getSource().days().start()))
                .dataFetcher("end", environment -> local(environment.getSource(), environment.<UsageReport>getSource().days().end()))
                .dataFetcher("timeZone", environment -> environment.<UsageReport>getSource().days().zone().getId())
                .dataFetcher("status", environment -> environment.<UsageReport>getSource().status().name())
                .dataFetcher("tokens", environment -> figures(environment).thenApply(figures -> figures.totals().tokens()))
                .dataFetcher("requests", environment -> figures(environment).thenApply(figures -> figures.totals().requests()))
                .dataFetcher("cost", environment -> figures(environment).thenApply(figures -> figures.figure().money(figures.totals().billingCost())))
                .dataFetcher("originalCost", environment -> figures(environment).thenApply(figures -> money(figures.totals().cost())))
                .dataFetcher("totals", environment -> figures(environment).thenApply(figures -> withFigure(figures.totals(), figures.figure())))
                .dataFetcher("daily", environment -> {
                    UsageReport report = environment.getSource();
                    return daily(reports.daily(report.organizationId(), report.days()), reports.figure(report.organizationId(), report.days()));
                })
                .dataFetcher("breakdown", environment -> {
                    UsageReport report = environment.getSource();
                    Dimension by = Dimension.valueOf(environment.getArgument("by"));
                    BillingFigures.In figure = reports.figure(report.organizationId(), report.days());
                    return withFigure(breakdown(reports.breakdown(report.organizationId(), report.days(), by), figure, Connection.first(environment)), figure);
                })
                .dataFetcher("comparison", environment -> {
                    UsageReport report = environment.getSource();
                    DayRange previous = UsageReportService.previous(report);
                    List<AnalyticsService.Breakdown> both = reports.breakdowns(report.organizationId(), List.of(report.days(), previous), Dimension.ALL);
                    BillingFigures.In figure = reports.figure(report.organizationId(), report.days());
                    return withFigure(comparison(previous, both.get(0).totals(), both.get(1).totals(), figure, null, null), figure);
                })
                .dataFetcher("downloads", environment -> {
                    String path = "/v1/reports/" + environment.<UsageReport>getSource().globalId();
                    return Map.of("pdf", path + ".pdf", "csv", path + ".csv", "json", path + ".json", "teamsCsv", path + "/teams.csv");
                }));
    }

    private Connection<UsageReport> list(DataFetchingEnvironment environment) {
        ListInput input = ListInput.of(environment);
        Viewer viewer = GraphQLContextKeys.viewer(environment);
        Organization organization = reports.organization(tenantScope.organizationFor(viewer, input.organizationId()));
        YearMonth now = YearMonth.now(clock.withZone(organization.zone()));
        if (input.year() != null && (input.year() > now.getYear() || input.month() != null && YearMonth.of(input.year(), input.month()).isAfter(now))) {
            throw MeterlineException.badInput((input.month() == null ? String.valueOf(input.year()) : YearMonth.of(input.year(), input.month()).toString())
                    + " is in the future: reports exist up to " + now);
        }
        List<UsageReport> all = reports.all(organization);
        List<UsageReport> page = all.stream().filter(input::matches).limit(input.first() + 1L).toList();
        return Connection.of(page, input.first(), UsageReport::monthKey, environment.getArgument("after") != null, all.size());
    }

    private DataFetcherResult<Map<String, Object>> custom(DataFetchingEnvironment environment) {
        Viewer viewer = GraphQLContextKeys.viewer(environment);
        long organizationId = tenantScope.organizationFor(viewer, environment.getArgument("organizationId"));
        ZoneId zone = zones.zoneFor(viewer.userId(), organizationId, environment.getArgument("timeZone"));
        DayRange range = DayRange.of(environment.<Map<String, Object>>getArgument("range"), DayRange.Preset.CURRENT_MONTH, zone, clock);
        Map<String, Object> compareTo = environment.getArgument("compareTo");
        CustomInput input = new CustomInput(range, compareTo == null ? UsageReportService.before(range) : DayRange.of(compareTo, DayRange.Preset.PREVIOUS_MONTH, zone, clock),
                blankToNull(environment.getArgument("model")), blankToNull(environment.getArgument("feature")));
        List<DayRange> periods = List.of(input.range(), input.compareTo());
        BillingFigures.In figure = reports.figure(organizationId, input.range());
        List<AnalyticsService.Breakdown> totals = reports.breakdowns(organizationId, periods, Dimension.ALL);
        List<AnalyticsService.Breakdown> models = input.model() == null ? null : reports.breakdowns(organizationId, periods, Dimension.MODEL);
        List<AnalyticsService.Breakdown> features = input.feature() == null ? null : reports.breakdowns(organizationId, periods, Dimension.FEATURE);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("from", range.from());
        result.put("to", range.to());
        result.put("timeZone", zone.getId());
        result.put("totals", totals.get(0).totals());
        result.put("daily", daily(reports.daily(organizationId, range), figure).getData());
        result.put("model", models == null ? null : picked(models.get(0), input.model(), Dimension.MODEL, figure));
        result.put("feature", features == null ? null : picked(features.get(0), input.feature(), Dimension.FEATURE, figure));
        Map<String, Object> comparison = comparison(input.compareTo(), totals.get(0).totals(), totals.get(1).totals(), figure,
                models == null ? null : picked(models.get(1), input.model(), Dimension.MODEL, figure),
                features == null ? null : picked(features.get(1), input.feature(), Dimension.FEATURE, figure));
        // Both chosen: the model within the feature, from the events (no rollup row holds two dimensions), shares of the same totals.
        List<Totals> both = input.model() == null || input.feature() == null ? null
                : reports.modelWithinFeature(organizationId, periods, input.model(), input.feature());
        String key = input.model() + " | " + input.feature();
        result.put("modelAndFeature", both == null ? null : intersection(key, both.get(0), totals.get(0).totals(), figure));
        comparison.put("modelAndFeature", both == null ? null : intersection(key, both.get(1), totals.get(1).totals(), figure));
        result.put("comparison", comparison);
        return withFigure(result, figure);
    }

    private static AnalyticsGraphQL.GroupView picked(AnalyticsService.Breakdown breakdown, String key, Dimension dimension, BillingFigures.In figure) {
        return AnalyticsGraphQL.GroupView.of(List.of(UsageReportService.group(breakdown, key)), breakdown.totals(), dimension, figure).get(0);
    }

    private static AnalyticsGraphQL.GroupView intersection(String key, Totals part, Totals whole, BillingFigures.In figure) {
        return AnalyticsGraphQL.GroupView.of(List.of(new AnalyticsService.Group(key, part)), whole, Dimension.ALL, figure).get(0);
    }

    /** A comparison of {@code current} with {@code other} (over {@code days}); changes in percent, null against nothing. */
    static Map<String, Object> comparison(DayRange days, Totals current, Totals other, BillingFigures.In figure, @Nullable Object model, @Nullable Object feature) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("from", days.from());
        result.put("to", days.to());
        result.put("totals", other);
        result.put("tokensChange", change(current.tokens(), other.tokens()));
        result.put("requestsChange", change(BigDecimal.valueOf(current.requests()), BigDecimal.valueOf(other.requests())));
        result.put("costChange", change(figure.amount(current.billingCost()), figure.amount(other.billingCost())));
        result.put("model", model);
        result.put("feature", feature);
        return result;
    }

    @Nullable
    static Double change(BigDecimal current, BigDecimal before) {
        return before.signum() == 0 ? null : current.subtract(before).multiply(BigDecimal.valueOf(100)).divide(before, 2, RoundingMode.HALF_EVEN).doubleValue();
    }

    /** The days as {@code UsageSeriesBucket}s. */
    static DataFetcherResult<List<Map<String, Object>>> daily(AnalyticsService.Series series, BillingFigures.In figure) {
        return withFigure(series.buckets().stream().map(bucket -> Map.<String, Object>of("start", bucket.bucket().start(), "end", bucket.bucket().end(),
                "date", bucket.bucket().date(), "totals", bucket.totals(), "groups", List.of())).toList(), figure);
    }

    /** A breakdown as a {@code UsageBreakdown}, its groups by cost in the billing currency (then as analytics sorts them). */
    static Map<String, Object> breakdown(AnalyticsService.Breakdown breakdown, BillingFigures.In figure, int first) {
        List<AnalyticsGraphQL.GroupView> groups = AnalyticsGraphQL.GroupView.of(breakdown.groups(), breakdown.totals(), breakdown.dimension(), figure);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("from", breakdown.days().from());
        result.put("to", breakdown.days().to());
        result.put("timeZone", breakdown.days().zone().getId());
        result.put("by", breakdown.dimension().name());
        result.put("groups", groups.subList(0, Math.min(first, groups.size())));
        result.put("totalCount", groups.size());
        result.put("totals", breakdown.totals());
        result.put("asOf", breakdown.asOf());
        return result;
    }

    private static CompletableFuture<UsageReportService.Figures> figures(DataFetchingEnvironment environment) {
        DataLoader<UsageReport, UsageReportService.Figures> loader = environment.getDataLoader(FIGURES);
        return loader.load(environment.getSource());
    }

    private static java.time.OffsetDateTime local(UsageReport report, java.time.Instant instant) {
        return instant.atZone(report.days().zone()).toOffsetDateTime();
    }

    @Nullable
    private static String blankToNull(@Nullable String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    static <T> DataFetcherResult<T> withFigure(T data, BillingFigures.In figure) {
        return DataFetcherResult.<T>newResult().data(data).localContext(figure).build();
    }

    static List<Money> money(Map<String, BigDecimal> amounts) {
        return amounts.entrySet().stream().map(entry -> new Money(entry.getValue(), entry.getKey())).toList();
    }

    /** Reports are nodes owned by their organization. */
    @Factory
    static class ReportNodes {

        @Singleton
        NodeLoader<UsageReport> usageReportNodes(UsageReportService reports) {
            return NodeLoader.of(UsageReport.TYPE, UsageReport.class, reports::find, report -> Owner.organization(report.organizationId()));
        }
    }
}
