package io.meterline.platform.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import graphql.execution.CoercedVariables;
import graphql.introspection.IntrospectionQuery;
import graphql.language.Document;
import graphql.Scalars;
import graphql.language.ListType;
import graphql.language.NonNullType;
import graphql.language.OperationDefinition;
import graphql.language.Type;
import graphql.language.TypeName;
import graphql.language.VariableDefinition;
import graphql.schema.GraphQLInputObjectType;
import graphql.schema.GraphQLType;
import graphql.parser.Parser;
import graphql.schema.GraphQLSchema;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.StatementCounter;
import io.meterline.platform.support.TestApi;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fields weigh what they cost: aliases of database-reading fields and bad-faith introspection are
 * refused with QUERY_TOO_COMPLEX before anything runs, while the example apps' operations and the
 * standard introspection query fit.
 */
class GraphQLCostIT extends ServerTest {

    /** The example apps' operations: every {@code graphql(`...`)} template of ui-examples/src. */
    private static final Path EXAMPLES = Path.of("..", "ui-examples", "src");
    private static final Pattern OPERATION_TEMPLATE = Pattern.compile("graphql\\(`([^`]*)`\\)");

    @Inject
    StatementCounter statements;

    @Inject
    QueryCost queryCost;

    @Inject
    GraphQLSchema schema;

    @Inject
    GraphQLLimits limits;

    Fixtures.Tenant tenant;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put(StatementCounter.ENABLE, "true");
        return properties;
    }

    @BeforeAll
    void setUp() {
        tenant = Fixtures.tenant(api, "cost", "UTC");
    }

    @Test
    void aThousandAliasedSummariesAreRefusedBeforeAnyStatementRuns() {
        String query = IntStream.range(0, 1000).mapToObj(i -> "s" + i + ": usageSummary { tokens }").collect(Collectors.joining(" ", "{ ", " }"));
        statements.start("usage_bucket");
        long started = System.nanoTime();
        TestApi.Response response = api.graphql(tenant.memberToken(), query);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(response.at("errors.0.extensions.code")).as(response.body()).isEqualTo("QUERY_TOO_COMPLEX");
        assertThat(((Number) response.at("errors.0.extensions.cost")).longValue()).isEqualTo(1000 * (50 + 1));
        assertThat(response.at("data")).isNull();
        assertThat(statements.count()).as("statements reading usage").isZero();
        // Running them took 5.35 s; refusing them only parses and weighs the document.
        assertThat(took).isLessThan(Duration.ofSeconds(2));
        // One summary still runs and reads the buckets, so the counter would have seen the thousand.
        TestApi.Response one = api.graphql(tenant.memberToken(), "{ usageSummary { tokens } }");
        assertThat(one.at("errors")).as(one.body()).isNull();
        assertThat(((Number) one.at("extensions.cost.requestedQueryCost")).longValue()).isEqualTo(51);
        assertThat(statements.count()).isPositive();
    }

    @Test
    void aliasesOfAnyRootFieldAddUp() {
        // viewer is cheap to run once, but 600 of it are 600 service calls: root fields weigh root-field-weight.
        String query = IntStream.range(0, 600).mapToObj(i -> "v" + i + ": viewer { user { email } }").collect(Collectors.joining(" ", "{ ", " }"));
        TestApi.Response response = api.graphql(tenant.memberToken(), query);
        assertThat(response.at("errors.0.extensions.code")).isEqualTo("QUERY_TOO_COMPLEX");
        assertThat(response.at("data")).isNull();
    }

    @Test
    void deeplyNestedIntrospectionIsTooComplexNotInternal() {
        String ofTypes = "type { " + "ofType { ".repeat(30) + "name" + " }".repeat(30) + " }";
        TestApi.Response response = api.graphql(tenant.memberToken(), "{ __schema { types { fields { " + ofTypes + " } } } }");
        assertThat(response.at("errors.0.extensions.code")).as(response.body()).isEqualTo("QUERY_TOO_COMPLEX");
        assertThat(response.at("errors.0.extensions.maxDepth")).isEqualTo(RequestGuard.MAX_INTROSPECTION_DEPTH);
        assertThat(response.at("data")).isNull();
    }

    @Test
    void introspectionCyclesAndRepeatedSchemaFieldsAreTooComplex() {
        List<String> badFaith = List.of(
                // Each level of fields { type { fields } } multiplies the answer by the schema's size.
                "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }",
                IntStream.range(0, 2).mapToObj(i -> "s" + i + ": __schema { queryType { name } }").collect(Collectors.joining(" ", "{ ", " }")),
                IntStream.range(0, 1000).mapToObj(i -> "t" + i + ": __type(name: \"Query\") { name }").collect(Collectors.joining(" ", "{ ", " }")),
                IntStream.range(0, 1000).mapToObj(i -> "s" + i + ": __schema { types { name } }").collect(Collectors.joining(" ", "{ ", " }")));
        for (String query : badFaith) {
            TestApi.Response response = api.graphql(tenant.memberToken(), query);
            assertThat(response.at("errors.0.extensions.code")).as(query.substring(0, 60) + " -> " + response.body().substring(0, Math.min(300, response.body().length())))
                    .isEqualTo("QUERY_TOO_COMPLEX");
            assertThat(response.at("data")).isNull();
        }
    }

    @Test
    void theStandardIntrospectionQueryFits() {
        TestApi.Response response = api.graphql(tenant.memberToken(), IntrospectionQuery.INTROSPECTION_QUERY);
        assertThat(response.at("errors")).as(response.body().substring(0, Math.min(500, response.body().length()))).isNull();
        assertThat(response.at("data.__schema.queryType.name")).isEqualTo("Query");
        assertThat(((Number) response.at("extensions.cost.requestedQueryCost")).longValue()).isLessThan(limits.maxCost());
    }

    @Test
    void everyExampleAppOperationFitsAtFullPages() throws IOException {
        List<String> operations = new ArrayList<>();
        List<String> tooExpensive = new ArrayList<>();
        long highest = 0;
        try (Stream<Path> files = Files.walk(EXAMPLES)) {
            // src/gql is what codegen generates from these operations (its examples in comments are not operations).
            for (Path file : files.filter(path -> !path.startsWith(EXAMPLES.resolve("gql")))
                    .filter(path -> path.toString().endsWith(".ts") || path.toString().endsWith(".tsx")).toList()) {
                Matcher matcher = OPERATION_TEMPLATE.matcher(Files.readString(file, StandardCharsets.UTF_8));
                while (matcher.find()) {
                    Document document = Parser.parse(matcher.group(1));
                    for (OperationDefinition operation : document.getDefinitionsOfType(OperationDefinition.class)) {
                        QueryCost.Measure measure = queryCost.measure(schema, document, operation.getName(), largest(operation));
                        operations.add(operation.getName());
                        highest = Math.max(highest, measure.cost());
                        if (measure.cost() > limits.maxCost() || measure.depth() > limits.maxDepth()) {
                            tooExpensive.add(operation.getName() + " costs " + measure.cost() + " at depth " + measure.depth());
                        }
                    }
                }
            }
        }
        assertThat(operations).hasSizeGreaterThan(20).contains("ClientDashboard");
        assertThat(tooExpensive).as("example operations over the limits (the highest costs " + highest + ")").isEmpty();
    }

    /** Variables for weighing an operation: every Int at the page bound of 100 (first/last weigh by it), anything else a placeholder. */
    private CoercedVariables largest(OperationDefinition operation) {
        Map<String, Object> values = new HashMap<>();
        for (VariableDefinition variable : operation.getVariableDefinitions()) {
            Type<?> type = variable.getType();
            boolean list = false;
            while (!(type instanceof TypeName)) {
                list |= type instanceof ListType;
                type = type instanceof NonNullType nonNull ? nonNull.getType() : ((ListType) type).getType();
            }
            GraphQLType named = schema.getType(((TypeName) type).getName());
            Object value = named instanceof GraphQLInputObjectType ? Map.of() : "Int".equals(((TypeName) type).getName()) ? 100 : named == Scalars.GraphQLBoolean ? false : "x";
            values.put(variable.getName(), list ? List.of(value) : value);
        }
        return CoercedVariables.of(values);
    }
}
