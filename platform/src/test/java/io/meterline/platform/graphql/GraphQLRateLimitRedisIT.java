package io.meterline.platform.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.meterline.platform.support.TestRedis;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** With redis.uri set, two instances spend one budget per principal: what one spent, the other refuses. */
class GraphQLRateLimitRedisIT extends ServerTest {

    @Inject
    MutableClock clock;

    @Inject
    TransactionOperations<Connection> transactions;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.putAll(TestRedis.properties());
        properties.put(MutableClock.ENABLE, "true");
        properties.put("meterline.graphql.cost-per-minute", Long.toString(GraphQLRateLimitIT.BUDGET));
        return properties;
    }

    @Test
    void aSecondInstanceRefusesWhatTheFirstSpent() {
        Assumptions.assumeTrue(TestRedis.listens(), "Redis on 127.0.0.1:6379 (CI always has it)");
        assertThat(server.getApplicationContext().getBean(CostBudget.class)).isInstanceOf(RedisCostBudget.class);
        Instant tenSecondsIn = Instant.parse("2026-11-10T12:00:10Z");
        clock.set(tenSecondsIn);
        Rows rows = new Rows(transactions);
        Fixtures.Tenant tenant = Fixtures.tenant(api, "rate-redis", "UTC");
        try (EmbeddedServer second = startSecondInstance(Map.of(MutableClock.ENABLE, "true", "meterline.graphql.cost-per-minute", Long.toString(GraphQLRateLimitIT.BUDGET)))) {
            MutableClock secondClock = second.getApplicationContext().getBean(MutableClock.class);
            secondClock.set(tenSecondsIn.plusSeconds(5));
            TestApi secondApi = new TestApi(second.getURI(), jsonMapper);

            assertThat(api.graphql(tenant.adminToken(), GraphQLRateLimitIT.NEARLY_ALL).at("errors")).isNull();
            long keys = rows.count("SELECT COUNT(*) FROM api_key");
            TestApi.Response refused = secondApi.graphql(tenant.adminToken(), GraphQLRateLimitIT.KEY_CREATE);
            assertThat(refused.at("errors.0.extensions.code")).as(refused.body()).isEqualTo("RATE_LIMITED");
            assertThat(((Number) refused.at("errors.0.extensions.retryAfterSeconds")).longValue()).isEqualTo(45);
            assertThat(rows.count("SELECT COUNT(*) FROM api_key")).isEqualTo(keys);
            // The member's budget is untouched on either instance.
            assertThat(secondApi.graphql(tenant.memberToken(), "{ usageSummary { tokens } }").at("errors")).isNull();

            secondClock.set(tenSecondsIn.plusSeconds(50));
            TestApi.Response nextMinute = secondApi.graphql(tenant.adminToken(), GraphQLRateLimitIT.KEY_CREATE);
            assertThat(nextMinute.at("errors")).as(nextMinute.body()).isNull();
            assertThat(rows.count("SELECT COUNT(*) FROM api_key")).isEqualTo(keys + 1);
        }
    }
}
