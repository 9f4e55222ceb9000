package io.meterline.platform.graphql.ws;

import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A graphql-transport-ws client over a real socket: the JDK's websocket client, asking for the sub-protocol. */
public final class WsClient implements WebSocket.Listener, AutoCloseable {

    /** How the server closed the socket. */
    public record Closed(int code, String reason) {
    }

    private final JsonMapper json;
    private final BlockingQueue<Map<String, Object>> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    private WsClient(JsonMapper json) {
        this.json = json;
    }

    /** Opens a socket to {@code /graphql-ws} of a server at an http URI. */
    public static WsClient connect(URI server, JsonMapper json) {
        WsClient client = new WsClient(json);
        URI uri = URI.create("ws://" + server.getHost() + ":" + server.getPort() + "/graphql-ws");
        client.socket = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("graphql-transport-ws")
                .buildAsync(uri, client).orTimeout(10, TimeUnit.SECONDS).join();
        return client;
    }

    /** Opens a socket and completes the handshake with a bearer token. */
    public static WsClient initialised(URI server, JsonMapper json, String token) {
        WsClient client = connect(server, json);
        client.send(Map.of("type", "connection_init", "payload", Map.of("authorization", "Bearer " + token)));
        Map<String, Object> ack = client.next();
        if (!"connection_ack".equals(ack.get("type"))) {
            throw new AssertionError("expected connection_ack, got " + ack);
        }
        return client;
    }

    public String subprotocol() {
        return socket.getSubprotocol();
    }

    public void send(Map<String, Object> message) {
        sendText(write(message));
    }

    public void sendText(String text) {
        socket.sendText(text, true).join();
    }

    /** Starts an operation. */
    public void subscribe(String id, String query, Map<String, Object> variables) {
        send(Map.of("id", id, "type", "subscribe", "payload", Map.of("query", query, "variables", variables)));
    }

    /** The next message, waiting up to 10 seconds. */
    public Map<String, Object> next() {
        Map<String, Object> message = poll(Duration.ofSeconds(10));
        if (message == null) {
            throw new AssertionError("no message within 10 s" + (closed.isDone() ? "; closed " + closed.join() : ""));
        }
        return message;
    }

    /** The next message, or null when none arrives in time. */
    public Map<String, Object> poll(Duration wait) {
        try {
            return received.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** How the server closed the socket, waiting up to the given time. */
    public Closed awaitClose(Duration wait) {
        return closed.orTimeout(wait.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                received.add(json.readValue(partial.toString(), Argument.mapOf(String.class, Object.class)));
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(new Closed(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(new Closed(-1, String.valueOf(error)));
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
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
