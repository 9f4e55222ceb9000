package io.meterline.platform.graphql;

import graphql.ExecutionResult;
import graphql.ErrorType;
import graphql.ExecutionResultImpl;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.execution.AbortExecutionException;
import graphql.execution.ExecutionContext;
import graphql.execution.instrumentation.InstrumentationContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimpleInstrumentationContext;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecuteOperationParameters;
import graphql.execution.instrumentation.parameters.InstrumentationExecutionParameters;
import graphql.execution.instrumentation.parameters.InstrumentationFieldFetchParameters;
import graphql.introspection.GoodFaithIntrospection;
import graphql.schema.DataFetcher;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLObjectType;
import io.meterline.platform.common.ErrorCode;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.security.ViewerGate;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Checks every operation before it runs, on {@code /graphql} and {@code /graphql-ws} alike: the
 * caller is signed in (introspection included), the query is no deeper than
 * {@code meterline.graphql.max-depth} (introspection no deeper than {@link #MAX_INTROSPECTION_DEPTH}
 * and in good faith), it costs no more than {@code meterline.graphql.max-cost} ({@link QueryCost}),
 * and its caller has that cost left of {@code meterline.graphql.cost-per-minute} ({@link CostBudget});
 * otherwise {@code QUERY_TOO_COMPLEX} or {@code RATE_LIMITED} and no data fetcher runs. Every
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

    /**
     * How deep an introspection selection may nest: graphql-java's good-faith bound, deep enough
     * for GraphiQL's and codegen's standard query (its type references nest about 13 levels).
     */
    static final int MAX_INTROSPECTION_DEPTH = GoodFaithIntrospection.GOOD_FAITH_MAX_DEPTH_COUNT;
    /** How graphql-java classifies its own refusal of a bad-faith introspection query. */
    private static final String BAD_FAITH_INTROSPECTION = "BadFaithIntrospection";

    private final GraphQLLimits limits;
    private final QueryCost queryCost;
    private final CostBudget costBudget;
    private final List<ViewerGate> viewerGates;

    public RequestGuard(GraphQLLimits limits, QueryCost queryCost, CostBudget costBudget, List<ViewerGate> viewerGates) {
        this.limits = limits;
        this.queryCost = queryCost;
        this.costBudget = costBudget;
        this.viewerGates = viewerGates;
    }

    @Override
    public InstrumentationContext<ExecutionResult> beginExecuteOperation(InstrumentationExecuteOperationParameters parameters, InstrumentationState state) {
        ExecutionContext context = parameters.getExecutionContext();
        Viewer viewer = context.getGraphQLContext().get(GraphQLContextKeys.VIEWER);
        QueryCost.Measure measure = queryCost.measure(context.getGraphQLSchema(), context.getDocument(), context.getOperationDefinition().getName(),
                context.getCoercedVariables());
        Set<String> rootFields = new TreeSet<>(measure.rootFields());
        Set<String> types = new TreeSet<>(measure.types());
        if (viewer == null && (rootFields.isEmpty() || !rootFields.stream().allMatch(name -> isAnonymous(context, name)))) {
            throw abort(ErrorCode.UNAUTHENTICATED, "Sign in first: send Authorization: Bearer <access_token> from POST /login", Map.of());
        }
        if (viewer != null && viewer.isToolUser() && (!TOOL_USER_FIELDS.containsAll(rootFields) || !TOOL_USER_TYPES.containsAll(types))) {
            rootFields.removeAll(TOOL_USER_FIELDS);
            types.removeAll(TOOL_USER_TYPES);
            throw abort(ErrorCode.FORBIDDEN, "An Account ID sign-in may only use " + new TreeSet<>(TOOL_USER_FIELDS) + " and what they answer; not "
                    + (rootFields.isEmpty() ? types : rootFields), Map.of());
        }
        long cost = measure.cost();
        int maxDepth = limits.maxDepth();
        int maxCost = limits.maxCost();
        context.getGraphQLContext().put(COST, cost);
        if (measure.depth() > maxDepth) {
            throw abort(ErrorCode.QUERY_TOO_COMPLEX, "The query is " + measure.depth() + " levels deep; the limit is " + maxDepth,
                    Map.of("depth", measure.depth(), "maxDepth", maxDepth));
        }
        if (measure.introspectionDepth() > MAX_INTROSPECTION_DEPTH) {
            throw abort(ErrorCode.QUERY_TOO_COMPLEX, "The introspection query is " + measure.introspectionDepth() + " levels deep; the limit is " + MAX_INTROSPECTION_DEPTH,
                    Map.of("depth", measure.introspectionDepth(), "maxDepth", MAX_INTROSPECTION_DEPTH));
        }
        if (cost > maxCost) {
            throw abort(ErrorCode.QUERY_TOO_COMPLEX, "The query costs " + cost + "; the limit is " + maxCost + ". Ask for fewer items with first/last, or fewer fields",
                    Map.of("cost", cost, "maxCost", maxCost));
        }
        if (measure.introspects()) {
            // graphql-java refuses repeated __schema/__type and cycles such as fields { type { fields } } later, as an error
            // without a code; asked here, the client gets QUERY_TOO_COMPLEX and nothing runs.
            Optional<ExecutionResult> badFaith = GoodFaithIntrospection.checkIntrospection(context);
            if (badFaith.isPresent()) {
                throw abort(ErrorCode.QUERY_TOO_COMPLEX, badFaith.get().getErrors().get(0).getMessage(), Map.of());
            }
        }
        OptionalLong retryAfterSeconds = costBudget.spend(principal(viewer, context), cost);
        if (retryAfterSeconds.isPresent()) {
            throw abort(ErrorCode.RATE_LIMITED, "This caller spent its query cost budget of " + limits.costPerMinute() + " per minute; try again in "
                    + retryAfterSeconds.getAsLong() + " s", Map.of("retryAfterSeconds", retryAfterSeconds.getAsLong(), "costPerMinute", limits.costPerMinute()));
        }
        return SimpleInstrumentationContext.noOp();
    }

    /** Whose budget an operation spends: the user, the Account ID of a tool user, or the client address of an anonymous caller. */
    private static String principal(Viewer viewer, ExecutionContext context) {
        if (viewer == null) {
            String address = context.getGraphQLContext().get(GraphQLContextKeys.CLIENT_ADDRESS);
            return "address:" + (address == null ? "unknown" : address);
        }
        return viewer.isToolUser() ? "account-id:" + viewer.accountId() : "user:" + viewer.userId();
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
                extensions.put("code", code(error).name());
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
            extensions.put("cost", Map.of("requestedQueryCost", cost, "maximumAvailable", limits.maxCost()));
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

    /**
     * Invalid syntax, unknown fields and bad variables are the client's to fix; graphql-java's own
     * refusal of a bad-faith introspection query (should one pass the guard) is a query too complex;
     * anything else is ours.
     */
    private static ErrorCode code(GraphQLError error) {
        if (error.getErrorType() == ErrorType.ValidationError || error.getErrorType() == ErrorType.InvalidSyntax
                || error.getErrorType() == ErrorType.OperationNotSupported) {
            return ErrorCode.BAD_USER_INPUT;
        }
        if (error.getErrorType() != null && BAD_FAITH_INTROSPECTION.equals(error.getErrorType().toString())) {
            return ErrorCode.QUERY_TOO_COMPLEX;
        }
        return ErrorCode.INTERNAL;
    }

    /** Refuses to run blocking work on a Netty event loop thread. */
    static void requireOffEventLoop() {
        if (Thread.currentThread().getName().toLowerCase(Locale.ROOT).contains("eventloop")) {
            throw new IllegalStateException("Data fetcher called on event loop thread " + Thread.currentThread().getName());
        }
    }




    private static AbortExecutionException abort(ErrorCode code, String message, Map<String, Object> details) {
        Map<String, Object> extensions = new LinkedHashMap<>(details);
        extensions.put("code", code.name());
        return new AbortExecutionException(List.of(GraphqlErrorBuilder.newError().message(message).extensions(extensions).build()));
    }
}
