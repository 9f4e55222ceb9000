package io.meterline.platform.graphql;

import java.time.Instant;
import java.util.OptionalLong;

/**
 * Each principal's budget of query cost per minute ({@code meterline.graphql.cost-per-minute}): a
 * fixed window of the clock's minute, so a polling dashboard spends the same every minute and a
 * refused caller knows exactly when it may try again. In process by default; in Redis, shared by
 * every instance, when {@code redis.uri} is set.
 */
public interface CostBudget {

    /**
     * Takes {@code cost} from the principal's budget of the current minute if it fits; a refused
     * request takes nothing, so a caller retrying too early does not push its own retry back.
     *
     * @return empty when spent, otherwise the seconds until the next minute's budget
     */
    OptionalLong spend(String principal, long cost);

    /** The start of the minute {@code now} falls in, in epoch minutes: the window's name. */
    static long window(Instant now) {
        return Math.floorDiv(now.toEpochMilli(), 60_000L);
    }

    /** Whole seconds, at least 1, from {@code now} to the end of its minute. */
    static long secondsToNextWindow(Instant now) {
        long millisLeft = (window(now) + 1) * 60_000L - now.toEpochMilli();
        return Math.max(1, (millisLeft + 999) / 1000);
    }
}
