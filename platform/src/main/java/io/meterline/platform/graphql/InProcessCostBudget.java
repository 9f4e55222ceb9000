package io.meterline.platform.graphql;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * The cost budget of a single instance, without Redis. Windows are kept two minutes after their
 * last use and then dropped, so many anonymous addresses cannot grow the map without bound.
 */
@Singleton
@Requires(missingProperty = "redis.uri")
public class InProcessCostBudget implements CostBudget {

    private final long costPerMinute;
    private final Clock clock;
    private final Cache<String, Window> windows = Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(2)).build();

    /** What a principal spent in one minute. */
    private record Window(long minute, long spent) {
    }

    public InProcessCostBudget(GraphQLLimits limits, Clock clock) {
        this.costPerMinute = limits.costPerMinute();
        this.clock = clock;
    }

    @Override
    public OptionalLong spend(String principal, long cost) {
        Instant now = clock.instant();
        long minute = CostBudget.window(now);
        boolean[] spent = {false};
        windows.asMap().compute(principal, (key, window) -> {
            long before = window == null || window.minute() != minute ? 0 : window.spent();
            if (before + cost > costPerMinute) {
                return window;
            }
            spent[0] = true;
            return new Window(minute, before + cost);
        });
        return spent[0] ? OptionalLong.empty() : OptionalLong.of(CostBudget.secondsToNextWindow(now));
    }
}
