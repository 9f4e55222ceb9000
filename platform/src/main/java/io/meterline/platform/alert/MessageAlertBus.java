package io.meterline.platform.alert;

import io.meterline.platform.bus.MessageBus;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Sinks;

/**
 * Carries alerts over the {@link MessageBus}: in process on one instance, over Redis pub/sub when
 * {@code redis.uri} is set, so an alert stored on one instance reaches the subscribers of every
 * instance. Missed messages are not lost for good: a reconnecting client replays with afterSequence.
 */
@Singleton
public class MessageAlertBus implements AlertBus {

    static final String CHANNEL = "alerts";
    private static final Logger LOG = LoggerFactory.getLogger(MessageAlertBus.class);

    // Best effort: a subscriber that cannot keep up drops alerts rather than slowing the bus thread.
    private final Sinks.Many<Alert> sink = Sinks.many().multicast().directBestEffort();
    private final MessageBus messages;
    private final JsonMapper json;
    private final AutoCloseable subscription;

    public MessageAlertBus(MessageBus messages, JsonMapper json) {
        this.messages = messages;
        this.json = json;
        this.subscription = messages.subscribe(CHANNEL, this::receive);
    }

    @Override
    public void publish(Alert alert) {
        try {
            messages.publish(CHANNEL, json.writeValueAsString(alert));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Publisher<Alert> subscribe() {
        return sink.asFlux();
    }

    /** How many subscriptions listen on this instance now; tests wait on it instead of sleeping. */
    int subscriberCount() {
        return sink.currentSubscriberCount();
    }

    private void receive(String message) {
        try {
            Alert alert = json.readValue(message, Argument.of(Alert.class));
            // Sinks refuse concurrent emissions; messages may arrive on several bus threads.
            synchronized (sink) {
                sink.tryEmitNext(alert);
            }
        }
        catch (IOException | RuntimeException e) {
            LOG.warn("Dropped an alert message that could not be read", e);
        }
    }

    @PreDestroy
    void close() throws Exception {
        subscription.close();
    }
}
