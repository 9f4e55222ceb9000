package io.meterline.platform.graphql;

import graphql.language.Document;
import graphql.language.OperationDefinition;
import graphql.parser.InvalidSyntaxException;
import graphql.parser.Parser;
import io.meterline.platform.common.ErrorBody;
import io.meterline.platform.common.ErrorCode;
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
 * <li>400: a body that is not one JSON object (malformed, a duplicate key, nested deeper than the
 * parser allows, a wrong type for {@code query}, {@code operationName} or {@code variables}), no
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
            Optional<Map<String, Object>> parsed = readObject(variables.getBytes(StandardCharsets.UTF_8), Argument.mapOf(String.class, Object.class));
            if (parsed.isEmpty()) {
                return refuse(HttpStatus.BAD_REQUEST, "The variables parameter is not a JSON object (or has a duplicate key, or is nested too deep)");
            }
            variableValues = parsed.get();
        }
        return execute(query, operationName, variableValues, request);
    }

    @Post(consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON, single = true)
    public Publisher<MutableHttpResponse<String>> post(@Nullable @Body byte[] body, HttpRequest<?> request) {
        if (!isJson(request)) {
            return refuse(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Send the request as Content-Type: application/json");
        }
        byte[] bytes = body == null ? new byte[0] : body;
        int first = firstNonBlank(bytes);
        if (first == '[') {
            return refuse(HttpStatus.BAD_REQUEST, "Batched requests (a JSON array) are not supported: send one operation per request");
        }
        if (first != '{') {
            return refuse(HttpStatus.BAD_REQUEST, "The body is not a JSON object. " + SHAPE);
        }
        Optional<GraphQLHttpRequest> parsed = readObject(bytes, Argument.of(GraphQLHttpRequest.class));
        if (parsed.isEmpty()) {
            return refuse(HttpStatus.BAD_REQUEST, "The body is not valid JSON (malformed, a duplicate key, nested too deep, or a value of the wrong type). " + SHAPE);
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

    /** Strict JSON (serde's parser refuses duplicate keys, see micronaut.serde.jackson in application.yml); empty when it is not. */
    private <T> Optional<T> readObject(byte[] bytes, Argument<T> type) {
        try {
            return Optional.ofNullable(json.readValue(bytes, type));
        }
        catch (IOException | RuntimeException e) {
            // The parser's text names library classes and options: the client gets the fixed sentence instead.
            return Optional.empty();
        }
    }

    private static boolean isJson(HttpRequest<?> request) {
        return request.getContentType().map(type -> MediaType.APPLICATION_JSON_TYPE.getName().equalsIgnoreCase(type.getName())).orElse(false);
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
