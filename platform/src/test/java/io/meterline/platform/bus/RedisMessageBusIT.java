package io.meterline.platform.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micronaut.runtime.server.EmbeddedServer;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestRedis;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two server instances share a Redis: a message published on one reaches subscribers on both.
 * Skipped only when nothing listens on 127.0.0.1:6379 (CI runs Redis there).
 */
class RedisMessageBusIT extends ServerTest {

    private static final boolean REDIS_LISTENS = TestRedis.listens();

    @Inject
    MessageBus bus;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.putAll(TestRedis.properties());
        return properties;
    }

    @Test
    void aMessagePublishedOnOneInstanceReachesSubscribersOnTheOther() throws Exception {
        assumeTrue(REDIS_LISTENS, "no Redis on 127.0.0.1:6379");
        assertThat(bus).isInstanceOf(RedisMessageBus.class);
        try (EmbeddedServer second = startSecondInstance(Map.of())) {
            MessageBus secondBus = second.getApplicationContext().getBean(MessageBus.class);
            BlockingQueue<String> onSecond = new LinkedBlockingQueue<>();
            BlockingQueue<String> onFirst = new LinkedBlockingQueue<>();
            BlockingQueue<String> otherChannel = new LinkedBlockingQueue<>();
            secondBus.subscribe("alerts", onSecond::add);
            bus.subscribe("alerts", onFirst::add);
            secondBus.subscribe("other", otherChannel::add);

            bus.publish("alerts", "{\"alert\":1}");

            assertThat(onSecond.poll(5, TimeUnit.SECONDS)).isEqualTo("{\"alert\":1}");
            assertThat(onFirst.poll(5, TimeUnit.SECONDS)).isEqualTo("{\"alert\":1}");

            try (AutoCloseable subscription = secondBus.subscribe("alerts", message -> onSecond.add("closed:" + message))) {
                subscription.close();
                secondBus.publish("alerts", "{\"alert\":2}");
                assertThat(onFirst.poll(5, TimeUnit.SECONDS)).isEqualTo("{\"alert\":2}");
                assertThat(onSecond.poll(5, TimeUnit.SECONDS)).isEqualTo("{\"alert\":2}");
            }
            assertThat(onSecond.poll(200, TimeUnit.MILLISECONDS)).isNull();
            assertThat(otherChannel).isEmpty();
        }
    }
}
