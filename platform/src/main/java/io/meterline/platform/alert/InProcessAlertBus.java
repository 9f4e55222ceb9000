package io.meterline.platform.alert;

import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Sinks;

/** The alert bus of a single instance. */
@Singleton
public class InProcessAlertBus implements AlertBus {

    // Best effort: a subscriber that cannot keep up drops alerts rather than slowing down the
    // thread that stored them; it can catch up with afterSequence.
    private final Sinks.Many<Alert> sink = Sinks.many().multicast().directBestEffort();

    @Override
    public void publish(Alert alert) {
        // Sinks refuse concurrent emissions: publishers arrive from many request threads at once.
        synchronized (sink) {
            sink.tryEmitNext(alert);
        }
    }

    @Override
    public Publisher<Alert> subscribe() {
        return sink.asFlux();
    }
}
