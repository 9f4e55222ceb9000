package io.meterline.platform.support;

import io.meterline.platform.common.ClockFactory;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock tests move. It replaces the server's clock only in a test class that sets the property
 * {@link #ENABLE} to true (in its {@code getProperties}), so other classes keep real time.
 */
public final class MutableClock extends Clock {

    public static final String ENABLE = "meterline.test.mutable-clock";

    private volatile Instant now = Instant.parse("2026-11-10T12:00:00Z");

    public void set(Instant instant) {
        now = instant;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return Clock.fixed(now, zone);
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Factory
    @Requires(property = ENABLE)
    static class MutableClockFactory {
        @Singleton
        @Replaces(value = Clock.class, factory = ClockFactory.class)
        MutableClock clock() {
            return new MutableClock();
        }
    }
}
