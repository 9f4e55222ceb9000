package io.meterline.platform.graphql;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.meterline.platform.bus.RedisConfiguration;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cost budget shared by every instance, used when {@code redis.uri} is set: one key per
 * principal and minute ({@code <prefix>graphql-cost:<principal>:<epoch minute>}), checked and raised
 * by one script so that concurrent requests on any instance never spend more than the budget
 * together. A key outlives its minute by a minute (instances' clocks differ a little) and then
 * expires. If Redis cannot be reached the request runs: this budget protects the server from one
 * caller's volume, and refusing everyone while Redis is away would be the bigger outage.
 */
@Singleton
@Requires(property = "redis.uri")
public class RedisCostBudget implements CostBudget {

    private static final Logger LOG = LoggerFactory.getLogger(RedisCostBudget.class);
    private static final long KEY_TTL_MILLIS = 120_000;
    /** Spends ARGV[1] of KEYS[1] unless the total would pass ARGV[2]; answers 1 when spent, 0 when refused. */
    private static final String SPEND = """
            local spent = tonumber(redis.call('GET', KEYS[1]) or '0')
            if spent + tonumber(ARGV[1]) > tonumber(ARGV[2]) then
              return 0
            end
            redis.call('INCRBY', KEYS[1], ARGV[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return 1
            """;

    private final String prefix;
    private final long costPerMinute;
    private final Clock clock;
    private final StatefulRedisConnection<String, String> connection;

    public RedisCostBudget(RedisClient client, RedisConfiguration redis, GraphQLLimits limits, Clock clock) {
        this.prefix = redis.prefix();
        this.costPerMinute = limits.costPerMinute();
        this.clock = clock;
        this.connection = client.connect();
    }

    @Override
    public OptionalLong spend(String principal, long cost) {
        Instant now = clock.instant();
        String key = prefix + "graphql-cost:" + principal + ":" + CostBudget.window(now);
        Long spent;
        try {
            spent = connection.sync().eval(SPEND, ScriptOutputType.INTEGER, new String[] {key},
                    Long.toString(cost), Long.toString(costPerMinute), Long.toString(KEY_TTL_MILLIS));
        }
        catch (RedisException e) {
            LOG.warn("The query cost budget could not be read from Redis; the request runs unmetered", e);
            return OptionalLong.empty();
        }
        return spent != null && spent == 1 ? OptionalLong.empty() : OptionalLong.of(CostBudget.secondsToNextWindow(now));
    }

    @PreDestroy
    void close() {
        connection.close();
    }
}
