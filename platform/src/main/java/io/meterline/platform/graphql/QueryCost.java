package io.meterline.platform.graphql;

import graphql.TrivialDataFetcher;
import graphql.analysis.QueryTraverser;
import graphql.analysis.QueryVisitorFieldEnvironment;
import graphql.analysis.QueryVisitorStub;
import graphql.execution.CoercedVariables;
import graphql.introspection.Introspection;
import graphql.language.Document;
import graphql.schema.FieldCoordinates;
import graphql.schema.GraphQLAppliedDirective;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLSchema;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What an operation costs before it runs, from its document alone. A field costs its weight plus
 * its children's cost times the {@code first} or {@code last} it asks for: the field's own work
 * happens once, what each of the page's items selects happens per item. Weights:
 * <ul>
 * <li>{@code @cost(weight: N)} on the field definition: the fields that aggregate events or rollups
 * and take milliseconds each, so a thousand aliases of them cannot pass for a cheap query;</li>
 * <li>{@code meterline.graphql.root-field-weight} for any other root field: every root field runs
 * at least one query or service call, and aliases repeat it;</li>
 * <li>{@code meterline.graphql.fetcher-weight} for a nested field with a data fetcher of its own
 * (graphql-java tells a property of the parent object, which reads memory, from a fetcher, which
 * may read the database);</li>
 * <li>1 for a property of the parent and for introspection fields, which read the schema in memory;</li>
 * <li>0 for {@code __typename}, which clients such as urql add to every selection and the engine
 * answers without a fetcher.</li>
 * </ul>
 */
@Singleton
public class QueryCost {

    /** The schema directive that gives a field's weight. */
    static final String COST_DIRECTIVE = "cost";

    private final GraphQLLimits limits;
    /** Weights by field, for the one schema of the server: they depend on nothing else. */
    private final Map<FieldCoordinates, Integer> weights = new ConcurrentHashMap<>();

    /**
     * An operation's measure.
     *
     * @param cost the weighted cost
     * @param depth the deepest nesting of the operation's own fields, introspection excluded
     * @param introspectionDepth the deepest nesting under an introspection field
     * @param rootFields the operation's root fields, introspection excluded
     * @param types the types whose fields the operation selects, introspection excluded
     * @param introspects whether a root field is {@code __schema} or {@code __type}
     */
    record Measure(long cost, int depth, int introspectionDepth, Set<String> rootFields, Set<String> types, boolean introspects) {
    }

    public QueryCost(GraphQLLimits limits) {
        this.limits = limits;
    }

    Measure measure(GraphQLSchema schema, Document document, String operationName, CoercedVariables variables) {
        Set<String> rootFields = new TreeSet<>();
        Set<String> types = new TreeSet<>();
        Map<QueryVisitorFieldEnvironment, Long> costByParent = new HashMap<>();
        int[] depth = {0, 0};
        boolean[] introspects = {false};
        QueryTraverser.newQueryTraverser()
                .schema(schema)
                .document(document)
                .operationName(operationName)
                .coercedVariables(variables)
                .build()
                .visitPostOrder(new QueryVisitorStub() {
                    @Override
                    public void visitField(QueryVisitorFieldEnvironment field) {
                        String name = field.getField().getName();
                        if (name.equals(Introspection.TypeNameMetaFieldDef.getName())) {
                            return;
                        }
                        boolean root = field.getParentEnvironment() == null;
                        long children = costByParent.getOrDefault(field, 0L);
                        if (isIntrospection(field)) {
                            introspects[0] |= root;
                            depth[1] = Math.max(depth[1], depth(field));
                            costByParent.merge(field.getParentEnvironment(), 1 + children, Long::sum);
                            return;
                        }
                        if (root) {
                            rootFields.add(name);
                        }
                        types.add(field.getFieldsContainer().getName());
                        depth[0] = Math.max(depth[0], depth(field));
                        // Saturating: a hostile document must not overflow into a small cost.
                        long cost = saturatedAdd(weight(schema, field, root), saturatedMultiply(children, multiplier(field)));
                        costByParent.merge(field.getParentEnvironment(), cost, QueryCost::saturatedAdd);
                    }
                });
        return new Measure(costByParent.getOrDefault(null, 0L), depth[0], depth[1], rootFields, types, introspects[0]);
    }

    private int weight(GraphQLSchema schema, QueryVisitorFieldEnvironment field, boolean root) {
        GraphQLFieldDefinition definition = field.getFieldDefinition();
        FieldCoordinates coordinates = FieldCoordinates.coordinates(field.getFieldsContainer().getName(), definition.getName());
        return weights.computeIfAbsent(coordinates, key -> {
            GraphQLAppliedDirective cost = definition.getAppliedDirective(COST_DIRECTIVE);
            if (cost != null) {
                return cost.getArgument("weight").<Integer>getValue();
            }
            if (root) {
                return limits.rootFieldWeight();
            }
            // On an interface the implementing type's fetcher decides at run time; what all of them share is a property.
            if (field.getFieldsContainer() instanceof GraphQLObjectType parent
                    && !(schema.getCodeRegistry().getDataFetcher(FieldCoordinates.coordinates(parent, definition), definition) instanceof TrivialDataFetcher)) {
                return limits.fetcherWeight();
            }
            return 1;
        });
    }

    private static boolean isIntrospection(QueryVisitorFieldEnvironment field) {
        for (QueryVisitorFieldEnvironment current = field; current != null; current = current.getParentEnvironment()) {
            if (current.getField().getName().startsWith("__")) {
                return true;
            }
        }
        return false;
    }

    private static int depth(QueryVisitorFieldEnvironment field) {
        int depth = 0;
        for (QueryVisitorFieldEnvironment current = field; current != null; current = current.getParentEnvironment()) {
            depth++;
        }
        return depth;
    }

    private static long multiplier(QueryVisitorFieldEnvironment field) {
        for (String name : List.of("first", "last")) {
            Object value = field.getArguments().get(name);
            if (value instanceof Number number && number.longValue() > 0) {
                return number.longValue();
            }
        }
        return 1;
    }

    private static long saturatedAdd(long left, long right) {
        long sum = left + right;
        return ((left ^ sum) & (right ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    private static long saturatedMultiply(long left, long right) {
        long high = Math.multiplyHigh(left, right);
        long product = left * right;
        return high != 0 || product < 0 ? Long.MAX_VALUE : product;
    }
}
