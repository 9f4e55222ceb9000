package io.meterline.platform.alert;

import graphql.language.OperationDefinition;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.graphql.SharedLoaders;
import io.meterline.platform.security.UserRepository;
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
import java.util.List;
import java.util.Map;

/** GraphQL wiring of alerts: the list, the count, acknowledging, and the {@code alertRaised} subscription. */
@Singleton
public class AlertGraphQL implements GraphQLWiring {

    private final AlertService alerts;
    private final TenantScope tenantScope;
    private final UserRepository users;
    private final OrganizationRepository organizations;

    public AlertGraphQL(AlertService alerts, TenantScope tenantScope, UserRepository users, OrganizationRepository organizations) {
        this.organizations = organizations;
        this.alerts = alerts;
        this.tenantScope = tenantScope;
        this.users = users;
    }

    @Override
    public void wire(RuntimeWiring.Builder wiring) {
        wiring.type("Query", type -> type
                .dataFetcher("alerts", this::alertPage)
                .dataFetcher("activeAlertCount", environment -> alerts.activeCount(GraphQLContextKeys.viewer(environment), environment.getArgument("organizationId"))));
        wiring.type("Mutation", type -> type
                .dataFetcher("alertAcknowledge", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("alert", () -> alerts.acknowledge(GraphQLContextKeys.viewer(environment), (String) input.get("id")));
                }));
        wiring.type("Subscription", type -> type
                .dataFetcher("alertRaised", environment -> alerts.subscribe(GraphQLContextKeys.viewer(environment), environment.getArgument("organizationId"),
                        longArgument(environment, "afterSequence"))));
        wiring.type("Alert", type -> type
                .dataFetcher("id", environment -> GlobalId.encode(Alert.TYPE, environment.<Alert>getSource().id()))
                .dataFetcher("organization", environment -> {
                    long organizationId = environment.<Alert>getSource().organizationId();
                    // graphql-java does not dispatch DataLoaders for subscription events; each event is one alert anyway.
                    if (environment.getOperationDefinition().getOperation() == OperationDefinition.Operation.SUBSCRIPTION) {
                        return organizations.findById(organizationId).orElseThrow();
                    }
                    return BatchLoaders.load(environment, SharedLoaders.ORGANIZATIONS, organizationId);
                })
                .dataFetcher("data", environment -> alerts.data(environment.getSource()))
                .dataFetcher("cost", environment -> alerts.cost(environment.getSource()))
                // Only acknowledged alerts have one, and lists are rarely asked for it: a direct read.
                .dataFetcher("acknowledgedBy", environment -> {
                    Long userId = environment.<Alert>getSource().acknowledgedBy();
                    return userId == null ? null : users.findById(userId).orElse(null);
                }));
    }

    private Connection<Alert> alertPage(DataFetchingEnvironment environment) {
        Viewer viewer = GraphQLContextKeys.viewer(environment);
        String named = environment.getArgument("organizationId");
        // Platform admins naming no organization see every organization's alerts (seed 003's alerts section).
        Long organizationId = named == null && viewer.isPlatformAdmin() ? null : tenantScope.organizationFor(viewer, named);
        if (organizationId == null && environment.getArgument("afterSequence") != null) {
            throw MeterlineException.badInput("afterSequence counts within one organization: name an organizationId");
        }
        int first = Connection.first(environment);
        String status = environment.getArgument("status");
        List<String> levels = environment.getArgument("levels");
        AlertStore.Filter filter = new AlertStore.Filter(status == null ? AlertStatus.ACTIVE : AlertStatus.valueOf(status), environment.getArgument("kinds"),
                levels == null ? null : levels.stream().map(AlertLevel::valueOf).toList(), longArgument(environment, "afterSequence"));
        List<Alert> page = alerts.page(organizationId, filter, Connection.after(environment, Long.MAX_VALUE), first + 1);
        return Connection.of(page, first, Alert::id, environment.getArgument("after") != null, alerts.count(organizationId, filter));
    }

    private static Long longArgument(DataFetchingEnvironment environment, String name) {
        Object value = environment.getArgument(name);
        return value == null ? null : ((Number) value).longValue();
    }

    /** Node loader of alerts. */
    @Factory
    static class AlertNodes {

        @Singleton
        NodeLoader<Alert> alertNodes(AlertStore store) {
            return NodeLoader.of(Alert.TYPE, Alert.class, store::find, alert -> Owner.organization(alert.organizationId()));
        }
    }
}
