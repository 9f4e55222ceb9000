package io.meterline.platform.bus;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus across instances: Redis pub/sub, active when {@code redis.uri} is set. One connection
 * publishes, one listens; channels are named {@code meterline.redis.prefix} + channel so that
 * several deployments can share one Redis.
 */
@Singleton
@Requires(property = "redis.uri")
public class RedisMessageBus implements MessageBus {

    private static final Logger LOG = LoggerFactory.getLogger(RedisMessageBus.class);

    private final String prefix;
    private final StatefulRedisConnection<String, String> publisher;
    private final StatefulRedisPubSubConnection<String, String> listener;
    private final Map<String, List<Consumer<String>>> subscribers = new ConcurrentHashMap<>();

    public RedisMessageBus(RedisClient client, RedisConfiguration redis) {
        this.prefix = redis.prefix();
        this.publisher = client.connect();
        this.listener = client.connectPubSub();
        this.listener.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                deliver(channel, message);
            }
        });
    }

    @Override
    public void publish(String channel, String json) {
        Objects.requireNonNull(json, "json is null");
        publisher.sync().publish(prefix + channel, json);
    }

    @Override
    public AutoCloseable subscribe(String channel, Consumer<String> handler) {
        Objects.requireNonNull(handler, "handler is null");
        String redisChannel = prefix + channel;
        List<Consumer<String>> handlers = subscribers.computeIfAbsent(redisChannel, key -> new CopyOnWriteArrayList<>());
        handlers.add(handler);
        // SUBSCRIBE answers once Redis registered it, so a publish after subscribe() returns is seen.
        listener.sync().subscribe(redisChannel);
        return () -> handlers.remove(handler);
    }

    private void deliver(String redisChannel, String message) {
        for (Consumer<String> handler : subscribers.getOrDefault(redisChannel, List.of())) {
            try {
                handler.accept(message);
            }
            catch (RuntimeException e) {
                LOG.warn("A subscriber of {} failed", redisChannel, e);
            }
        }
    }

    @PreDestroy
    void close() {
        publisher.close();
        listener.close();
    }
}
