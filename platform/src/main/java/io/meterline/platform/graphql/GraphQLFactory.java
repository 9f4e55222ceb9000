package io.meterline.platform.graphql;

import graphql.GraphQL;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import graphql.schema.idl.TypeDefinitionRegistry;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;

/** Merges the schema files of graphql-schema/ into one schema and wires every feature's data fetchers. */
@Factory
public class GraphQLFactory {

    @Singleton
    GraphQLSchema schema(List<GraphQLWiring> wirings) {
        TypeDefinitionRegistry registry = new TypeDefinitionRegistry();
        SchemaParser parser = new SchemaParser();
        for (Map.Entry<String, String> file : SchemaFiles.load().entrySet()) {
            registry.merge(parser.parse(file.getValue()));
        }
        RuntimeWiring.Builder wiring = RuntimeWiring.newRuntimeWiring();
        Scalars.all().forEach(wiring::scalar);
        wirings.forEach(feature -> feature.wire(wiring));
        return new SchemaGenerator().makeExecutableSchema(registry, wiring.build());
    }

    @Singleton
    GraphQL graphQL(GraphQLSchema schema, RequestGuard requestGuard, ErrorMapper errorMapper, DocumentCache documents) {
        return GraphQL.newGraphQL(schema)
                .instrumentation(requestGuard)
                .defaultDataFetcherExceptionHandler(errorMapper)
                .preparsedDocumentProvider(documents)
                .build();
    }
}
