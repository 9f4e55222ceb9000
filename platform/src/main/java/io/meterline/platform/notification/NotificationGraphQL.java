package io.meterline.platform.notification;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.meterline.platform.graphql.BatchLoaders;
import io.meterline.platform.graphql.GraphQLContextKeys;
import io.meterline.platform.graphql.GraphQLWiring;
import io.meterline.platform.graphql.Payloads;
import io.meterline.platform.graphql.SharedLoaders;
import jakarta.inject.Singleton;
import java.util.Map;

/** GraphQL wiring of alert settings. */
@Singleton
public class NotificationGraphQL implements GraphQLWiring {

    private final AlertSettingsService settings;

    public NotificationGraphQL(AlertSettingsService settings) {
        this.settings = settings;
    }

    @Override
    public void wire(RuntimeWiring.Builder wiring) {
        wiring.type("Query", type -> type
                .dataFetcher("alertSettings", environment -> settings.read(GraphQLContextKeys.viewer(environment), environment.getArgument("organizationId"))));
        wiring.type("Mutation", type -> type
                .dataFetcher("alertSettingsUpdate", this::update));
        wiring.type("AlertSettings", type -> type
                .dataFetcher("organization", environment -> BatchLoaders.load(environment, SharedLoaders.ORGANIZATIONS, environment.<AlertSettings>getSource().organizationId())));
    }

    private Map<String, Object> update(DataFetchingEnvironment environment) {
        Map<String, Object> input = environment.getArgument("input");
        return Payloads.of("alertSettings", () -> settings.update(GraphQLContextKeys.viewer(environment), new AlertSettingsService.Update(
                (String) input.get("organizationId"), (Boolean) input.get("enabled"), (Integer) input.get("thresholdPercent"),
                input.containsKey("email"), (String) input.get("email"))));
    }
}
