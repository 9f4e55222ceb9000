package io.meterline.platform.graphql.ws;

import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.GraphQLError;
import io.meterline.platform.graphql.BatchLoaders;
import io.meterline.platform.graphql.GraphQLContextKeys;
import io.meterline.platform.security.BearerTokens;
import io.meterline.platform.security.TokenVersionChanged;
import io.meterline.platform.security.Viewer;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.TaskScheduler;
import io.micronaut.security.token.validator.TokenValidator;
import io.micronaut.websocket.CloseReason;
import io.micronaut.websocket.WebSocketSession;
import io.micronaut.websocket.annotation.OnClose;
import io.micronaut.websocket.annotation.OnMessage;
import io.micronaut.websocket.annotation.OnOpen;
import io.micronaut.websocket.annotation.ServerWebSocket;
import jakarta.inject.Named;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledFuture;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@code graphql-transport-ws} protocol (github.com/enisdenjo/graphql-ws, PROTOCOL.md) at
 * {@code /graphql-ws}. Browsers cannot set headers on a websocket, so the access token travels in
 * {@code connection_init}: {@code {"authorization": "Bearer <jwt>"}} (any letter case, also inside
 * {@code "headers"}) or {@code {"token": "<jwt>"}}.
 * Operations are keyed per connection and cancelled when the socket closes. Every operation runs
 * with the same {@link GraphQL} as {@code /graphql}, off the event loop. Acknowledged connections
 * get a {@code ping} every {@code meterline.graphql-ws.keep-alive}, so proxies keep idle sockets
 * open and clients notice a dead server.
 */
@ServerWebSocket(value = "/graphql-ws", subprotocols = GraphQLWsHandler.PROTOCOL)
public class GraphQLWsHandler {

    /** The sub-protocol clients ask for and the server echoes. */
    public static final String PROTOCOL = "graphql-transport-ws";

    private static final Logger LOG = LoggerFactory.getLogger(GraphQLWsHandler.class);

    private final GraphQL graphQL;
    private final JsonMapper json;
    private final List<BatchLoaders> batchLoaders;
    private final List<TokenValidator<HttpRequest<?>>> tokenValidators;
    private final ExecutorService executor;
    private final TaskScheduler scheduler;
    private final Duration initTimeout;
    private final Map<String, WsConnection> connections = new ConcurrentHashMap<>();

    public GraphQLWsHandler(GraphQL graphQL, JsonMapper json, List<BatchLoaders> batchLoaders, List<TokenValidator<HttpRequest<?>>> tokenValidators,
                            @Named(TaskExecutors.BLOCKING) ExecutorService executor, TaskScheduler scheduler,
                            GraphQLWsConfiguration configuration) {
        this.graphQL = graphQL;
        this.json = json;
        this.batchLoaders = batchLoaders;
        this.tokenValidators = tokenValidators;
        this.executor = executor;
        this.scheduler = scheduler;
        this.initTimeout = configuration.initTimeout();
        scheduler.scheduleAtFixedRate(configuration.keepAlive(), configuration.keepAlive(), this::pingAll);
    }

    private void pingAll() {
        for (WsConnection connection : connections.values()) {
            synchronized (connection) {
                if (connection.viewer != null) {
                    send(connection, Map.of("type", "ping"));
                }
            }
        }
    }

    /** One socket's state. Guarded by itself: messages, token checks and timers arrive on different threads. */
    private static final class WsConnection {
        final WebSocketSession session;
        HttpRequest<?> request;
        final Map<String, Operation> operations = new ConcurrentHashMap<>();
        boolean initReceived;
        Viewer viewer;
        /** The access token the viewer was read from, checked again when the user's token version changes. */
        String token;
        boolean closed;
        ScheduledFuture<?> initTimer;

        WsConnection(WebSocketSession session) {
            this.session = session;
        }
    }

    /** A running operation; cancelled by the client's {@code complete} or the socket closing. */
    private static final class Operation {
        volatile Subscription subscription;
        volatile boolean cancelled;

        void cancel() {
            cancelled = true;
            Subscription current = subscription;
            if (current != null) {
                current.cancel();
            }
        }
    }

    @OnOpen
    public void open(WebSocketSession session, HttpRequest<?> request) {
        WsConnection connection = connection(session);
        // Micronaut may hand the first messages to another thread before this method runs: the
        // connection is created by whichever comes first, and the timer is set under its lock.
        synchronized (connection) {
            connection.request = request;
            if (!connection.initReceived && !connection.closed) {
                connection.initTimer = scheduler.schedule(initTimeout, () -> {
                    synchronized (connection) {
                        if (!connection.initReceived) {
                            close(connection, 4408, "Connection initialisation timeout");
                        }
                    }
                });
            }
        }
    }

    private WsConnection connection(WebSocketSession session) {
        return connections.computeIfAbsent(session.getId(), id -> new WsConnection(session));
    }

    @OnMessage
    public void message(String text, WebSocketSession session) {
        if (!session.isOpen()) {
            // Closed already: do not bring its connection back after close cleaned it up.
            return;
        }
        WsConnection connection = connection(session);
        Map<String, Object> message;
        try {
            message = json.readValue(text, Argument.mapOf(String.class, Object.class));
        }
        catch (IOException | RuntimeException e) {
            close(connection, 4400, "Invalid message received");
            return;
        }
        if (message == null || !(message.get("type") instanceof String type)) {
            close(connection, 4400, "Invalid message received");
            return;
        }
        switch (type) {
            case "connection_init" -> init(connection, message.get("payload"));
            case "ping" -> send(connection, message.get("payload") instanceof Map<?, ?> payload ? Map.of("type", "pong", "payload", payload) : Map.of("type", "pong"));
            case "pong" -> {
                // Answers to our pings need nothing.
            }
            case "subscribe" -> subscribe(connection, message);
            case "complete" -> {
                if (message.get("id") instanceof String id) {
                    Operation operation = connection.operations.remove(id);
                    if (operation != null) {
                        operation.cancel();
                    }
                }
                else {
                    close(connection, 4400, "Invalid message received: complete needs an id");
                }
            }
            default -> close(connection, 4400, "Invalid message received: unknown type " + type);
        }
    }

    @OnClose
    public void close(WebSocketSession session) {
        WsConnection connection = connections.remove(session.getId());
        if (connection == null) {
            return;
        }
        synchronized (connection) {
            connection.closed = true;
            if (connection.initTimer != null) {
                connection.initTimer.cancel(false);
            }
        }
        connection.operations.values().forEach(Operation::cancel);
        connection.operations.clear();
    }

    private void init(WsConnection connection, Object payload) {
        synchronized (connection) {
            if (connection.initReceived) {
                close(connection, 4429, "Too many initialisation requests");
                return;
            }
            connection.initReceived = true;
            if (connection.initTimer != null) {
                connection.initTimer.cancel(false);
            }
        }
        String token = token(payload);
        if (token == null) {
            close(connection, 4403, "Forbidden");
            return;
        }
        HttpRequest<?> request;
        synchronized (connection) {
            request = connection.request;
        }
        authenticate(token, request)
                .subscribe(authentication -> {
                    Viewer viewer;
                    try {
                        viewer = Viewer.from(authentication);
                    }
                    catch (RuntimeException e) {
                        close(connection, 4403, "Forbidden");
                        return;
                    }
                    synchronized (connection) {
                        connection.viewer = viewer;
                        connection.token = token;
                    }
                    send(connection, Map.of("type", "connection_ack"));
                }, error -> close(connection, 4403, "Forbidden"), () -> {
                    synchronized (connection) {
                        if (connection.viewer == null) {
                            close(connection, 4403, "Forbidden");
                        }
                    }
                });
    }

    /** What the token validators (signature, expiry, the user's token version) make of a token: empty when it is refused. */
    private Mono<Authentication> authenticate(String token, HttpRequest<?> request) {
        return Flux.fromIterable(tokenValidators).concatMap(validator -> validator.validateToken(token, request)).next();
    }

    /**
     * A user's role, password or email changed: each open socket of that user is checked again as
     * connection_init would check it now, and closed with 4403 when its token no longer counts, so
     * a demoted admin's or a changed password's subscriptions end within seconds, not at the token's
     * expiry. Sockets signed in since the change keep running. The check may read the database, so
     * it runs on the executor, never on the bus's thread.
     */
    @EventListener
    void onTokenVersionChanged(TokenVersionChanged change) {
        for (WsConnection connection : connections.values()) {
            String token;
            HttpRequest<?> request;
            synchronized (connection) {
                if (connection.closed || connection.viewer == null || connection.viewer.isToolUser() || connection.viewer.userId() != change.userId()) {
                    continue;
                }
                token = connection.token;
                request = connection.request;
            }
            executor.execute(() -> authenticate(token, request).hasElement().subscribe(valid -> {
                if (!valid) {
                    close(connection, 4403, "Forbidden");
                }
            }, error -> close(connection, 4403, "Forbidden")));
        }
    }

    /**
     * The access token of a connection_init payload: {@code authorization: Bearer <jwt>} (the key in any letter case,
     * as client examples write {@code Authorization}), the same inside {@code headers} (as some clients send it), or
     * {@code token}.
     */
    private static String token(Object payload) {
        if (!(payload instanceof Map<?, ?> map)) {
            return null;
        }
        Object authorization = ignoringCase(map, "authorization");
        if (authorization == null && ignoringCase(map, "headers") instanceof Map<?, ?> headers) {
            authorization = ignoringCase(headers, "authorization");
        }
        String credential = authorization instanceof String value ? BearerTokens.credential(value) : null;
        if (credential != null) {
            return credential;
        }
        if (map.get("token") instanceof String token && !token.isBlank()) {
            return token;
        }
        return null;
    }

    /** The value of a key in any letter case; none when several spellings are present, as it is unclear which one counts. */
    private static Object ignoringCase(Map<?, ?> map, String key) {
        Object found = null;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (entry.getKey() instanceof String name && name.equalsIgnoreCase(key)) {
                if (found != null) {
                    return null;
                }
                found = entry.getValue();
            }
        }
        return found;
    }

    private void subscribe(WsConnection connection, Map<String, Object> message) {
        if (!(message.get("id") instanceof String id) || id.isEmpty()
                || !(message.get("payload") instanceof Map<?, ?> payload) || !(payload.get("query") instanceof String query)) {
            close(connection, 4400, "Invalid message received: subscribe needs an id and a payload with a query");
            return;
        }
        Object variables = payload.get("variables");
        Object operationName = payload.get("operationName");
        if ((variables != null && !(variables instanceof Map)) || (operationName != null && !(operationName instanceof String))) {
            close(connection, 4400, "Invalid message received: variables must be an object and operationName a string");
            return;
        }
        Viewer viewer;
        Operation operation = new Operation();
        synchronized (connection) {
            viewer = connection.viewer;
            if (viewer == null) {
                close(connection, 4401, "Unauthorized");
                return;
            }
            if (connection.operations.putIfAbsent(id, operation) != null) {
                close(connection, 4409, "Subscriber for " + id + " already exists");
                return;
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> variableValues = variables == null ? Map.of() : (Map<String, Object>) variables;
        ExecutionInput input = ExecutionInput.newExecutionInput()
                .query(query)
                .operationName((String) operationName)
                .variables(variableValues)
                .graphQLContext(GraphQLContextKeys.contextOf(viewer))
                .dataLoaderRegistry(BatchLoaders.registry(batchLoaders))
                .build();
        // Data fetchers run JDBC: never on the event loop that delivered the message.
        executor.execute(() -> execute(connection, id, operation, input));
    }

    private void execute(WsConnection connection, String id, Operation operation, ExecutionInput input) {
        ExecutionResult result;
        try {
            result = graphQL.execute(input);
        }
        catch (RuntimeException e) {
            LOG.error("graphql-ws operation {} failed", id, e);
            finish(connection, id, operation, Map.of("id", id, "type", "error", "payload", List.of(Map.of("message", "Internal server error",
                    "extensions", Map.of("code", "INTERNAL")))));
            return;
        }
        if (result.getData() instanceof Publisher<?> publisher) {
            stream(connection, id, operation, publisher);
        }
        else if (result.getData() == null && !result.getErrors().isEmpty()) {
            // Refused before it ran (validation, authorisation of a subscription): the protocol's error message.
            finish(connection, id, operation, Map.of("id", id, "type", "error", "payload", errors(result.getErrors())));
        }
        else {
            if (!operation.cancelled) {
                send(connection, next(id, result));
            }
            finish(connection, id, operation, Map.of("id", id, "type", "complete"));
        }
    }

    private void stream(WsConnection connection, String id, Operation operation, Publisher<?> publisher) {
        publisher.subscribe(new Subscriber<Object>() {
            @Override
            public void onSubscribe(Subscription subscription) {
                operation.subscription = subscription;
                if (operation.cancelled) {
                    subscription.cancel();
                }
                else {
                    subscription.request(Long.MAX_VALUE);
                }
            }

            @Override
            public void onNext(Object item) {
                if (!operation.cancelled) {
                    send(connection, next(id, (ExecutionResult) item));
                }
            }

            @Override
            public void onError(Throwable error) {
                LOG.warn("graphql-ws subscription {} failed", id, error);
                finish(connection, id, operation, Map.of("id", id, "type", "error", "payload", List.of(Map.of("message", "Internal server error",
                        "extensions", Map.of("code", "INTERNAL")))));
            }

            @Override
            public void onComplete() {
                finish(connection, id, operation, Map.of("id", id, "type", "complete"));
            }
        });
    }

    /** Ends an operation from the server's side, unless the client already completed it. */
    private void finish(WsConnection connection, String id, Operation operation, Map<String, Object> message) {
        if (connection.operations.remove(id, operation) && !operation.cancelled) {
            send(connection, message);
        }
    }

    private static Map<String, Object> next(String id, ExecutionResult result) {
        return Map.of("id", id, "type", "next", "payload", result.toSpecification());
    }

    private static List<Map<String, Object>> errors(List<GraphQLError> errors) {
        return errors.stream().map(GraphQLError::toSpecification).toList();
    }

    private void send(WsConnection connection, Map<String, ?> message) {
        if (connection.closed || !connection.session.isOpen()) {
            return;
        }
        try {
            connection.session.sendAsync(json.writeValueAsString(new LinkedHashMap<>(message)));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void close(WsConnection connection, int code, String reason) {
        if (connection.session.isOpen()) {
            connection.session.close(new CloseReason(code, reason));
        }
    }
}
