package io.meterline.platform.bus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The single-instance bus. */
class InProcessMessageBusTest {

    @Test
    void subscribersOfAChannelReceiveItsMessagesUntilTheyUnsubscribe() throws Exception {
        InProcessMessageBus bus = new InProcessMessageBus();
        List<String> alerts = new ArrayList<>();
        List<String> others = new ArrayList<>();
        AutoCloseable subscription = bus.subscribe("alerts", alerts::add);
        bus.subscribe("others", others::add);

        bus.publish("alerts", "{\"n\":1}");
        subscription.close();
        bus.publish("alerts", "{\"n\":2}");

        assertThat(alerts).containsExactly("{\"n\":1}");
        assertThat(others).isEmpty();
    }

    @Test
    void aFailingSubscriberDoesNotKeepTheMessageFromTheOthers() {
        InProcessMessageBus bus = new InProcessMessageBus();
        List<String> received = new ArrayList<>();
        bus.subscribe("alerts", message -> {
            throw new IllegalStateException("broken subscriber");
        });
        bus.subscribe("alerts", received::add);

        bus.publish("alerts", "{}");

        assertThat(received).containsExactly("{}");
    }
}
