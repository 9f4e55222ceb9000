package io.meterline.platform.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meterline.platform.support.TestRedis;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link BudgetHoldLimitsIT} with the holds in Redis: there a reservation id used to be one global
 * key, so another organization's usage naming it released the hold; now it is looked up under the
 * recording organization only.
 */
class BudgetHoldLimitsRedisIT extends BudgetHoldLimitsIT {

    @Inject
    ReservationBook book;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.putAll(TestRedis.properties());
        return properties;
    }

    @BeforeAll
    void redisHoldsTheReservations() {
        assumeTrue(TestRedis.listens(), "Redis on 127.0.0.1:6379 (CI always has it)");
        assertThat(book).isInstanceOf(RedisReservationBook.class);
    }

    @Override
    long heldRows(io.meterline.platform.support.Fixtures.Tenant owner) {
        // Redis holds them; the database never has any, which the statuses' reserved (read from Redis) checks instead.
        return 0;
    }
}
