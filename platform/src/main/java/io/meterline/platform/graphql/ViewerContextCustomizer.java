package io.meterline.platform.graphql;

import graphql.ExecutionInput;
import io.meterline.platform.security.Viewer;
import io.micronaut.configuration.graphql.DefaultGraphQLExecutionInputCustomizer;
import io.micronaut.configuration.graphql.GraphQLExecutionInputCustomizer;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.security.authentication.Authentication;
import jakarta.inject.Singleton;
import java.util.List;
import org.reactivestreams.Publisher;

/**
 * Puts the viewer of the validated JWT, the client's address (the socket's peer: a proxy in front
 * must be trusted explicitly, so no forwarded header is read) and a fresh DataLoader registry into
 * every GraphQL execution.
 */
@Singleton
@Replaces(DefaultGraphQLExecutionInputCustomizer.class)
public class ViewerContextCustomizer implements GraphQLExecutionInputCustomizer {

    private final List<BatchLoaders> batchLoaders;

    public ViewerContextCustomizer(List<BatchLoaders> batchLoaders) {
        this.batchLoaders = batchLoaders;
    }

    @Override
    public Publisher<ExecutionInput> customize(ExecutionInput executionInput, HttpRequest httpRequest, MutableHttpResponse<String> httpResponse) {
        httpRequest.getUserPrincipal(Authentication.class).ifPresent(authentication ->
                executionInput.getGraphQLContext().put(GraphQLContextKeys.VIEWER, Viewer.from((Authentication) authentication)));
        executionInput.getGraphQLContext().put(GraphQLContextKeys.CLIENT_ADDRESS, httpRequest.getRemoteAddress().getAddress() == null
                ? httpRequest.getRemoteAddress().getHostString() : httpRequest.getRemoteAddress().getAddress().getHostAddress());
        return Publishers.just(executionInput.transform(builder -> builder.dataLoaderRegistry(BatchLoaders.registry(batchLoaders))));
    }
}
