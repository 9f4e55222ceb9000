package io.meterline.platform.insight;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.meterline.platform.graphql.GraphQLContextKeys;
import io.meterline.platform.graphql.GraphQLWiring;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.time.DayRange;
import io.meterline.platform.time.ViewerZones;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Map;

/** GraphQL wiring of usage insights: projection, forecast, patterns, anomalies and suggestions. */
@Singleton
public class InsightGraphQL implements GraphQLWiring {

    private final InsightService insights;
    private final TenantScope tenantScope;
    private final ViewerZones zones;
    private final Clock clock;

    InsightGraphQL(InsightService insights, TenantScope tenantScope, ViewerZones zones, Clock clock) {
        this.insights = insights;
        this.tenantScope = tenantScope;
        this.zones = zones;
        this.clock = clock;
    }

    @Override
    public void wire(RuntimeWiring.Builder wiring) {
        wiring.type("Query", type -> type
                .dataFetcher("usageProjection", environment -> {
                    Scope scope = scope(environment);
                    return insights.projection(scope.organizationId(), scope.zone());
                })
                .dataFetcher("usageForecast", environment -> {
                    Scope scope = scope(environment);
                    Integer days = environment.getArgument("days");
                    return insights.forecast(scope.organizationId(), scope.zone(), days, metric(environment), environment.getArgument("currencyCode"));
                })
                .dataFetcher("usagePatterns", environment -> {
                    Scope scope = scope(environment);
                    return insights.patterns(scope.organizationId(), range(environment, scope.zone(), DayRange.Preset.LAST_30_DAYS), metric(environment),
                            environment.getArgument("currencyCode"));
                })
                .dataFetcher("usageAnomalies", environment -> {
                    Scope scope = scope(environment);
                    Insights.Granularity granularity = Insights.Granularity.valueOf(environment.getArgument("granularity"));
                    DayRange.Preset preset = granularity == Insights.Granularity.DAY ? DayRange.Preset.LAST_30_DAYS : DayRange.Preset.LAST_7_DAYS;
                    return insights.anomalies(scope.organizationId(), granularity, range(environment, scope.zone(), preset), metric(environment),
                            environment.getArgument("currencyCode"));
                })
                .dataFetcher("usageSuggestions", environment -> {
                    Scope scope = scope(environment);
                    return insights.suggestions(scope.organizationId(), scope.zone());
                }));
    }

    private record Scope(long organizationId, ZoneId zone) {
    }

    /** The organization (NOT_FOUND for another organization's id) and the zone, as {@code usageSummary} picks them. */
    private Scope scope(DataFetchingEnvironment environment) {
        Viewer viewer = GraphQLContextKeys.viewer(environment);
        long organizationId = tenantScope.organizationFor(viewer, environment.getArgument("organizationId"));
        return new Scope(organizationId, zones.zoneFor(viewer.userId(), organizationId, environment.getArgument("timeZone")));
    }

    private static Insights.Metric metric(DataFetchingEnvironment environment) {
        return Insights.Metric.valueOf(environment.getArgument("metric"));
    }

    private DayRange range(DataFetchingEnvironment environment, ZoneId zone, DayRange.Preset whenEmpty) {
        return DayRange.of(environment.<Map<String, Object>>getArgument("range"), whenEmpty, zone, clock);
    }
}
