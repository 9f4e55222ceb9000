package io.meterline.platform.bus;

import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The bus of a single instance: subscribers in this JVM only. */
@Singleton
@Requires(missingProperty = "redis.uri")
public class InProcessMessageBus implements MessageBus {

    private static final Logger LOG = LoggerFactory.getLogger(InProcessMessageBus.class);

    private final Map<String, List<Consumer<String>>> subscribers = new ConcurrentHashMap<>();

    @Override
    public void publish(String channel, String json) {
        Objects.requireNonNull(json, "json is null");
        for (Consumer<String> handler : subscribers.getOrDefault(channel, List.of())) {
            try {
                handler.accept(json);
            }
            catch (RuntimeException e) {
                // One failing subscriber must not keep the message from the others.
                LOG.warn("A subscriber of {} failed", channel, e);
            }
        }
    }

    @Override
    public AutoCloseable subscribe(String channel, Consumer<String> handler) {
        Objects.requireNonNull(handler, "handler is null");
        subscribers.computeIfAbsent(channel, key -> new CopyOnWriteArrayList<>()).add(handler);
        return () -> subscribers.getOrDefault(channel, List.of()).remove(handler);
    }
}
