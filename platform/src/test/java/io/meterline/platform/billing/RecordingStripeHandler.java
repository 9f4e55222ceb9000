package io.meterline.platform.billing;

import com.stripe.model.Event;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A handler for a made-up event type that only tests send: records the events it applied and can
 * fail a given number of times, so the inbox's exactly-once and retry rules are seen from outside.
 */
@Singleton
public class RecordingStripeHandler implements StripeEventHandler {

    static final String TYPE = "meterline.test_recorded";

    final List<String> applied = new CopyOnWriteArrayList<>();
    final AtomicInteger failuresLeft = new AtomicInteger();

    @Override
    public Set<String> eventTypes() {
        return Set.of(TYPE);
    }

    @Override
    public void apply(Event event) {
        if (failuresLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            throw new IllegalStateException("failing on purpose for " + event.getId());
        }
        applied.add(event.getId());
    }
}
