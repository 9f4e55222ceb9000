package io.meterline.platform.graphql;

import graphql.ExecutionResult;
import graphql.ErrorType;
import graphql.ExecutionResultImpl;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.analysis.QueryTraverser;
import graphql.analysis.QueryVisitorFieldEnvironment;
import graphql.analysis.QueryVisitorStub;
import graphql.execution.AbortExecutionException;
import graphql.execution.ExecutionContext;
import graphql.execution.instrumentation.InstrumentationContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimpleInstrumentationContext;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecuteOperationParameters;
import graphql.execution.instrumentation.parameters.InstrumentationExecutionParameters;
import graphql.execution.instrumentation.parameters.InstrumentationFieldFetchParameters;
import graphql.schema.DataFetcher;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLObjectType;
import io.meterline.platform.common.ErrorCode;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.security.ViewerGate;
import io.micronaut.context.annotation.Property;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Checks every operation before it runs: the caller is signed in (introspection included), the
 * query is no deeper than {@code meterline.graphql.max-depth} and costs no more than
 * {@code meterline.graphql.max-cost}. A field costs 1 plus its children's cost, multiplied by the
 * {@code first} or {@code last} it asks for, so a connection of 100 costs 100 times its node. Every
 * response reports its cost in {@code extensions.cost}. Data fetchers are also checked to run off
 * the Netty event loop, where blocking JDBC would stall every connection.
 *
 * <p>This is also the one place where the kinds of principal are told apart: anonymous callers may
 * run only root fields marked {@code @anonymous} in the schema; tool users (signed in with an Account ID) only
 * {@link #TOOL_USER_FIELDS}, and before each of their root fields every {@link ViewerGate} is asked
 * whether the Account ID may still be used, so a suspension applies from the next request on.
 */
@Singleton
public class RequestGuard extends SimplePerformantInstrumentation {

    static final String COST = "meterline.cost";
    /** The schema directive of root fields that need no sign-in (signing in, accepting an emailed token). */
    static final String ANONYMOUS = "anonymous";
    /** Root fields a tool user may call: record its usage, read its own Account ID and usage, read the business rules. */
    static final Set<String> TOOL_USER_FIELDS = Set.of("usageRecord", "accountIdViewer", "businessRules");
    /**
     * The types whose fields a tool user's operation may select: what those root fields answer,
     * and nothing that leads on to the organization, its users or its budgets.
     */
    static final Set<String> TOOL_USER_TYPES = Set.of("Query", "Mutation", "AccountId", "AccountIdUsageDay", "BusinessRules", "UsageRecordPayload",
            "UsageEventResult", "UsageError", "UserError", "Money");

    private final int maxDepth;
    private final int maxCost;
    private final List<ViewerGate> viewerGates;

    public RequestGuard(@Property(name = "meterline.graphql.max-depth", defaultValue = "12") int maxDepth,
                        @Property(name = "meterline.graphql.max-cost", defaultValue = "5000") int maxCost,
                        List<ViewerGate> viewerGates) {
        this.maxDepth = maxDepth;
        this.maxCost = maxCost;
        this.viewerGates = viewerGates;
    }

    @Override
    public InstrumentationContext<ExecutionResult> beginExecuteOperation(InstrumentationExecuteOperationParameters parameters, InstrumentationState state) {
        ExecutionContext context = parameters.getExecutionContext();
        Viewer viewer = context.getGraphQLContext().get(GraphQLContextKeys.VIEWER);
        Set<String> rootFields = new TreeSet<>();
        Set<String> types = new TreeSet<>();
        Map<QueryVisitorFieldEnvironment, Long> costByParent = new HashMap<>();
        int[] depth = {0};
        QueryTraverser.newQueryTraverser()
                .schema(context.getGraphQLSchema())
                .document(context.getDocument())
                .operationName(context.getOperationDefinition().getName())
                .coercedVariables(context.getCoercedVariables())
                .build()
                .visitPostOrder(new QueryVisitorStub() {
                    @Override
                    public void visitField(QueryVisitorFieldEnvironment field) {
                        if (field.getParentEnvironment() == null && !field.getField().getName().startsWith("__")) {
                            rootFields.add(field.getField().getName());
                        }
                        if (isIntrospection(field)) {
                            return;
                        }
                        types.add(field.getFieldsContainer().getName());
                        long cost = (1 + costByParent.getOrDefault(field, 0L)) * multiplier(field);
                        costByParent.merge(field.getParentEnvironment(), cost, Long::sum);
                        depth[0] = Math.max(depth[0], depth(field));
                    }
                });
        if (viewer == null && (rootFields.isEmpty() || !rootFields.stream().allMatch(name -> isAnonymous(context, name)))) {
            throw abort(ErrorCode.UNAUTHENTICATED, "Sign in first: send Authorization: Bearer <access_token> from POST /login", Map.of());
        }
        if (viewer != null && viewer.isToolUser() && (!TOOL_USER_FIELDS.containsAll(rootFields) || !TOOL_USER_TYPES.containsAll(types))) {
            rootFields.removeAll(TOOL_USER_FIELDS);
            types.removeAll(TOOL_USER_TYPES);
            throw abort(ErrorCode.FORBIDDEN, "An Account ID sign-in may only use " + new TreeSet<>(TOOL_USER_FIELDS) + " and what they answer; not "
                    + (rootFields.isEmpty() ? types : rootFields), Map.of());
        }
        long cost = costByParent.getOrDefault(null, 0L);
        context.getGraphQLContext().put(COST, cost);
        if (depth[0] > maxDepth) {
            throw abort(ErrorCode.QUERY_TOO_COMPLEX, "The query is " + depth[0] + " levels deep; the limit is " + maxDepth, Map.of("depth", depth[0], "maxDepth", maxDepth));
        }
        if (cost > maxCost) {
            throw abort(ErrorCode.QUERY_TOO_COMPLEX, "The query costs " + cost + "; the limit is " + maxCost + ". Ask for fewer items with first/last",
                    Map.of("cost", cost, "maxCost", maxCost));
        }
        return SimpleInstrumentationContext.noOp();
    }

    @Override
    public DataFetcher<?> instrumentDataFetcher(DataFetcher<?> dataFetcher, InstrumentationFieldFetchParameters parameters, InstrumentationState state) {
        if (parameters.isTrivialDataFetcher()) {
            return dataFetcher;
        }
        boolean root = parameters.getExecutionStepInfo().getPath().getLevel() == 1;
        return environment -> {
            requireOffEventLoop();
            if (root) {
                checkViewer(environment.getGraphQlContext().get(GraphQLContextKeys.VIEWER));
            }
            return dataFetcher.get(environment);
        };
    }

    /** Adds {@code extensions.cost} and gives every error an {@code extensions.code}. */
    @Override
    public CompletableFuture<ExecutionResult> instrumentExecutionResult(ExecutionResult result, InstrumentationExecutionParameters parameters, InstrumentationState state) {
        List<GraphQLError> errors = new ArrayList<>();
        for (GraphQLError error : result.getErrors()) {
            Map<String, Object> extensions = error.getExtensions() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(error.getExtensions());
            if (!extensions.containsKey("code")) {
                extensions.put("code", isClientError(error) ? ErrorCode.BAD_USER_INPUT.name() : ErrorCode.INTERNAL.name());
                errors.add(GraphqlErrorBuilder.newError().message(error.getMessage()).locations(error.getLocations()).path(error.getPath())
                        .errorType(error.getErrorType()).extensions(extensions).build());
            }
            else {
                errors.add(error);
            }
        }
        Map<Object, Object> extensions = result.getExtensions() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(result.getExtensions());
        Long cost = parameters.getGraphQLContext().get(COST);
        if (cost != null) {
            extensions.put("cost", Map.of("requestedQueryCost", cost, "maximumAvailable", maxCost));
        }
        return CompletableFuture.completedFuture(ExecutionResultImpl.newExecutionResult().from(result).errors(errors).extensions(extensions).build());
    }

    /** Whether a root field of the operation is marked {@code @anonymous} in the schema. */
    private static boolean isAnonymous(ExecutionContext context, String rootField) {
        GraphQLObjectType root = switch (context.getOperationDefinition().getOperation()) {
            case QUERY -> context.getGraphQLSchema().getQueryType();
            case MUTATION -> context.getGraphQLSchema().getMutationType();
            default -> null;
        };
        GraphQLFieldDefinition definition = root == null ? null : root.getFieldDefinition(rootField);
        return definition != null && definition.hasAppliedDirective(ANONYMOUS);
    }

    /** Asks every gate about a tool user, once per root field: suspended or archived Account IDs are refused at once. */
    private void checkViewer(Viewer viewer) {
        if (viewer == null || !viewer.isToolUser()) {
            return;
        }
        for (ViewerGate gate : viewerGates) {
            Optional<String> refusal = gate.refusal(viewer);
            if (refusal.isPresent()) {
                throw new MeterlineException(ErrorCode.UNAUTHENTICATED, refusal.get());
            }
        }
    }

    /** Invalid syntax, unknown fields and bad variables are the client's to fix; anything else is ours. */
    private static boolean isClientError(GraphQLError error) {
        return error.getErrorType() == ErrorType.ValidationError || error.getErrorType() == ErrorType.InvalidSyntax
                || error.getErrorType() == ErrorType.OperationNotSupported;
    }

    /** Refuses to run blocking work on a Netty event loop thread. */
    static void requireOffEventLoop() {
        if (Thread.currentThread().getName().toLowerCase(Locale.ROOT).contains("eventloop")) {
            throw new IllegalStateException("Data fetcher called on event loop thread " + Thread.currentThread().getName());
        }
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

    private static AbortExecutionException abort(ErrorCode code, String message, Map<String, Object> details) {
        Map<String, Object> extensions = new LinkedHashMap<>(details);
        extensions.put("code", code.name());
        return new AbortExecutionException(List.of(GraphqlErrorBuilder.newError().message(message).extensions(extensions).build()));
    }
}
