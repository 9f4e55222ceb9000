package io.meterline.platform.graphql;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import graphql.language.Document;
import graphql.language.OperationDefinition;
import graphql.parser.InvalidSyntaxException;
import graphql.parser.Parser;
import io.meterline.platform.common.ErrorBody;
import io.meterline.platform.common.ErrorCode;
import io.meterline.platform.common.JsonProblems;
import io.micronaut.configuration.graphql.GraphQLController;
import io.micronaut.configuration.graphql.GraphQLExecutionResultHandler;
import io.micronaut.configuration.graphql.GraphQLInvocation;
import io.micronaut.configuration.graphql.GraphQLInvocationData;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.json.JsonMapper;
import io.micronaut.serde.annotation.Serdeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.reactivestreams.Publisher;

/**
 * {@code /graphql} over HTTP, in place of micronaut-graphql's controller, which answered a malformed
 * body with 500 and the JSON parser's text. Everything the client got wrong is refused here, before
 * any GraphQL runs, in the GraphQL-over-HTTP error shape ({@link ErrorBody}) with
 * {@link ErrorCode#BAD_USER_INPUT}:
 * <ul>
 * <li>400: a body that is not one JSON object (malformed, a duplicate key, nested deeper than {@link #MAX_JSON_DEPTH},
 * something after it, a wrong type for {@code query}, {@code operationName} or {@code variables}), no
 * {@code query}, or a JSON array: batches are refused, since one request must not run many
 * operations past the per-request cost limit;</li>
 * <li>405: a mutation or subscription over GET (GET must stay safe: links and prefetches follow it);</li>
 * <li>415: a POST whose Content-Type is not {@code application/json}.</li>
 * </ul>
 * What passes runs through micronaut-graphql's {@link GraphQLInvocation}, so the viewer, the
 * {@link RequestGuard} and the error mapping apply as before.
 */
@Controller("${graphql.path}")
@Replaces(GraphQLController.class)
public class GraphQLHttpController {

    /** The body of a POST: read once here, unknown keys ignored. */
    @Serdeable
    public record GraphQLHttpRequest(@Nullable String query, @Nullable String operationName, @Nullable Map<String, Object> variables,
                                     @Nullable Map<String, Object> extensions) {
    }

    /**
     * The deepest JSON a request may nest: far beyond any input type of the schema, far below what
     * would make reading it costly.
     */
    static final int MAX_JSON_DEPTH = 64;
    /** Checks a body's shape before it is bound: one value, no key twice, no deeper than {@link #MAX_JSON_DEPTH}, nothing after it. */
    private static final JsonFactory STRICT = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_DEPTH).build())
            .build();

    /** The keys of a request body whose type is checked; others (extensions) are ignored. */
    private static final Map<String, JsonToken> REQUEST_FIELDS = Map.of("query", JsonToken.VALUE_STRING, "operationName", JsonToken.VALUE_STRING,
            "variables", JsonToken.START_OBJECT, "extensions", JsonToken.START_OBJECT);
    private static final String SHAPE = "Send one JSON object: {\"query\": \"...\", \"operationName\": \"...\", \"variables\": {...}}";

    private final GraphQLInvocation invocation;
    private final GraphQLExecutionResultHandler resultHandler;
    private final JsonMapper json;

    public GraphQLHttpController(GraphQLInvocation invocation, GraphQLExecutionResultHandler resultHandler, JsonMapper json) {
        this.invocation = invocation;
        this.resultHandler = resultHandler;
        this.json = json;
    }

    @Get(produces = MediaType.APPLICATION_JSON, single = true)
    public Publisher<MutableHttpResponse<String>> get(@Nullable @QueryValue("query") String query,
                                                      @Nullable @QueryValue("operationName") String operationName,
                                                      @Nullable @QueryValue("variables") String variables,
                                                      HttpRequest<?> request) {
        if (query == null || query.isBlank()) {
            return refuse(HttpStatus.BAD_REQUEST, "The query parameter is required");
        }
        if (changesState(query, operationName)) {
            return Publishers.just(refusal(HttpStatus.METHOD_NOT_ALLOWED, "Mutations and subscriptions must be sent with POST")
                    .header(HttpHeaders.ALLOW, HttpMethod.POST.name()));
        }
        Map<String, Object> variableValues = Map.of();
        if (variables != null && !variables.isBlank()) {
            byte[] bytes = variables.getBytes(StandardCharsets.UTF_8);
            Optional<String> problem = shapeProblem(bytes, Map.of());
            Optional<Map<String, Object>> parsed = problem.isPresent() ? Optional.empty() : bind(bytes, Argument.mapOf(String.class, Object.class));
            if (parsed.isEmpty()) {
                return refuse(HttpStatus.BAD_REQUEST, "The variables parameter must be one JSON object: " + problem.orElse("it could not be read"));
            }
            variableValues = parsed.get();
        }
        return execute(query, operationName, variableValues, request);
    }

    @Post(consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON, single = true)
    public Publisher<MutableHttpResponse<String>> post(@Nullable @Body byte[] body, HttpRequest<?> request) {
        if (!JsonProblems.isJson(request.getContentType().orElse(null))) {
            return refuse(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Send the request as Content-Type: application/json");
        }
        byte[] bytes = body == null ? new byte[0] : body;
        int first = firstNonBlank(bytes);
        if (first == '[') {
            return refuse(HttpStatus.BAD_REQUEST, "Batched requests (a JSON array) are not supported: send one operation per request");
        }
        Optional<String> problem = shapeProblem(bytes, REQUEST_FIELDS);
        Optional<GraphQLHttpRequest> parsed = problem.isPresent() ? Optional.empty() : bind(bytes, Argument.of(GraphQLHttpRequest.class));
        if (parsed.isEmpty()) {
            return refuse(HttpStatus.BAD_REQUEST, "The body is not a valid GraphQL request: " + problem.orElse("it could not be read") + ". " + SHAPE);
        }
        GraphQLHttpRequest graphQLRequest = parsed.get();
        if (graphQLRequest.query() == null || graphQLRequest.query().isBlank()) {
            return refuse(HttpStatus.BAD_REQUEST, "query is required. " + SHAPE);
        }
        return execute(graphQLRequest.query(), graphQLRequest.operationName(), graphQLRequest.variables() == null ? Map.of() : graphQLRequest.variables(), request);
    }

    private Publisher<MutableHttpResponse<String>> execute(String query, @Nullable String operationName, Map<String, Object> variables, HttpRequest<?> request) {
        MutableHttpResponse<String> response = HttpResponse.<String>ok().contentType(MediaType.APPLICATION_JSON_TYPE);
        return Publishers.map(resultHandler.handleExecutionResult(invocation.invoke(new GraphQLInvocationData(query, operationName, variables), request, response)),
                result -> response.body(write(result.getSpecification())));
    }

    /**
     * Whether the operation GET would run is a mutation or subscription. A document that does not
     * parse, or names no operation it holds, is left to graphql-java, which reports it as usual.
     */
    private static boolean changesState(String query, @Nullable String operationName) {
        Document document;
        try {
            document = Parser.parse(query);
        }
        catch (InvalidSyntaxException e) {
            return false;
        }
        List<OperationDefinition> operations = document.getDefinitionsOfType(OperationDefinition.class);
        return operations.stream()
                .filter(operation -> operationName == null ? operations.size() == 1 : operationName.equals(operation.getName()))
                .anyMatch(operation -> operation.getOperation() != OperationDefinition.Operation.QUERY);
    }

    /**
     * Why the bytes are not one JSON object whose listed keys have the listed types (null allowed),
     * with no key twice, nested at most {@link #MAX_JSON_DEPTH} deep and nothing after it; empty
     * when they are. Checked here because binding alone would read {@code "query": 42} as "42" and
     * stop at the end of the first object.
     */
    private static Optional<String> shapeProblem(byte[] bytes, Map<String, JsonToken> types) {
        try (JsonParser parser = STRICT.createParser(bytes)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return Optional.of("not a JSON object");
            }
            for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                JsonToken expected = types.get(name);
                if (expected != null && value != expected && value != JsonToken.VALUE_NULL) {
                    return Optional.of(name + " must be " + (expected == JsonToken.START_OBJECT ? "a JSON object" : "a string"));
                }
                parser.skipChildren();
            }
            if (parser.nextToken() != null) {
                return Optional.of("something follows the JSON object");
            }
            return Optional.empty();
        }
        catch (IOException e) {
            return Optional.of(JsonProblems.describe(e));
        }
    }

    /** The bound value, once {@link #shapeProblem} found none; empty if binding still fails. */
    private <T> Optional<T> bind(byte[] bytes, Argument<T> type) {
        try {
            return Optional.ofNullable(json.readValue(bytes, type));
        }
        catch (IOException | RuntimeException e) {
            // The binder's text names library classes: the client gets the fixed sentence instead.
            return Optional.empty();
        }
    }

    private static int firstNonBlank(byte[] bytes) {
        for (byte current : bytes) {
            if (!Character.isWhitespace(current)) {
                return current;
            }
        }
        return -1;
    }

    private Publisher<MutableHttpResponse<String>> refuse(HttpStatus status, String message) {
        return Publishers.just(refusal(status, message));
    }

    private MutableHttpResponse<String> refusal(HttpStatus status, String message) {
        return HttpResponse.<String>status(status).contentType(MediaType.APPLICATION_JSON_TYPE).body(write(ErrorBody.of(ErrorCode.BAD_USER_INPUT, message)));
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
