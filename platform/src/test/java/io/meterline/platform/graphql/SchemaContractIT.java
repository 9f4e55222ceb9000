package io.meterline.platform.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import graphql.schema.FieldCoordinates;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLFieldsContainer;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLSchema;
import graphql.schema.GraphQLType;
import graphql.schema.PropertyDataFetcher;
import graphql.schema.idl.SchemaPrinter;
import io.meterline.platform.support.ServerTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The schema in graphql-schema/ is the contract: every root field is implemented, documented, and printed for codegen. */
class SchemaContractIT extends ServerTest {

    /** Where the printed schema is committed; {@code -Dmeterline.schema.write=true} rewrites it. */
    private static final Path PRINTED = Path.of("..", "graphql-schema", "schema.graphql");

    @Inject
    GraphQLSchema schema;

    @Test
    void everyRootFieldHasADataFetcher() {
        List<String> missing = new ArrayList<>();
        for (GraphQLObjectType root : roots()) {
            for (GraphQLFieldDefinition field : root.getFieldDefinitions()) {
                if (schema.getCodeRegistry().getDataFetcher(FieldCoordinates.coordinates(root, field), field) instanceof PropertyDataFetcher) {
                    missing.add(root.getName() + "." + field.getName());
                }
            }
        }
        assertThat(missing).as("root fields without a data fetcher").isEmpty();
    }

    @Test
    void everyTypeAndFieldIsDescribed() {
        List<String> undocumented = new ArrayList<>();
        for (GraphQLType type : schema.getAllTypesAsList()) {
            if (type instanceof GraphQLFieldsContainer container && !container.getName().startsWith("__")) {
                if (container.getDescription() == null || container.getDescription().isBlank()) {
                    if (!List.of("Query", "Mutation").contains(container.getName())) {
                        undocumented.add(container.getName());
                    }
                }
                container.getFieldDefinitions().stream()
                        .filter(field -> field.getDescription() == null || field.getDescription().isBlank())
                        .forEach(field -> undocumented.add(container.getName() + "." + field.getName()));
            }
        }
        assertThat(undocumented).as("types and fields without a description").isEmpty();
    }

    @Test
    void printedSchemaIsCurrent() throws IOException {
        String printed = new SchemaPrinter(SchemaPrinter.Options.defaultOptions()
                .includeScalarTypes(true)
                .includeSchemaDefinition(true)
                .includeDirectives(false))
                .print(schema);
        if (Boolean.getBoolean("meterline.schema.write")) {
            Files.writeString(PRINTED, printed, StandardCharsets.UTF_8);
        }
        assertThat(Files.exists(PRINTED)).as("graphql-schema/schema.graphql exists; regenerate with -Dmeterline.schema.write=true").isTrue();
        assertThat(Files.readString(PRINTED, StandardCharsets.UTF_8))
                .as("graphql-schema/schema.graphql is stale; regenerate with ./mvnw verify -Dmeterline.schema.write=true")
                .isEqualTo(printed);
    }

    private List<GraphQLObjectType> roots() {
        List<GraphQLObjectType> roots = new ArrayList<>(List.of(schema.getQueryType(), schema.getMutationType()));
        if (schema.getSubscriptionType() != null) {
            roots.add(schema.getSubscriptionType());
        }
        return roots;
    }
}
