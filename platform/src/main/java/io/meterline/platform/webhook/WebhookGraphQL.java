package io.meterline.platform.webhook;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.graphql.BatchLoaders;
import io.meterline.platform.graphql.Connection;
import io.meterline.platform.graphql.GraphQLContextKeys;
import io.meterline.platform.graphql.GraphQLWiring;
import io.meterline.platform.graphql.NodeLoader;
import io.meterline.platform.graphql.Payloads;
import io.meterline.platform.graphql.SharedLoaders;
import io.meterline.platform.security.Owner;
import io.meterline.platform.security.Viewer;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dataloader.DataLoaderRegistry;

/** GraphQL wiring of webhook endpoints and their delivery log. */
@Singleton
public class WebhookGraphQL implements GraphQLWiring, BatchLoaders {

    /** DataLoader of endpoints by row id. */
    static final String ENDPOINTS = "webhookEndpoints";

    private final WebhookService webhooks;
    private final WebhookEndpointRepository endpointRows;

    public WebhookGraphQL(WebhookService webhooks, WebhookEndpointRepository endpointRows) {
        this.webhooks = webhooks;
        this.endpointRows = endpointRows;
    }

    @Override
    public void register(DataLoaderRegistry registry) {
        registry.register(ENDPOINTS, BatchLoaders.byId(endpointRows::findByIdIn, WebhookEndpoint::id));
    }

    @Override
    public void wire(RuntimeWiring.Builder wiring) {
        wiring.type("Query", type -> type
                .dataFetcher("webhookEventTypes", environment -> {
                    GraphQLContextKeys.viewer(environment);
                    return WebhookEventTypes.KNOWN;
                })
                .dataFetcher("webhookEndpoints", environment -> webhooks.list(viewer(environment), environment.getArgument("organizationId")))
                .dataFetcher("webhookDeliveries", this::deliveries));
        wiring.type("Mutation", type -> type
                .dataFetcher("webhookEndpointCreate", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.fields(() -> {
                        WebhookService.CreatedEndpoint created = webhooks.create(viewer(environment), new WebhookService.NewEndpoint(
                                (String) input.get("organizationId"), (String) input.get("url"), eventTypes(input), (String) input.get("description")));
                        Map<String, Object> payload = new HashMap<>();
                        payload.put("webhookEndpoint", created.endpoint());
                        payload.put("secret", created.secret());
                        return payload;
                    });
                })
                .dataFetcher("webhookEndpointDelete", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("webhookEndpoint", () -> webhooks.delete(viewer(environment), (String) input.get("id")));
                })
                .dataFetcher("webhookDeliveryReplay", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("webhookDelivery", () -> webhooks.replay(viewer(environment), (String) input.get("id")));
                }));
        wiring.type("WebhookEndpoint", type -> type
                .dataFetcher("id", environment -> GlobalId.encode(WebhookService.ENDPOINT_TYPE, environment.<WebhookEndpoint>getSource().id()))
                .dataFetcher("eventTypes", environment -> environment.<WebhookEndpoint>getSource().eventTypeList())
                .dataFetcher("organization", environment -> BatchLoaders.load(environment, SharedLoaders.ORGANIZATIONS, environment.<WebhookEndpoint>getSource().organizationId())));
        wiring.type("WebhookDelivery", type -> type
                .dataFetcher("id", environment -> GlobalId.encode(WebhookService.DELIVERY_TYPE, environment.<WebhookDelivery>getSource().id()))
                .dataFetcher("status", environment -> environment.<WebhookDelivery>getSource().status().name())
                .dataFetcher("endpoint", environment -> BatchLoaders.load(environment, ENDPOINTS, environment.<WebhookDelivery>getSource().endpointId())));
    }

    /** The schema types {@code eventTypes} as {@code [String!]!}, so graphql-java hands over a list of strings. */
    @SuppressWarnings("unchecked")
    private static List<String> eventTypes(Map<String, Object> input) {
        return (List<String>) input.get("eventTypes");
    }

    private static Viewer viewer(DataFetchingEnvironment environment) {
        return GraphQLContextKeys.viewer(environment);
    }

    private Connection<WebhookDelivery> deliveries(DataFetchingEnvironment environment) {
        WebhookEndpoint endpoint = webhooks.findEndpoint(viewer(environment), environment.getArgument("endpointId"));
        int first = Connection.first(environment);
        List<WebhookDelivery> page = webhooks.deliveryPage(endpoint.id(), Connection.after(environment, Long.MAX_VALUE), first + 1);
        return Connection.of(page, first, WebhookDelivery::id, environment.getArgument("after") != null, webhooks.deliveryCount(endpoint.id()));
    }

    /** Node loaders of the webhook types. */
    @Factory
    static class WebhookNodes {

        @Singleton
        NodeLoader<WebhookEndpoint> webhookEndpointNodes(WebhookEndpointRepository repository) {
            return NodeLoader.of(WebhookService.ENDPOINT_TYPE, WebhookEndpoint.class, repository::findById, endpoint -> Owner.organization(endpoint.organizationId()));
        }

        @Singleton
        NodeLoader<WebhookDelivery> webhookDeliveryNodes(WebhookDeliveryRepository repository) {
            return NodeLoader.of(WebhookService.DELIVERY_TYPE, WebhookDelivery.class, repository::findById, delivery -> Owner.organization(delivery.organizationId()));
        }
    }
}
