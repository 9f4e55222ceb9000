package io.meterline.platform.bus;

import java.util.function.Consumer;

/**
 * Messages between server instances, such as a raised alert every instance pushes to its live
 * subscribers. In process by default; over Redis pub/sub when {@code redis.uri} is set. Delivery is
 * at most once: what must not be lost goes through the database (an outbox), not through here.
 */
public interface MessageBus {

    /** Sends a JSON message to every subscriber of a channel, on every instance. */
    void publish(String channel, String json);

    /**
     * Calls the handler with every message published on the channel from now on. Handlers run on a
     * bus thread and must not block for long.
     *
     * @return closing it stops the subscription
     */
    AutoCloseable subscribe(String channel, Consumer<String> handler);
}
