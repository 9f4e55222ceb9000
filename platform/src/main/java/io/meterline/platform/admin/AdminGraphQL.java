package io.meterline.platform.admin;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.meterline.platform.common.Money;
import io.meterline.platform.graphql.BatchLoaders;
import io.meterline.platform.graphql.Connection;
import io.meterline.platform.graphql.GraphQLContextKeys;
import io.meterline.platform.graphql.GraphQLWiring;
import io.meterline.platform.graphql.SharedLoaders;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.usage.UsageEventView;
import jakarta.inject.Singleton;
import java.time.LocalDate;

/** GraphQL wiring of the usage monitoring views: the admin's overview, summaries, activity, breakdown and top customers, and {@code customerView}. */
@Singleton
public class AdminGraphQL implements GraphQLWiring {

    private static final int DEFAULT_TOP = 10;

    private final AdminService admin;

    AdminGraphQL(AdminService admin) {
        this.admin = admin;
    }

    @Override
    public void wire(RuntimeWiring.Builder wiring) {
        wiring.type("Query", type -> type
                .dataFetcher("adminOverview", environment -> admin.overview(viewer(environment), month(environment)))
                .dataFetcher("customerMonthlySummaries", environment -> admin.summaries(viewer(environment), environment.getArgument("search"),
                        Connection.first(environment), Connection.after(environment, 0), environment.getArgument("after") != null, month(environment)))
                .dataFetcher("recentActivity", environment -> admin.recent(viewer(environment), environment.getArgument("service"),
                        intArgument(environment, "first", AdminService.MAX_RECENT)))
                .dataFetcher("serviceBreakdown", environment -> admin.breakdown(viewer(environment), month(environment)))
                .dataFetcher("topCustomers", environment -> admin.topCustomers(viewer(environment), month(environment), intArgument(environment, "first", DEFAULT_TOP)))
                .dataFetcher("customerView", environment -> admin.customerView(viewer(environment), environment.getArgument("organizationId"))));
        wiring.type("CustomerMonthlySummary", type -> type
                .dataFetcher("timeZone", environment -> environment.<CustomerMonth>getSource().customer().timeZone()));
        wiring.type("RecentCall", type -> type
                .dataFetcher("time", environment -> event(environment).timestamp())
                .dataFetcher("customer", environment -> BatchLoaders.load(environment, SharedLoaders.ORGANIZATIONS, event(environment).organizationId()))
                .dataFetcher("service", environment -> event(environment).provider())
                .dataFetcher("model", environment -> event(environment).model())
                .dataFetcher("status", environment -> event(environment).status())
                .dataFetcher("success", environment -> "ok".equals(event(environment).status()))
                .dataFetcher("originalCost", environment -> {
                    UsageEventView event = event(environment);
                    return event.cost() == null ? null : new Money(event.cost(), event.currency());
                }));
    }

    private static UsageEventView event(DataFetchingEnvironment environment) {
        return environment.<AdminViews.RecentCall>getSource().event();
    }

    private static Viewer viewer(DataFetchingEnvironment environment) {
        return GraphQLContextKeys.viewer(environment);
    }

    private static LocalDate month(DataFetchingEnvironment environment) {
        return environment.getArgument("month");
    }

    private static int intArgument(DataFetchingEnvironment environment, String name, int whenAbsent) {
        Integer value = environment.getArgument(name);
        return value == null ? whenAbsent : value;
    }
}
